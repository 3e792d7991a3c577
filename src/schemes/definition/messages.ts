/**
 * The schema's errors (TypeBox's ValueError: a type, the failing schema, a JSON pointer, the
 * value) in the words of a webhook developer, one line naming the key:
 * `"hmac": "sha257" is not one of sha1, sha256, sha512`, `unknown key "hamc": did you mean "hmac"?`.
 * The schema's `title` of a key is its short "what goes here".
 */
import { type ValueError, ValueErrorType } from '@sinclair/typebox/errors';
import { PATTERNS } from './patterns.js';
import { clip, closest, quote } from './words.js';

/** The JSON Schema keywords this module reads. */
interface Schema {
  title?: string;
  anyOf?: Array<{ const?: unknown }>;
  properties?: Record<string, unknown>;
  patternProperties?: Record<string, unknown>;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
}

/** The sentence for one error of the schema; `root` is the definition checked. */
export function sentence(e: ValueError, root: unknown): string {
  const s = e.schema as Schema;
  // Keys of the author's (header names in "samples") may be long.
  const at = clip(keyPath(e.path, root), 100);
  switch (e.type) {
    case ValueErrorType.ObjectAdditionalProperties: return unknownKey(e.path, s, root);
    case ValueErrorType.ObjectRequiredProperty: return `"${at}" is missing: ${hint(s)}`;
    case ValueErrorType.StringMinLength:
    case ValueErrorType.ArrayMinItems: return `"${at}" is empty: ${hint(s)}`;
    case ValueErrorType.StringMaxLength: return `"${at}" is ${(e.value as string).length} characters long, more than ${s.maxLength}`;
    case ValueErrorType.StringPattern: return `"${at}": ${quote(e.value)} ${patternSentence(at, s, e.value as string)}`;
    case ValueErrorType.String: return `"${at}": ${quote(e.value)} is not a string (${hint(s)})`;
    case ValueErrorType.Union: return `"${at}": ${quote(e.value)} is not ${hint(s)}`;
    case ValueErrorType.Integer:
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.IntegerMaximum: return `"${at}": ${quote(e.value)} is not ${hint(s)} (an integer from ${s.minimum} to ${s.maximum})`;
    case ValueErrorType.ArrayUniqueItems: return listedTwice(at, e.value as unknown[]);
    case ValueErrorType.Boolean: return `"${at}": ${quote(e.value)} is not true or false`;
    case ValueErrorType.Object: return `"${at}": ${quote(e.value)} is not ${s.title ?? 'an object'}`;
    default: return `"${at}": ${quote(e.value)} is not ${hint(s)}`;
  }
}

/** What goes in a key: "one of sha1, sha256, sha512", or the schema's title. */
function hint(s: Schema): string {
  if (s.anyOf) return `one of ${s.anyOf.map((o) => String(o.const)).map((o) => (/^[\w-]+$/.test(o) ? o : JSON.stringify(o))).join(', ')}`;
  return s.title ?? 'a value of another type';
}

/** A JSON pointer ("/samples/events/0/body") as the key people read: "samples.events[0].body". */
function keyPath(pointer: string, root: unknown): string {
  let out = '';
  let v = root;
  for (const token of pointer.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    out += Array.isArray(v) ? `[${token}]` : `${out ? '.' : ''}${token}`;
    v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[token] : undefined;
  }
  return out;
}

/** A key the object does not take: the closest one it does, or the list of them. */
function unknownKey(pointer: string, parent: Schema, root: unknown): string {
  const cut = pointer.lastIndexOf('/');
  const where = keyPath(pointer.slice(0, cut), root);
  const key = pointer.slice(cut + 1).replace(/~1/g, '/').replace(/~0/g, '~');
  // An object of header names and values: the name is not one.
  if (parent.patternProperties) {
    const pattern = Object.keys(parent.patternProperties)[0]!;
    return `"${where}": ${quote(key)} ${patternSentence(where, { pattern, title: 'a header name' }, key)}`;
  }
  const prefix = where ? `${where}.` : '';
  const known = Object.keys(parent.properties ?? {});
  const guess = closest(key, known);
  return `unknown key ${quote(prefix + key)}${guess ? `: did you mean "${prefix}${guess}"?` : ` (the keys are ${known.filter((x) => !x.startsWith('$')).join(', ')})`}`;
}

/** "aliases[1]": the second place of a value an array holds twice. */
function listedTwice(at: string, list: unknown[]): string {
  const json = list.map((x) => JSON.stringify(x));
  const i = json.findIndex((x, k) => json.indexOf(x) !== k);
  return `"${at}[${i}]": ${quote(list[i])} is listed twice`;
}

const CONTROL = /[\u0000-\u001f\u007f]/;
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** What a string that does not match its key's pattern is told, after its value; a control character is said first. */
function patternSentence(at: string, s: Schema, v: string): string {
  const multiline = s.pattern === PATTERNS.text || s.pattern === PATTERNS.signs;
  if (s.pattern !== PATTERNS.headerValue && (multiline ? CONTROL_BUT_LINES : CONTROL).test(v)) return 'holds a control character';
  if (at === 'name') return v === 'auto' ? 'is taken: --scheme auto detects the scheme' : nameSentence(v);
  switch (s.pattern) {
    case PATTERNS.header: return 'is not a header name (letters, digits and - only, no spaces or colon)';
    case PATTERNS.headerValue: return 'is not a header value (one line of text)';
    case PATTERNS.url: return 'is not an http(s) URL';
    case PATTERNS.pointer: return 'is not a JSON pointer into the body (e.g. "/timestampSent", "/meta/sent_at")';
    case PATTERNS.locator: return locatorSentence(v);
    case PATTERNS.signs: return 'does not include {body}: a signature must cover the body';
    case PATTERNS.value: return 'has no {signature}';
    case PATTERNS.echo: return 'is not "query:<name>" or "body:<JSON pointer>" (e.g. "query:challenge", "body:/challenge")';
    case PATTERNS.when: return 'is not "query:<name>=<value>", "header:<Name>=<value>" or "body:<JSON pointer>=<value>"';
    default: return `is not ${s.title}`;
  }
}

/** A name that is not one, with the closest name that is. */
function nameSentence(v: string): string {
  const like = v.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'acme';
  return `is not a scheme name: lower-case letters, digits, ".", "-" and "_" (e.g. ${quote(like)})`;
}

/** A locator ("/pointer" or "header:Name") that is not one: what is wrong with it. */
function locatorSentence(v: string): string {
  if (v.startsWith('/')) return 'is not a JSON pointer: "~" must be written ~0, and "/" inside a name ~1';
  if (v.startsWith('header:')) return 'does not name a header after "header:"';
  return 'is neither a JSON pointer into the body (starting with "/", e.g. "/type") nor "header:Name"';
}
