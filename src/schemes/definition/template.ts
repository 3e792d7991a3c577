/**
 * The templates of a definition: "signs" ("{timestamp}.{body}") and "value"
 * ("t={timestamp},v1={signature}"), read into literal text and placeholders, and the signed
 * content written from a delivery's values.
 */
import { HEADER_NAME } from './patterns.js';
import { bad, closest, quote } from './words.js';

export type Token = { lit: string } | { ph: string; arg?: string };

export const SIGNS_PLACEHOLDERS = ['body', 'timestamp', 'id', 'url', 'method', 'header'] as const;
export const VALUE_PLACEHOLDERS = ['signature', 'timestamp', 'id'] as const;

/** What a delivery gives the signed content besides its body. */
export interface Values {
  timestamp?: string;
  id?: string;
  url?: string;
  method?: string;
  /** Lower-cased names. */
  headers: Record<string, string | undefined>;
}

/** The placeholders a template may hold, for messages: "{signature}, {timestamp} and {id}". */
function listed(allowed: readonly string[]): string {
  const all = allowed.map((p) => (p === 'header' ? '{header:Name}' : `{${p}}`));
  return `${all.slice(0, -1).join(', ')}${all.length > 1 ? ' and ' : ''}${all[all.length - 1]}`;
}

/** One `{placeholder}` (its text between the braces), checked against `allowed`. */
function placeholder(inner: string, key: string, allowed: readonly string[], source: string): Token {
  const colon = inner.indexOf(':');
  const ph = colon === -1 ? inner : inner.slice(0, colon);
  const arg = colon === -1 ? undefined : inner.slice(colon + 1);
  const known = allowed.includes(ph) && (ph === 'header' ? arg !== undefined : arg === undefined);
  // As written, but on one line ("signs" may hold line breaks).
  const shown = JSON.stringify(inner).slice(1, -1);
  if (!known) {
    const guess = closest(inner, allowed.filter((p) => p !== 'header'));
    throw bad(source, `"${key}": unknown placeholder {${shown}}${guess ? ` (did you mean {${guess}}?)` : ''}: the placeholders are ${listed(allowed)}`);
  }
  if (ph === 'header' && !HEADER_NAME.test(arg!)) throw bad(source, `"${key}": {${shown}} does not name a header`);
  return arg === undefined ? { ph } : { ph, arg };
}

/** The literal text and `{placeholders}` of a template, each placeholder checked against `allowed`. */
export function tokenize(template: string, key: string, allowed: readonly string[], source: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    const close = template.indexOf('}', i);
    if (close !== -1 && (open === -1 || close < open)) throw bad(source, `"${key}": ${quote(template)} has a "}" with no "{" before it`);
    if (open === -1) {
      out.push({ lit: template.slice(i) });
      break;
    }
    if (open > i) out.push({ lit: template.slice(i, open) });
    const end = template.indexOf('}', open);
    const inner = end === -1 ? '' : template.slice(open + 1, end);
    if (end === -1 || inner.includes('{')) throw bad(source, `"${key}": ${quote(template)} has a "{" with no "}" after it`);
    out.push(placeholder(inner, key, allowed, source));
    i = end + 1;
  }
  return out;
}

/** How many times `ph` is in `tokens`. */
export const count = (tokens: Token[], ph: string) => tokens.filter((t) => 'ph' in t && t.ph === ph).length;

/** The placeholders of `signs`, as readable words: "{timestamp}.{body}" -> "timestamp.body". */
export const readable = (tokens: Token[]) =>
  tokens.map((t) => ('lit' in t ? t.lit : t.ph === 'header' ? t.arg : t.ph === 'url' ? 'URL' : t.ph)).join('');

/** A function that writes `tokens` (no {body} among them) with a delivery's values: a constant where it can. */
export function side(tokens: Token[]): (v: Values) => string {
  const parts = tokens.map((t): string | ((v: Values) => string) => {
    if ('lit' in t) return t.lit;
    if (t.ph === 'header') {
      const name = t.arg!.toLowerCase();
      return (v) => v.headers[name] ?? '';
    }
    const ph = t.ph as 'timestamp' | 'id' | 'url' | 'method';
    return (v) => v[ph] ?? '';
  });
  if (parts.every((p) => typeof p === 'string')) {
    const text = (parts as string[]).join('');
    return () => text;
  }
  if (parts.length === 1) return parts[0] as (v: Values) => string;
  if (parts.length === 2) {
    const [a, b] = parts;
    if (typeof a === 'string') return (v) => a + (b as (v: Values) => string)(v);
    if (typeof b === 'string') return (v) => a!(v) + b;
  }
  return (v) => {
    let s = '';
    for (const p of parts) s += typeof p === 'string' ? p : p(v);
    return s;
  };
}

/** The signed content before and after the body, for `tokens` (the definition's, or a misassembly). */
export function around(tokens: Token[], v: Values): [string, string] {
  const b = tokens.findIndex((t) => 'ph' in t && t.ph === 'body');
  return [side(tokens.slice(0, b))(v), side(tokens.slice(b + 1))(v)];
}
