import { createHmac } from 'node:crypto';
import { usage, WhkError } from '../errors.js';
import { at, parseJsonBody, pointerTokens, requireUrl } from './fields.js';
import { definitionHandshake, LOCATED } from './handshake.js';
import { type Bytes, freshId, mask, nowSeconds, safeEqual } from './hmac.js';
import type { Delivery, Invalid, Scheme, Secret, SignedHeaders, SignInput, TimestampRule, Verdict } from './types.js';
import { checkTimestamp, invalid, matchSecret, noMatch, valid } from './verdict.js';

/**
 * A provider's HMAC signature scheme as data: what is signed, with which key, and where the
 * signature, the timestamp and the id travel. `defineScheme` turns one into a `Scheme` that signs,
 * verifies and diagnoses like the hand-written ones. The JSON Schema of the format is
 * schemes.schema.json at the package root; `parseDefinition` checks the same rules with one-line
 * errors naming the file and the key.
 */
export interface Definition {
  /** The JSON Schema, for editors. */
  $schema?: string;
  $comment?: string;
  /** What `--scheme` takes: lower-case letters, digits, ".", "-", "_". */
  name: string;
  /** Who sends it (default: the name). */
  provider?: string;
  /** Where the provider documents its signatures. */
  docs?: string;
  /** Other names --scheme takes ("facebook" for meta). */
  aliases?: string[];
  /** What the definition was checked against (the provider's docs, an SDK, published vectors). */
  checkedBy?: string;
  /** confirmed, unconfirmed (from secondary sources), or needs-code (the format cannot say it all: see `needs`). */
  status?: 'confirmed' | 'unconfirmed' | 'needs-code';
  /** For needs-code: what the format cannot say. */
  needs?: string;
  /** Free text for humans. */
  notes?: string;
  hmac: HmacAlgorithm;
  /** How the secret becomes the HMAC key (default utf8: its text). */
  key?: KeyDecoding;
  /** The signed content: `{body}` and any of `{timestamp}`, `{id}`, `{url}`, `{method}`, `{header:Name}` (default "{body}"). */
  signs?: string;
  /** The header that carries the signature. */
  header: string;
  /** The header's value: `{signature}`, and `{timestamp}` / `{id}` in a list form such as "t={timestamp},v1={signature}" (default "{signature}"). */
  value?: string;
  /**
   * Several signatures in one header (secret rotation), separated by this: " ", "," or ";". With
   * a list form of `value` that has a separator of its own, this one separates whole groups
   * shaped like `value` (Persona: "t=<ts>,v1=<sig> t=<ts>,v1=<sig>").
   */
  separator?: ' ' | ',' | ';';
  encoding: SignatureEncoding;
  timestamp?: {
    /** The header that carries it, when `value` does not. */
    header?: string;
    /** A JSON pointer into the body ("/timestampSent"), when it is a body field. */
    body?: string;
    /** s (default), ms, or iso (ISO 8601). */
    unit?: TimeUnit;
    /** Seconds (default 300). */
    tolerance?: number;
    /** both (default): too old and too far in the future fail; past: only too old. */
    direction?: 'both' | 'past';
    /** Valid only while |age| < tolerance (default: <=). */
    strict?: boolean;
  };
  /** Where the message id `{id}` comes from, when `value` does not carry it. */
  id?: { header: string };
  /** Where the event type is: a JSON pointer into the body ("/type") or "header:Name". */
  eventType?: string;
  /** Where the event id is: a JSON pointer into the body ("/id") or "header:Name". */
  eventId?: string;
  /** Content-Type of the deliveries (default application/json). */
  contentType?: string;
  /** Realistic sample events for `whk send` (default: one generic event). */
  samples?: DefinitionSamples;
  /** The provider's endpoint verification, answered by `whk listen` (Dropbox's ?challenge=, Twitch's challenge). */
  handshake?: DefinitionHandshake;
}

/**
 * An endpoint verification that echoes a value: `echo` says where the value is (`query:<name>`
 * or `body:<JSON pointer>`), `when` optionally what else marks the request
 * (`query:<name>=<value>`, `header:<Name>=<value>`, `body:<JSON pointer>=<value>`).
 */
export interface DefinitionHandshake {
  echo: string;
  when?: string;
  /** Content-Type of the answer (default text/plain). */
  contentType?: string;
}

/**
 * Sample events as data. In every string, `{{id}}`, `{{delivery}}`, `{{created}}` (ISO 8601),
 * `{{createdUnix}}`, `{{now}}`, `{{nowMs}}`, `{{url}}` and `{{event}}` are replaced; a string that
 * is exactly `"{{now}}"`, `"{{nowMs}}"` or `"{{createdUnix}}"` becomes a number.
 */
export interface DefinitionSamples {
  /** The provider's User-Agent. */
  userAgent?: string;
  /** The shape of `{{id}}`: uuid (default), ulid, hex, digits, or a prefix such as "evt_". */
  id?: string;
  /** Headers sent with every event besides the signature's (templates). */
  headers?: Record<string, string>;
  /** How a JSON body is written: compact (default) or pretty (2 spaces). */
  json?: 'compact' | 'pretty';
  /** The first is the default event. */
  events: Array<{
    event: string;
    description: string;
    /** A JSON value (written as `json` says), or the exact text (form-encoded, XML...). */
    body: unknown;
    /** Headers of this event only (templates). */
    headers?: Record<string, string>;
  }>;
}

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';
export type KeyDecoding = 'utf8' | 'base64' | 'hex' | 'whsec';
export type SignatureEncoding = 'hex' | 'base64' | 'base64url';
export type TimeUnit = 's' | 'ms' | 'iso';

const HMACS: readonly HmacAlgorithm[] = ['sha1', 'sha256', 'sha512'];
const KEYS_DECODING: readonly KeyDecoding[] = ['utf8', 'base64', 'hex', 'whsec'];
const ENCODINGS: readonly SignatureEncoding[] = ['hex', 'base64', 'base64url'];
const UNITS: readonly TimeUnit[] = ['s', 'ms', 'iso'];
const SEPARATORS = [' ', ',', ';'] as const;
const TOP_KEYS = ['$schema', '$comment', 'name', 'provider', 'docs', 'aliases', 'checkedBy', 'status', 'needs', 'notes', 'hmac', 'key', 'signs', 'header', 'value', 'separator', 'encoding', 'timestamp', 'id', 'eventType', 'eventId', 'contentType', 'samples', 'handshake'];
const TIMESTAMP_KEYS = ['header', 'body', 'unit', 'tolerance', 'direction', 'strict'];
const SIGNS_PLACEHOLDERS = ['body', 'timestamp', 'id', 'url', 'method', 'header'];
const VALUE_PLACEHOLDERS = ['signature', 'timestamp', 'id'];
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const LABEL = /^[A-Za-z0-9_.-]+$/;
const MAX_TOLERANCE = 10 * 365 * 24 * 3600;

// ---------------------------------------------------------------------------------------------
// Checking a definition

/** A one-line usage error (exit 2): `<source>: <what is wrong>`. */
const bad = (source: string, message: string) => usage('bad_definition', `${source}: ${message}`);

const quote = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}…${s[0] === '"' ? '"' : ''}` : s;
};

const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function unknownKeys(o: Record<string, unknown>, known: readonly string[], prefix: string, source: string): void {
  for (const k of Object.keys(o)) {
    if (known.includes(k)) continue;
    const guess = closest(k, known);
    throw bad(source, `unknown key "${prefix}${k}"${guess ? `: did you mean "${prefix}${guess}"?` : ` (the keys are ${known.filter((x) => !x.startsWith('$')).join(', ')})`}`);
  }
}

function closest(word: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const n of names) {
    const d = n.toLowerCase() === word.toLowerCase() ? 0 : distance(word.toLowerCase(), n.toLowerCase());
    if (d < bestD) [best, bestD] = [n, d];
  }
  return bestD <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

/** Edit distance where swapping two neighbours counts as one edit ("hamc" -> "hmac"). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** Reads the keys of one object, each checked once, with errors naming `source` and the key. */
class Reader {
  constructor(private readonly o: Record<string, unknown>, private readonly source: string, private readonly prefix = '') {}

  private path = (k: string) => `"${this.prefix}${k}"`;

  has(k: string): boolean {
    return this.o[k] !== undefined;
  }

  string(k: string, required: boolean, hint = 'a string', max = 500, control = /[\u0000-\u001f\u007f]/): string | undefined {
    const v = this.o[k];
    if (v === undefined) {
      if (required) throw bad(this.source, `${this.path(k)} is missing: ${hint}`);
      return undefined;
    }
    if (typeof v !== 'string') throw bad(this.source, `${this.path(k)}: ${quote(v)} is not a string (${hint})`);
    if (v.length === 0) throw bad(this.source, `${this.path(k)} is empty: ${hint}`);
    if (v.length > max) throw bad(this.source, `${this.path(k)} is ${v.length} characters long, more than ${max}`);
    if (control.test(v)) throw bad(this.source, `${this.path(k)}: ${quote(v)} holds a control character`);
    return v;
  }

  oneOf<T extends string>(k: string, options: readonly T[], required: boolean): T | undefined {
    const list = options.map((o) => (/^[\w-]+$/.test(o) ? o : JSON.stringify(o))).join(', ');
    const v = this.o[k];
    if (v === undefined) {
      if (required) throw bad(this.source, `${this.path(k)} is missing: one of ${list}`);
      return undefined;
    }
    if (typeof v !== 'string' || !options.includes(v as T)) throw bad(this.source, `${this.path(k)}: ${quote(v)} is not one of ${list}`);
    return v as T;
  }

  header(k: string, required: boolean): string | undefined {
    const v = this.string(k, required, 'a header name, e.g. "X-Acme-Signature"', 100);
    if (v !== undefined && !TOKEN.test(v)) throw bad(this.source, `${this.path(k)}: ${quote(v)} is not a header name (letters, digits and - only, no spaces or colon)`);
    return v;
  }

  integer(k: string, min: number, max: number, what: string): number | undefined {
    const v = this.o[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw bad(this.source, `${this.path(k)}: ${quote(v)} is not ${what} (an integer from ${min} to ${max})`);
    }
    return v;
  }

  boolean(k: string): boolean | undefined {
    const v = this.o[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') throw bad(this.source, `${this.path(k)}: ${quote(v)} is not true or false`);
    return v;
  }

  object(k: string): Record<string, unknown> | undefined {
    const v = this.o[k];
    if (v === undefined) return undefined;
    if (!isObject(v)) throw bad(this.source, `${this.path(k)}: ${quote(v)} is not an object`);
    return v;
  }
}

/** A locator: "/json/pointer" or "header:Name". */
function checkLocator(r: Reader, k: string, source: string): void {
  const v = r.string(k, false, 'a JSON pointer into the body ("/type") or "header:Name"');
  if (v === undefined) return;
  if (v.startsWith('/')) {
    if (/~(?![01])/.test(v)) throw bad(source, `"${k}": ${quote(v)} is not a JSON pointer: "~" must be written ~0, and "/" inside a name ~1`);
    return;
  }
  if (v.startsWith('header:')) {
    if (!TOKEN.test(v.slice(7))) throw bad(source, `"${k}": ${quote(v)} does not name a header after "header:"`);
    return;
  }
  throw bad(source, `"${k}": ${quote(v)} is neither a JSON pointer into the body (starting with "/", e.g. "/type") nor "header:Name"`);
}

type Token = { lit: string } | { ph: string; arg?: string };

/** The literal text and `{placeholders}` of a template, each placeholder checked against `allowed`. */
function tokenize(template: string, key: string, allowed: readonly string[], source: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const all = allowed.map((p) => (p === 'header' ? '{header:Name}' : `{${p}}`));
  const listed = `${all.slice(0, -1).join(', ')}${all.length > 1 ? ' and ' : ''}${all[all.length - 1]}`;
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
    const colon = inner.indexOf(':');
    const ph = colon === -1 ? inner : inner.slice(0, colon);
    const arg = colon === -1 ? undefined : inner.slice(colon + 1);
    const known = allowed.includes(ph) && (ph === 'header' ? arg !== undefined : arg === undefined);
    if (!known) {
      const guess = closest(inner, allowed.filter((p) => p !== 'header'));
      throw bad(source, `"${key}": unknown placeholder {${inner}}${guess ? ` (did you mean {${guess}}?)` : ''}: the placeholders are ${listed}`);
    }
    if (ph === 'header' && !TOKEN.test(arg!)) throw bad(source, `"${key}": {${inner}} does not name a header`);
    out.push(arg === undefined ? { ph } : { ph, arg });
    i = end + 1;
  }
  return out;
}

const count = (tokens: Token[], ph: string) => tokens.filter((t) => 'ph' in t && t.ph === ph).length;

/**
 * Checks `json` as one definition; `source` names it in errors ("acme.json"). Returns a copy
 * holding only the definition's own keys. Throws a usage WhkError (exit 2), one line:
 * `acme.json: "hmac": "sha257" is not one of sha1, sha256, sha512`.
 */
export function parseDefinition(json: unknown, source = 'definition'): Definition {
  if (!isObject(json)) throw bad(source, `a definition is a JSON object (or an array of them), not ${kind(json)}`);
  // Research notes on a provider the format cannot express (their templates may use words of
  // their own, and other keys): said first.
  if (json.status === 'needs-code') {
    const needs = typeof json.needs === 'string' ? ` (${clip(json.needs.replace(/\s+/g, ' '), 200)})` : '';
    throw bad(source, `"status": "needs-code": the format cannot say all of ${typeof json.name === 'string' ? `${json.name}'s` : 'this provider\'s'} rules, so whk does not run this definition${needs}`);
  }
  unknownKeys(json, TOP_KEYS, '', source);
  const r = new Reader(json, source);
  r.string('$schema', false);
  r.string('$comment', false, 'a string', 2000);
  const name = r.string('name', true, 'the name --scheme takes, e.g. "acme"', 64)!;
  if (!NAME.test(name) || name === 'auto') {
    throw bad(source, name === 'auto'
      ? '"name": "auto" is taken: --scheme auto detects the scheme'
      : `"name": ${quote(name)} is not a scheme name: lower-case letters, digits, ".", "-" and "_" (e.g. ${quote(name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'acme')})`);
  }
  r.string('provider', false, 'who sends it, e.g. "Acme Payments"', 200);
  const aliases = json.aliases;
  if (aliases !== undefined) {
    if (!Array.isArray(aliases)) throw bad(source, `"aliases": ${quote(aliases)} is not an array of names`);
    aliases.forEach((a, i) => {
      if (typeof a !== 'string' || !NAME.test(a) || a === 'auto' || a === name) {
        throw bad(source, `"aliases[${i}]": ${quote(a)} is not another scheme name (lower-case letters, digits, ".", "-" and "_"; not "auto")`);
      }
      if (aliases.indexOf(a) !== i) throw bad(source, `"aliases[${i}]": ${quote(a)} is listed twice`);
    });
  }
  r.string('checkedBy', false, 'what the definition was checked against', 2000);
  r.oneOf('status', ['confirmed', 'unconfirmed', 'needs-code'] as const, false);
  r.string('needs', false, 'what the format cannot say', 4000, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/);
  r.string('notes', false, 'notes for humans', 10000, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/);
  const docs = r.string('docs', false, 'the URL of the provider\'s documentation', 2000);
  if (docs !== undefined && !/^https?:\/\/[^\s/]+/.test(docs)) throw bad(source, `"docs": ${quote(docs)} is not an http(s) URL`);
  r.oneOf('hmac', HMACS, true);
  r.oneOf('key', KEYS_DECODING, false);
  r.oneOf('encoding', ENCODINGS, true);
  const header = r.header('header', true)!;
  r.oneOf('separator', SEPARATORS, false);
  r.string('contentType', false, 'a media type, e.g. "application/json"', 200);
  checkLocator(r, 'eventType', source);
  checkLocator(r, 'eventId', source);

  // The signed content may hold line breaks and tabs (METHOD\nURL\nbody), no other control character.
  const signs = tokenize(r.string('signs', false, 'the signed content, e.g. "{timestamp}.{body}"', 500, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/) ?? '{body}', 'signs', SIGNS_PLACEHOLDERS, source);
  const signsText = (json.signs as string | undefined) ?? '{body}';
  if (count(signs, 'body') !== 1) {
    throw bad(source, count(signs, 'body') === 0
      ? `"signs": ${quote(signsText)} does not include {body}: a signature must cover the body`
      : `"signs": ${quote(signsText)} has {body} more than once`);
  }
  for (const ph of ['timestamp', 'id', 'url', 'method']) {
    if (count(signs, ph) > 1) throw bad(source, `"signs": ${quote(signsText)} has {${ph}} more than once`);
  }
  const valueText = (json.value as string | undefined) ?? '{signature}';
  const value = tokenize(r.string('value', false, 'the header\'s value, e.g. "sha256={signature}"') ?? '{signature}', 'value', VALUE_PLACEHOLDERS, source);
  for (const ph of VALUE_PLACEHOLDERS) {
    const n = count(value, ph);
    if (ph === 'signature' && n === 0) throw bad(source, `"value": ${quote(valueText)} has no {signature}`);
    if (n > 1) throw bad(source, `"value": ${quote(valueText)} has {${ph}} more than once${ph === 'signature' ? ' (several signatures: "separator", or a list form such as "t={timestamp},v1={signature}" where v1 may repeat)' : ''}`);
  }
  valueFormat(value, valueText, json.separator as Definition['separator'], source);

  // The timestamp: one place, signed, and a rule.
  const ts = r.object('timestamp');
  const tsInValue = count(value, 'timestamp') === 1;
  let tsHeader: string | undefined;
  let tsBody: string | undefined;
  if (ts) {
    unknownKeys(ts, TIMESTAMP_KEYS, 'timestamp.', source);
    const t = new Reader(ts, source, 'timestamp.');
    tsHeader = t.header('header', false);
    tsBody = t.string('body', false, 'a JSON pointer into the body, e.g. "/timestampSent"');
    if (tsBody !== undefined && (!tsBody.startsWith('/') || /~(?![01])/.test(tsBody))) {
      throw bad(source, `"timestamp.body": ${quote(tsBody)} is not a JSON pointer into the body (e.g. "/timestampSent", "/meta/sent_at")`);
    }
    t.oneOf('unit', UNITS, false);
    t.integer('tolerance', 0, MAX_TOLERANCE, 'a number of seconds');
    t.oneOf('direction', ['both', 'past'] as const, false);
    t.boolean('strict');
    const places = [tsInValue && '{timestamp} in "value"', tsHeader && '"timestamp.header"', tsBody && '"timestamp.body"'].filter(Boolean);
    if (places.length > 1) throw bad(source, `"timestamp": the timestamp is in one place, not ${places.join(' and ')}`);
    if (places.length === 0) {
      throw bad(source, '"timestamp": says how old a delivery may be, but not where its timestamp is: put {timestamp} in "value", or give "timestamp.header" or "timestamp.body"');
    }
  }
  const tsSigned = count(signs, 'timestamp') === 1;
  if (tsSigned && !tsInValue && !tsHeader && !tsBody) {
    throw bad(source, `"signs": ${quote(signsText)} uses {timestamp}, but the definition does not say where the timestamp is: put {timestamp} in "value", or give "timestamp": {"header": "..."}`);
  }
  if ((tsInValue || tsHeader) && !tsSigned) {
    throw bad(source, `"signs": ${quote(signsText)} does not include {timestamp}, so the timestamp ${tsHeader ? `in ${tsHeader}` : 'in "value"'} is not signed: anyone could change it; add {timestamp} to "signs"`);
  }
  if (tsHeader && tsHeader.toLowerCase() === header.toLowerCase()) throw bad(source, `"timestamp.header": ${quote(tsHeader)} is the signature header: put {timestamp} in "value" instead`);

  // The message id.
  const id = r.object('id');
  let idHeader: string | undefined;
  if (id) {
    unknownKeys(id, ['header'], 'id.', source);
    idHeader = new Reader(id, source, 'id.').header('header', true);
    if (count(value, 'id') === 1) throw bad(source, '"id": the id is in one place, not {id} in "value" and "id.header"');
    if (idHeader!.toLowerCase() === header.toLowerCase()) throw bad(source, `"id.header": ${quote(idHeader)} is the signature header: put {id} in "value" instead`);
  }
  if (count(signs, 'id') === 1 && count(value, 'id') === 0 && !idHeader) {
    throw bad(source, `"signs": ${quote(signsText)} uses {id}, but the definition does not say where the id is: give "id": {"header": "..."}, or put {id} in "value"`);
  }
  for (const t of signs) {
    if ('ph' in t && t.ph === 'header' && t.arg!.toLowerCase() === header.toLowerCase()) {
      throw bad(source, `"signs": {header:${t.arg}} is the signature header itself`);
    }
  }
  checkSamples(json.samples, source);
  checkHandshake(json.handshake, source);
  return JSON.parse(JSON.stringify(json)) as Definition;
}


function checkHandshake(h: unknown, source: string): void {
  if (h === undefined) return;
  if (!isObject(h)) throw bad(source, `"handshake": ${quote(h)} is not an object with "echo"`);
  unknownKeys(h, ['echo', 'when', 'contentType'], 'handshake.', source);
  const r = new Reader(h, source, 'handshake.');
  const echo = r.string('echo', true, 'where the value to echo is: "query:<name>" or "body:<JSON pointer>"', 200)!;
  const e = LOCATED.exec(echo);
  if (!e || e[1] === 'header' || (e[1] === 'body' && !e[2]!.startsWith('/'))) {
    throw bad(source, `"handshake.echo": ${quote(echo)} is not "query:<name>" or "body:<JSON pointer>" (e.g. "query:challenge", "body:/challenge")`);
  }
  const when = r.string('when', false, 'what marks the request: "query:<name>=<value>", "header:<Name>=<value>" or "body:<JSON pointer>=<value>"', 300);
  if (when !== undefined) {
    const w = LOCATED.exec(when);
    if (!w || !w[2]!.includes('=') || (w[1] === 'body' && !w[2]!.startsWith('/'))) {
      throw bad(source, `"handshake.when": ${quote(when)} is not "query:<name>=<value>", "header:<Name>=<value>" or "body:<JSON pointer>=<value>"`);
    }
  }
  r.string('contentType', false, 'a media type, e.g. "text/plain"', 200);
}


const SAMPLE_KEYS = ['userAgent', 'id', 'headers', 'json', 'events'];
const EVENT_KEYS = ['event', 'description', 'body', 'headers'];

function checkSamples(samples: unknown, source: string): void {
  if (samples === undefined) return;
  if (!isObject(samples)) throw bad(source, `"samples": ${quote(samples)} is not an object with "events"`);
  unknownKeys(samples, SAMPLE_KEYS, 'samples.', source);
  const r = new Reader(samples, source, 'samples.');
  r.string('userAgent', false, 'a User-Agent', 300);
  r.string('id', false, 'uuid, ulid, hex, digits or a prefix such as "evt_"', 40);
  r.oneOf('json', ['compact', 'pretty'] as const, false);
  const headers = (h: unknown, key: string) => {
    if (h === undefined) return;
    if (!isObject(h)) throw bad(source, `"${key}": ${quote(h)} is not an object of header names and values`);
    for (const [name, v] of Object.entries(h)) {
      if (!TOKEN.test(name)) throw bad(source, `"${key}": ${quote(name)} is not a header name`);
      if (typeof v !== 'string' || /[\r\n\0]/.test(v)) throw bad(source, `"${key}.${name}": ${quote(v)} is not a header value (one line of text)`);
    }
  };
  headers(samples.headers, 'samples.headers');
  const events = samples.events;
  if (!Array.isArray(events) || events.length === 0) throw bad(source, '"samples.events": give at least one event ({"event", "description", "body"})');
  events.forEach((e, i) => {
    const at = `samples.events[${i}]`;
    if (!isObject(e)) throw bad(source, `"${at}": ${quote(e)} is not an object`);
    unknownKeys(e, EVENT_KEYS, `${at}.`, source);
    const er = new Reader(e, source, `${at}.`);
    er.string('event', true, 'the name --event takes', 100);
    er.string('description', true, 'one line for --list-events', 300);
    if (e.body === undefined) throw bad(source, `"${at}.body": missing: the body the provider sends (JSON, or text)`);
    headers(e.headers, `${at}.headers`);
    if (events.findIndex((x) => isObject(x) && x.event === e.event) !== i) throw bad(source, `"${at}.event": ${quote(e.event)} is listed twice`);
  });
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

// ---------------------------------------------------------------------------------------------
// The header's value

type Format =
  | { kind: 'plain'; prefix: string; suffix: string }
  /**
   * Entries separated by `sep`, each `label kv value` (kv '' : bare signatures); any order,
   * signatures may repeat, unknown labels are ignored. `group`: a second separator between whole
   * groups shaped like the value (one per signature).
   */
  | { kind: 'list'; sep: string; kv: string; labels: { signature: string; timestamp?: string; id?: string }; order: Array<'signature' | 'timestamp' | 'id'>; group?: string };

const KV = ['=', ',', ':'];
const LIST_SEPARATORS = [',', ';', ' ', '&'];

function valueFormat(tokens: Token[], text: string, separator: Definition['separator'], source: string): Format {
  const phs = tokens.filter((t): t is { ph: string } => 'ph' in t);
  const lit = (t: Token | undefined) => (t && 'lit' in t ? t.lit : '');
  if (phs.length === 1 && separator === undefined) {
    const i = tokens.findIndex((t) => 'ph' in t);
    return { kind: 'plain', prefix: lit(tokens[i - 1]), suffix: lit(tokens[i + 1]) };
  }
  const notList = () => bad(source, `"value": ${quote(text)} is neither one signature ("sha256={signature}") nor a list of label=value entries ("t={timestamp},v1={signature}")`);
  // label kv {ph} sep label kv {ph} ...: literals and placeholders alternate, no text after the last.
  const labels: Record<string, string> = {};
  const order: Array<'signature' | 'timestamp' | 'id'> = [];
  let kv: string | undefined;
  let sep: string | undefined;
  let expectLit = true;
  let pendingLabel = '';
  for (const t of tokens) {
    if ('lit' in t) {
      if (!expectLit) throw notList();
      let s = t.lit;
      if (order.length > 0) {
        if (sep === undefined) sep = s[0];
        if (s[0] !== sep || !LIST_SEPARATORS.includes(sep!)) throw notList();
        s = s.slice(1);
      }
      const k = s[s.length - 1];
      if (k === undefined || !KV.includes(k) || (kv !== undefined && k !== kv)) throw notList();
      kv = k;
      pendingLabel = s.slice(0, -1);
      if (!LABEL.test(pendingLabel)) throw notList();
      expectLit = false;
    } else {
      if (expectLit) {
        // A bare "{signature}" with a separator: entries are the signatures themselves.
        if (phs.length === 1 && tokens.length === 1 && separator !== undefined) return { kind: 'list', sep: separator, kv: '', labels: { signature: '' }, order: ['signature'] };
        throw notList();
      }
      if (Object.values(labels).includes(pendingLabel)) throw bad(source, `"value": ${quote(text)} uses the label "${pendingLabel}" twice`);
      labels[t.ph] = pendingLabel;
      order.push(t.ph as 'signature' | 'timestamp' | 'id');
      expectLit = true;
    }
  }
  if (!expectLit) throw notList();
  sep ??= separator;
  if (sep === undefined) throw notList();
  if (sep === kv) throw notList();
  // A "separator" other than the value's own separates groups, each shaped like the value.
  const group = separator !== undefined && separator !== sep ? separator : undefined;
  if (group !== undefined && group === kv) throw bad(source, `"separator": ${quote(separator)} is the "${kv}" between the labels and values of "value"`);
  return { kind: 'list', sep, kv: kv!, labels: labels as { signature: string }, order, ...(group ? { group } : {}) };
}

// ---------------------------------------------------------------------------------------------
// The engine

const BYTES: Record<HmacAlgorithm, number> = { sha1: 20, sha256: 32, sha512: 64 };

/** The exact shape of a digest of `n` bytes in `encoding`. */
function shape(encoding: SignatureEncoding, n: number): RegExp {
  if (encoding === 'hex') return new RegExp(`^[0-9a-fA-F]{${2 * n}}$`);
  const full = Math.floor(n / 3) * 4;
  const rem = n % 3;
  if (encoding === 'base64url') return new RegExp(`^[A-Za-z0-9_-]{${full + (rem === 0 ? 0 : rem + 1)}}${rem === 0 ? '' : `={0,${3 - rem}}`}$`);
  return new RegExp(`^[A-Za-z0-9+/]{${full + (rem === 0 ? 0 : rem + 1)}}${rem === 0 ? '' : '='.repeat(3 - rem)}$`);
}

/** The placeholders of `signs`, as readable words: "{timestamp}.{body}" -> "timestamp.body". */
const readable = (tokens: Token[]) =>
  tokens.map((t) => ('lit' in t ? t.lit : t.ph === 'header' ? t.arg : t.ph === 'url' ? 'URL' : t.ph)).join('');

const SECRET_FORMAT: Record<KeyDecoding, string> = {
  utf8: 'the secret as text (UTF-8)',
  base64: 'base64: the key is the decoded bytes',
  hex: 'hex: the key is the decoded bytes',
  whsec: 'whsec_<base64>: the key is the decoded bytes (prefix optional)',
};

interface Values {
  timestamp?: string;
  id?: string;
  url?: string;
  method?: string;
  /** Lower-cased names. */
  headers: Record<string, string | undefined>;
}

/**
 * A scheme from a definition: signs, verifies (verdicts with the same reasons as the hand-written
 * schemes), and tells diagnosis what to try. `definition` is checked first (a usage WhkError,
 * one line, when it is wrong); `source` names it in messages ("acme.json").
 */
export function defineScheme(definition: Definition | unknown, source?: string): Scheme {
  const def = parseDefinition(definition, source ?? 'definition');
  const name = def.name;
  const H = def.header;
  const h = H.toLowerCase();
  const alg = def.hmac;
  const enc = def.encoding;
  const keyDecoding = def.key ?? 'utf8';
  const signsTokens = tokenize(def.signs ?? '{body}', 'signs', SIGNS_PLACEHOLDERS, name);
  const valueText = def.value ?? '{signature}';
  const format = valueFormat(tokenize(valueText, 'value', VALUE_PLACEHOLDERS, name), valueText, def.separator, name);
  const list = format.kind === 'list' ? format : undefined;
  const plain = format.kind === 'plain' ? format : undefined;

  const tsDef = def.timestamp;
  const tsWhere: 'value' | 'header' | 'body' | undefined = list?.labels.timestamp !== undefined ? 'value' : tsDef?.header ? 'header' : tsDef?.body ? 'body' : undefined;
  const unit = tsDef?.unit ?? 's';
  const tsHeader = tsDef?.header;
  const pointer = tsDef?.body === undefined ? undefined : pointerTokens(tsDef.body);
  const idHeader = def.id?.header;
  const idWhere: 'value' | 'header' | undefined = list?.labels.id !== undefined ? 'value' : idHeader ? 'header' : undefined;
  const signedHeaders = signsTokens.flatMap((t) => ('ph' in t && t.ph === 'header' ? [t.arg!] : []));
  const needsUrl = signsTokens.some((t) => 'ph' in t && t.ph === 'url');
  const signsReadable = readable(signsTokens);
  const over = signsReadable === 'body' ? 'the raw body' : `"${signsReadable}"`;
  const ALG = `HMAC-${alg.toUpperCase()}`;
  const valueReadable = valueText.replace(/\{(\w+)\}/g, '<$1>');
  const unitText = unit === 'ms' ? ' (ms)' : unit === 'iso' ? ' (ISO 8601)' : '';
  const where = tsWhere === 'value' ? `${list!.labels.timestamp}${list!.kv} in ${H}${unitText}` : tsWhere === 'header' ? `${tsHeader} header${unitText}` : `${tsDef?.body} in the JSON body${unitText}`;
  const rule: TimestampRule | null = tsWhere === undefined ? null : {
    where, tolerance: tsDef?.tolerance ?? 300, direction: tsDef?.direction ?? 'both', ...(tsDef?.strict ? { strict: true } : {}),
  };
  const check = `${source ? `custom definition (${source})` : `definition of ${name}`}: ${ALG} ${enc} over ${signsReadable === 'body' ? 'the body' : `"${signsReadable}"`}`;
  const sigShape = shape(enc, BYTES[alg]);
  const digestLength = enc === 'hex' ? 2 * BYTES[alg] : enc === 'base64' ? 4 * Math.ceil(BYTES[alg] / 3) : Math.ceil((4 * BYTES[alg]) / 3);
  const typeAt = def.eventType;
  const idAt = def.eventId ?? (idHeader ? `header:${idHeader}` : undefined);
  const typeLocator = typeAt === undefined ? undefined : locator(typeAt);
  const idLocator = idAt === undefined ? undefined : locator(idAt);
  const normalize = enc === 'hex' ? (s: string) => s.toLowerCase() : enc === 'base64url' ? (s: string) => s.replace(/=+$/, '') : (s: string) => s;

  const key = (secret: Secret): Bytes => {
    if (typeof secret !== 'string') return secret;
    if (keyDecoding === 'utf8') return secret;
    // Whitespace is never part of base64 or hex: a pasted secret's stray newline is dropped.
    let text = secret.trim();
    if (keyDecoding === 'whsec' && text.startsWith('whsec_')) text = text.slice(6);
    const ok = keyDecoding === 'hex' ? /^(?:[0-9a-fA-F]{2})+$/.test(text) : text.length > 0 && text.length % 4 !== 1 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
    if (!ok) {
      throw usage('bad_secret', `secret ${mask(secret)} is not ${keyDecoding === 'hex' ? 'hex' : keyDecoding === 'whsec' ? 'whsec_<base64>' : 'base64'}: ${name} decodes its secret ("key": "${keyDecoding}")`);
    }
    return Buffer.from(text, keyDecoding === 'hex' ? 'hex' : 'base64');
  };

  const digest = (k: Bytes, pre: string, body: Bytes, post: string): string => {
    const m = createHmac(alg, k);
    if (pre !== '') m.update(pre);
    m.update(body);
    if (post !== '') m.update(post);
    return m.digest(enc);
  };

  /** The signed content around the body, for `tokens` (the definition's, or a misassembly). */
  const around = (tokens: Token[], v: Values): [string, string] => {
    const b = tokens.findIndex((t) => 'ph' in t && t.ph === 'body');
    return [side(tokens.slice(0, b))(v), side(tokens.slice(b + 1))(v)];
  };
  // The definition's own, compiled once: the hot path builds two short strings.
  const body = signsTokens.findIndex((t) => 'ph' in t && t.ph === 'body');
  const preOf = side(signsTokens.slice(0, body));
  const postOf = side(signsTokens.slice(body + 1));

  const tag = <V extends Verdict>(v: V): V => {
    v.check = check;
    return v;
  };

  /** Seconds since the epoch from the timestamp's text (NaN when it is not one). */
  const seconds = (text: string): number => {
    const t = text.trim();
    if (unit === 's') return /^\d{1,12}$/.test(t) ? Number(t) : NaN;
    if (unit === 'ms') return /^\d{1,15}$/.test(t) ? Number(t) / 1000 : NaN;
    // ISO 8601; a time without a zone is UTC (Date.parse would take it as local time).
    const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(t);
    if (!m) return NaN;
    // Digits past milliseconds (Twitch sends nanoseconds) are kept as a fraction of a second.
    const frac = m[2] ? Number(`0${m[2]}`) : 0;
    return (Date.parse(`${m[1]}${m[3] ?? 'Z'}`) / 1000) + frac;
  };
  const formatTs = (unixSeconds: number): string =>
    unit === 's' ? String(Math.floor(unixSeconds)) : unit === 'ms' ? String(Math.round(unixSeconds * 1000)) : new Date(unixSeconds * 1000).toISOString();

  /** The body's timestamp field as text, undefined when absent or of the wrong type. */
  const bodyTimestamp = (body: Buffer): string | undefined => {
    const v = at(parseJsonBody(body)?.value, pointer!);
    if (typeof v === 'number' && Number.isFinite(v) && unit !== 'iso') return String(v);
    if (typeof v === 'string') return v;
    return undefined;
  };

  /** Parses the header's value: the signatures (as presented), and the timestamp and id a list carries. */
  // Labels of the list form ("" where there is none: no entry has an empty label).
  const sigLabel = list?.labels.signature ?? '';
  const tsLabel = list?.labels.timestamp ?? '';
  const idLabel = list?.labels.id ?? '';
  const parse = (value: string): { sigs: string[]; ts?: string; id?: string } | string => {
    if (plain) {
      const v = value.trim();
      if (v.length <= plain.prefix.length + plain.suffix.length || !v.startsWith(plain.prefix) || !v.endsWith(plain.suffix)) return `${H} is not "${valueReadable}"`;
      return { sigs: [v.slice(plain.prefix.length, v.length - plain.suffix.length)] };
    }
    // One scan, no intermediate arrays (the hot path of every list-form verify): entries split
    // at the separator (any whitespace run for " "), each trimmed, its label compared in place.
    const f = list!;
    const sigs: string[] = [];
    let tsText: string | undefined;
    let idText: string | undefined;
    const n = value.length;
    let i = 0;
    while (i < n) {
      let end = nextBoundary(value, i, f.sep, f.group);
      if (end === -1) end = n;
      let a = i;
      let z = end;
      while (a < z && isSpace(value.charCodeAt(a))) a++;
      while (z > a && isSpace(value.charCodeAt(z - 1))) z--;
      i = end + 1;
      if (a === z) continue;
      if (f.kv === '') {
        sigs.push(value.slice(a, z));
        continue;
      }
      const k = value.indexOf(f.kv, a);
      if (k <= a || k >= z - 1) continue;
      let le = k;
      while (le > a && isSpace(value.charCodeAt(le - 1))) le--;
      let vs = k + 1;
      while (vs < z && isSpace(value.charCodeAt(vs))) vs++;
      if (vs === z) continue;
      const len = le - a;
      if (len === sigLabel.length && value.startsWith(sigLabel, a)) sigs.push(value.slice(vs, z));
      else if (tsText === undefined && len === tsLabel.length && value.startsWith(tsLabel, a)) tsText = value.slice(vs, z);
      else if (idText === undefined && len === idLabel.length && value.startsWith(idLabel, a)) idText = value.slice(vs, z);
    }
    return { sigs, ts: tsText, id: idText };
  };
  const entry = list ? `${list.labels.signature}${list.kv}<${enc === 'hex' ? 'hex' : enc}>` : '';

  /** A malformed signature, with the diagnosis when it is a digest in another encoding. */
  const malformedSig = (message: string, sig: string): Invalid => {
    const v = invalid(name, 'malformed_header', message);
    const other = (['hex', 'base64', 'base64url'] as const).find((e) => e !== enc && shape(e, BYTES[alg]).test(sig));
    if (other) v.diagnosis = `the value is a ${other}-encoded digest, but ${name} sends ${enc}: encode the HMAC digest as ${enc}`;
    return v;
  };

  const scheme: Scheme = {
    name,
    provider: def.provider ?? name,
    ...(def.docs ? { docs: def.docs } : {}),
    ...(def.checkedBy ? { checkedBy: def.checkedBy } : {}),
    ...(def.aliases ? { aliases: def.aliases } : {}),
    headers: [H, ...(tsHeader ? [tsHeader] : []), ...(idHeader ? [idHeader] : []), ...signedHeaders.filter((x) => ![tsHeader, idHeader].includes(x))],
    algorithm: `${ALG} ${enc} over ${signsReadable === 'body' ? 'the body' : `"${signsReadable}"`}, as "${valueReadable}"${listReadable(list, def.separator)}`,
    timestamp: rule,
    secretFormat: SECRET_FORMAT[keyDecoding],
    multipleSecrets: list !== undefined,
    ...(needsUrl ? { needsUrl: true } : {}),
    contentType: def.contentType ?? 'application/json',
    definition: def,
    ...(source ? { source } : {}),
    keyDecoding,
    keyKind: keyDecoding === 'utf8' ? 'text' : keyDecoding,
    ...(def.handshake ? { handshake: definitionHandshake(def.handshake, def.provider ?? name) } : {}),
    // A top-level numeric body field is rewritten in place when re-signing (replay --resign).
    ...(pointer?.length === 1 && unit !== 'iso' ? { bodyTimestamp: { field: pointer[0]!, unit } } : {}),

    sign(input: SignInput): SignedHeaders {
      const t = tsWhere === 'value' || tsWhere === 'header' ? formatTs(input.timestamp ?? nowSeconds()) : undefined;
      const id = idWhere ? (input.id ?? freshId()) : undefined;
      const given: Record<string, string> = {};
      if (signedHeaders.length > 0) for (const [k, v] of Object.entries(input.headers ?? {})) given[k.toLowerCase()] = v;
      const headers: Record<string, string | undefined> = {};
      const extra: SignedHeaders = {};
      for (const x of signedHeaders) {
        const lower = x.toLowerCase();
        const v = given[lower] ?? (lower === tsHeader?.toLowerCase() ? t : lower === idHeader?.toLowerCase() ? id : undefined);
        if (v === undefined) throw usage('missing_signed_header', `${name} signs the ${x} header: give its value`);
        headers[lower] = v;
        if (lower !== tsHeader?.toLowerCase() && lower !== idHeader?.toLowerCase()) extra[x] = v;
      }
      const values: Values = {
        timestamp: tsWhere === 'body' ? bodyTimestamp(Buffer.isBuffer(input.body) ? input.body : Buffer.from(input.body)) : t,
        id,
        url: needsUrl ? requireUrl(name, input.url, 'the URL it posts to') : undefined,
        method: (input.method ?? 'POST').toUpperCase(),
        headers,
      };
      const pre = preOf(values);
      const post = postOf(values);
      const sigs = (list ? input.secrets : input.secrets.slice(0, 1)).map((s) => digest(key(s), pre, input.body, post));
      let value: string;
      if (plain) value = plain.prefix + sigs[0] + plain.suffix;
      else {
        const f = list!;
        // Every signature in one list, or (groups) the whole value once per signature.
        const entries = (signed: string[]) => f.order
          .map((what) => (what === 'signature' ? signed.map((s) => f.labels.signature + f.kv + s).join(f.sep) : f.labels[what] + f.kv + (what === 'timestamp' ? t : id)))
          .join(f.sep);
        value = f.group === undefined ? entries(sigs) : sigs.map((s) => entries([s])).join(f.group);
      }
      return {
        [H]: value,
        ...(tsWhere === 'header' ? { [tsHeader!]: t! } : {}),
        ...(idWhere === 'header' ? { [idHeader!]: id! } : {}),
        ...extra,
      };
    },

    verify(d: Delivery): Verdict {
      const header = d.headers[h];
      if (header === undefined) return tag(invalid(name, 'missing_header', `no ${H} header`));
      const p = parse(header);
      if (typeof p === 'string') return tag(malformedSig(p, header.trim().slice(plain?.prefix.length ?? 0)));
      let tsText: string | undefined;
      let ts = NaN;
      if (tsWhere === 'value' || tsWhere === 'header') {
        tsText = tsWhere === 'value' ? p.ts : d.headers[tsHeader!.toLowerCase()];
        if (tsText === undefined) {
          return tag(invalid(name, 'missing_timestamp', tsWhere === 'value' ? `${H} has no ${list!.labels.timestamp}${list!.kv}<timestamp> entry` : `no ${tsHeader} header`));
        }
        ts = seconds(tsText);
        if (Number.isNaN(ts)) {
          return tag(invalid(name, 'malformed_header', `${tsWhere === 'value' ? `${list!.labels.timestamp}${list!.kv}"${clip(tsText)}" in ${H}` : `${tsHeader} "${clip(tsText)}"`} is not ${unit === 'iso' ? 'an ISO 8601 time' : `a Unix timestamp in ${unit === 'ms' ? 'milliseconds' : 'seconds'}`}`));
        }
        tsText = tsText.trim();
      }
      const headers: Record<string, string | undefined> = signedHeaders.length === 0 ? NO_HEADERS : {};
      let id: string | undefined;
      if (idWhere !== undefined) {
        id = idWhere === 'value' ? p.id : d.headers[idHeader!.toLowerCase()];
        if (id === undefined) return tag(invalid(name, 'missing_header', idWhere === 'value' ? `${H} has no ${list!.labels.id}${list!.kv}<id> entry` : `no ${idHeader} header`));
      }
      for (const x of signedHeaders) {
        const v = d.headers[x.toLowerCase()];
        if (v === undefined) return tag(invalid(name, 'missing_header', `no ${x} header (${name} signs it)`));
        headers[x.toLowerCase()] = v;
      }
      if (p.sigs.length === 0) return tag(invalid(name, 'malformed_header', `${H} has no ${entry} entry`));
      const good: string[] = [];
      for (const s of p.sigs) if (sigShape.test(s)) good.push(normalize(s));
      if (good.length === 0) {
        return tag(malformedSig(plain ? `${H} is not "${valueReadable.replace('<signature>', `<${digestLength} ${enc === 'hex' ? 'hex digits' : `${enc} characters`}>`)}"` : `${H} has no well-formed ${entry} entry`, p.sigs[0]!));
      }
      const values: Values = {
        timestamp: tsWhere === 'body' ? bodyTimestamp(d.body) : tsText,
        id,
        url: needsUrl ? requireUrl(name, d.url, 'the URL it posts to') : undefined,
        method: (d.method ?? 'POST').toUpperCase(),
        headers,
      };
      const pre = preOf(values);
      const post = postOf(values);
      const index = matchSecret(name, good, d.secrets, (s) => digest(key(s), pre, d.body, post));
      const age = Number.isNaN(ts) ? undefined : d.now - ts;
      if (typeof index !== 'number') return tag(index);
      if (index === -1) return tag(noMatch(name, over, d.secrets.length, age));
      if (tsWhere === 'body') {
        const text = values.timestamp;
        if (text === undefined) return tag(invalid(name, 'missing_timestamp', `the signature matches, but the body has no ${unit === 'iso' ? 'ISO 8601 time' : 'numeric'} ${tsDef!.body} field`));
        ts = seconds(text);
        if (Number.isNaN(ts)) return tag(invalid(name, 'malformed_header', `the signature matches, but ${tsDef!.body} in the body ("${clip(text)}") is not ${unit === 'iso' ? 'an ISO 8601 time' : `a Unix timestamp in ${unit === 'ms' ? 'milliseconds' : 'seconds'}`}`));
      }
      if (rule === null) return tag(valid(name, 'raw body', index));
      return tag(checkTimestamp(scheme, ts, d) ?? valid(name, 'raw body', index, d.now - ts));
    },

    misassemblies(d: Delivery) {
      const header = d.headers[h];
      if (header === undefined) return [];
      const p = parse(header);
      if (typeof p === 'string') return [];
      const presented = p.sigs.map(normalize);
      const headers: Record<string, string | undefined> = {};
      for (const x of signedHeaders) headers[x.toLowerCase()] = d.headers[x.toLowerCase()];
      const values: Values = {
        timestamp: tsWhere === 'value' ? p.ts?.trim() : tsWhere === 'header' ? d.headers[tsHeader!.toLowerCase()]?.trim() : tsWhere === 'body' ? bodyTimestamp(d.body) : undefined,
        id: idWhere === 'value' ? p.id : idWhere === 'header' ? d.headers[idHeader!.toLowerCase()] : undefined,
        url: d.url,
        method: (d.method ?? 'POST').toUpperCase(),
        headers,
      };
      return misassembled(signsTokens).map(([tokens, explain]) => {
        const [pre, post] = around(tokens, values);
        return {
          explain: `${explain}: ${name} signs "${signsReadable}"`,
          matches: d.secrets.some((s) => {
            try {
              const want = digest(key(s), pre, d.body, post);
              return presented.some((x) => safeEqual(x, want));
            } catch (e) {
              if (e instanceof WhkError) return false;
              throw e;
            }
          }),
        };
      });
    },

    eventInfo: (hs, json) => ({ type: typeLocator?.(hs, json), id: idLocator?.(hs, json) }),
  };
  return scheme;
}

const clip = (s: string, n = 40) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** How a list value repeats, for `whk schemes`: ", space-separated list; v1 may repeat". */
function listReadable(list: Extract<Format, { kind: 'list' }> | undefined, separator: string | undefined): string {
  if (!list) return '';
  if (list.group !== undefined) return `, one group per signature, groups separated by ${list.group === ' ' ? 'spaces' : `"${list.group}"`}`;
  return (list.sep === ' ' ? ', space-separated list' : '') + (list.order.length > 1 || separator ? `; ${list.labels.signature || 'signatures'} may repeat` : '');
}

const NO_HEADERS: Record<string, string | undefined> = Object.freeze({});

const isSpace = (c: number) => c === 0x20 || c === 0x09;

/** The index of the next space or tab at or after `from`, -1 if none. */
function nextSpace(s: string, from: number): number {
  for (let i = from; i < s.length; i++) if (isSpace(s.charCodeAt(i))) return i;
  return -1;
}

/** Where the list entry starting at `from` ends: the next `sep` (any space for " ") or `group`, -1 if none. */
function nextBoundary(s: string, from: number, sep: string, group: string | undefined): number {
  const at = (c: string) => (c === ' ' ? nextSpace(s, from) : s.indexOf(c, from));
  const a = at(sep);
  if (group === undefined) return a;
  const b = at(group);
  return a === -1 ? b : b === -1 ? a : Math.min(a, b);
}

/** A function that writes `tokens` (no {body} among them) with a delivery's values: a constant where it can. */
function side(tokens: Token[]): (v: Values) => string {
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

/**
 * Signed contents assembled the wrong way, each with what the sender did: the parts in another
 * order, the separators left out, a leading prefix left out, the body alone.
 */
function misassembled(tokens: Token[]): Array<[Token[], string]> {
  const out: Array<[Token[], string]> = [];
  const seen = new Set([readable(tokens)]);
  const add = (t: Token[], why: string) => {
    const r = readable(t);
    if (seen.has(r)) return;
    seen.add(r);
    out.push([t, why]);
  };
  const slots = tokens.flatMap((t, i) => ('ph' in t ? [i] : []));
  const phs = slots.map((i) => tokens[i]!);
  if (phs.length >= 2) {
    for (const order of permutations(phs.length)) {
      const t = tokens.slice();
      order.forEach((from, k) => (t[slots[k]!] = phs[from]!));
      add(t, `the sender signed "${readable(t)}": the parts are in another order`);
    }
    const between = tokens.slice(slots[0], slots[slots.length - 1]! + 1);
    if (between.some((t) => 'lit' in t)) {
      const t = [...tokens.slice(0, slots[0]), ...between.filter((x) => 'ph' in x), ...tokens.slice(slots[slots.length - 1]! + 1)];
      add(t, `the sender joined the parts without the ${[...new Set(between.flatMap((x) => ('lit' in x ? [`"${x.lit}"`] : [])))].join(' and ')} between them`);
    }
  }
  if (slots[0]! > 0) add(tokens.slice(slots[0]), `the sender left out the "${readable(tokens.slice(0, slots[0]))}" prefix`);
  if (tokens.length > 1) add([{ ph: 'body' }], 'the sender signed the body alone');
  return out;
}

/** Orders of n items other than the identity: all of them up to 3 items, adjacent swaps beyond. */
function permutations(n: number): number[][] {
  const id = Array.from({ length: n }, (_, i) => i);
  if (n > 3) {
    return id.slice(1).map((i) => {
      const p = id.slice();
      [p[i - 1], p[i]] = [p[i]!, p[i - 1]!];
      return p;
    });
  }
  const all: number[][] = [];
  const walk = (prefix: number[], rest: number[]) => {
    if (rest.length === 0) {
      if (prefix.some((x, i) => x !== i)) all.push(prefix);
      return;
    }
    rest.forEach((x, i) => walk([...prefix, x], [...rest.slice(0, i), ...rest.slice(i + 1)]));
  };
  walk([], id);
  return all;
}


/** Reads an event type or id where a locator ("/pointer" or "header:Name") says; strings and numbers only. */
function locator(where: string): (headers: Record<string, string>, json: unknown) => string | undefined {
  const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);
  if (where.startsWith('header:')) {
    const name = where.slice(7).toLowerCase();
    return (headers) => text(headers[name]);
  }
  const tokens = pointerTokens(where);
  return (_h, json) => text(at(json, tokens));
}
