/**
 * A small JSON Schema (draft-07) validator for the keywords schemes.schema.json uses, written
 * for the tests from the specification, not from whk's parser. Strict: a keyword it does not
 * implement is an error (so the schema cannot lean on something this check silently ignores).
 * Returns the errors, as "<path>: <what>" strings; none when the instance is valid.
 */
type Schema = Record<string, unknown> | boolean;

const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'title', 'description', 'default', 'examples', 'definitions']);
const KEYWORDS = new Set([
  'type', 'enum', 'const', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'uniqueItems', 'items',
  'required', 'properties', 'patternProperties', 'additionalProperties', 'anyOf', 'oneOf', 'not', '$ref',
]);

export function validate(root: Schema, instance: unknown): string[] {
  const errors: string[] = [];
  const resolve = (ref: string): Schema => {
    if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
    let s: unknown = root;
    for (const t of ref.slice(2).split('/')) s = (s as Record<string, unknown>)[t];
    if (s === undefined) throw new Error(`unresolved $ref ${ref}`);
    return s as Schema;
  };
  const check = (schema: Schema, v: unknown, path: string, out: string[]) => {
    if (schema === true) return;
    if (schema === false) return void out.push(`${path}: nothing is allowed here`);
    for (const k of Object.keys(schema)) if (!ANNOTATIONS.has(k) && !KEYWORDS.has(k)) throw new Error(`keyword ${k} is not implemented by this validator`);
    if (schema.$ref !== undefined) check(resolve(schema.$ref as string), v, path, out);
    if (schema.type !== undefined && !hasType(v, schema.type as string)) out.push(`${path}: not of type ${schema.type}`);
    if (schema.enum !== undefined && !(schema.enum as unknown[]).some((e) => e === v)) out.push(`${path}: not one of ${JSON.stringify(schema.enum)}`);
    if (schema.const !== undefined && schema.const !== v) out.push(`${path}: not ${JSON.stringify(schema.const)}`);
    if (typeof v === 'string') {
      // JSON Schema lengths count code points.
      const n = [...v].length;
      if (schema.minLength !== undefined && n < (schema.minLength as number)) out.push(`${path}: shorter than ${schema.minLength}`);
      if (schema.maxLength !== undefined && n > (schema.maxLength as number)) out.push(`${path}: longer than ${schema.maxLength}`);
      if (schema.pattern !== undefined && !new RegExp(schema.pattern as string, 'u').test(v)) out.push(`${path}: does not match ${schema.pattern}`);
    }
    if (typeof v === 'number') {
      if (schema.minimum !== undefined && v < (schema.minimum as number)) out.push(`${path}: below ${schema.minimum}`);
      if (schema.maximum !== undefined && v > (schema.maximum as number)) out.push(`${path}: above ${schema.maximum}`);
    }
    if (Array.isArray(v)) {
      if (schema.minItems !== undefined && v.length < (schema.minItems as number)) out.push(`${path}: fewer than ${schema.minItems} items`);
      if (schema.items !== undefined) v.forEach((x, i) => check(schema.items as Schema, x, `${path}[${i}]`, out));
      // Equal items: as JSON texts (enough for the instances of these tests, whose objects keep their key order).
      if (schema.uniqueItems === true && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) out.push(`${path}: items are not unique`);
    }
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      for (const r of (schema.required as string[] | undefined) ?? []) if (!(r in o)) out.push(`${path}: "${r}" is required`);
      const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
      const patterns = Object.entries((schema.patternProperties as Record<string, Schema> | undefined) ?? {});
      for (const [k, x] of Object.entries(o)) {
        // A key is "additional" when neither a property nor a pattern (unanchored, as in the spec) takes it.
        const matching = patterns.filter(([p]) => new RegExp(p, 'u').test(k));
        if (k in props) check(props[k]!, x, `${path}.${k}`, out);
        for (const [, s] of matching) check(s, x, `${path}.${k}`, out);
        if (!(k in props) && matching.length === 0 && schema.additionalProperties !== undefined) check(schema.additionalProperties as Schema, x, `${path}.${k}`, out);
      }
    }
    if (schema.anyOf !== undefined) {
      const passing = (schema.anyOf as Schema[]).some((s) => {
        const sub: string[] = [];
        check(s, v, path, sub);
        return sub.length === 0;
      });
      if (!passing) out.push(`${path}: valid under none of the anyOf schemas`);
    }
    if (schema.oneOf !== undefined) {
      const passing = (schema.oneOf as Schema[]).filter((s) => {
        const sub: string[] = [];
        check(s, v, path, sub);
        return sub.length === 0;
      }).length;
      if (passing !== 1) out.push(`${path}: valid under ${passing} of the oneOf schemas, not exactly one`);
    }
    if (schema.not !== undefined) {
      const sub: string[] = [];
      check(schema.not as Schema, v, path, sub);
      if (sub.length === 0) out.push(`${path}: matches a schema it must not`);
    }
  };
  check(root, instance, '$', errors);
  return errors;
}

function hasType(v: unknown, type: string): boolean {
  switch (type) {
    case 'string': return typeof v === 'string';
    case 'integer': return Number.isInteger(v);
    case 'number': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    case 'array': return Array.isArray(v);
    case 'object': return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'null': return v === null;
    default: throw new Error(`type ${type} is not implemented by this validator`);
  }
}
