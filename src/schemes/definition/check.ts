/**
 * Checking a custom definition: the schema (schema.ts, run by TypeBox), its first error worded
 * by messages.ts, then the rules a schema cannot say (rules.ts). Every error is one line naming
 * the source and the key: `acme.json: "hmac": "sha257" is not one of sha1, sha256, sha512`.
 * Loaded only when a custom definition is read (src/catalogue.ts, and the library's API).
 */
import { Errors, type ValueError, ValueErrorType } from '@sinclair/typebox/errors';
import { sentence } from './messages.js';
import { checkRules } from './rules.js';
import { type Definition, DefinitionSchema } from './schema.js';
import { bad, clip, isObject, kind } from './words.js';

/**
 * Checks `json` as one definition; `source` names it in errors ("acme.json"). Returns a copy
 * holding only the definition's own data. Throws a usage WhkError (exit 2), one line.
 */
export function parseDefinition(json: unknown, source = 'definition'): Definition {
  if (!isObject(json)) throw bad(source, `a definition is a JSON object (or an array of them), not ${kind(json)}`);
  refuseResearch(json, source);
  const copy = jsonCopy(json, source);
  const error = firstError(copy);
  if (error) throw bad(source, sentence(error, copy));
  checkRules(copy as Definition, source);
  return copy as Definition;
}

/** One definition or an array of them (a file's content). */
export function parseDefinitions(json: unknown, source = 'definition'): Definition[] {
  if (!Array.isArray(json)) return [parseDefinition(json, source)];
  if (json.length === 0) throw bad(source, 'an empty array: no definition in it');
  const out: Definition[] = [];
  json.forEach((d, i) => {
    const def = parseDefinition(d, `${source} #${i + 1}`);
    const first = out.findIndex((o) => o.name === def.name);
    if (first !== -1) throw bad(`${source} #${i + 1}`, `"name": "${def.name}" is already defined by #${first + 1}`);
    out.push(def);
  });
  return out;
}

/**
 * Research notes on a provider the format cannot express ("status": "needs-code"; their
 * templates may use words of their own, and other keys): said before anything else.
 */
function refuseResearch(json: Record<string, unknown>, source: string): void {
  if (json.status !== 'needs-code') return;
  const needs = typeof json.needs === 'string' ? ` (${clip(json.needs.replace(/\s+/g, ' '), 200)})` : '';
  throw bad(source, `"status": "needs-code": the format cannot say all of ${typeof json.name === 'string' ? `${json.name}'s` : 'this provider\'s'} rules, so whk does not run this definition${needs}`);
}

/** The definition as JSON data (keys whose value is undefined left out, as a file would). */
function jsonCopy(json: Record<string, unknown>, source: string): unknown {
  try {
    return JSON.parse(JSON.stringify(json)) as unknown;
  } catch (e) {
    throw bad(source, `a definition is JSON data (${(e as Error).message.split('\n')[0]})`);
  }
}

/** The error to report: an unknown key first (a typo's "did you mean" says more than the key it left missing). */
function firstError(copy: unknown): ValueError | undefined {
  let first: ValueError | undefined;
  for (const e of Errors(DefinitionSchema, copy)) {
    if (e.type === ValueErrorType.ObjectAdditionalProperties) return e;
    first ??= e;
  }
  return first;
}
