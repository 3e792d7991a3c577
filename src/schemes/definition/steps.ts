/**
 * The compile steps of a definition, each reading its part of the format once: the signed
 * content, the header's value, the timestamp rule, the message id and the HMAC (key decoding,
 * digest shape). compile.ts puts them together; sign-verify.ts runs them on deliveries.
 * A definition reaching these steps has passed the schema and the rules (check.ts), or is one of
 * whk's own (checked by the tests).
 */
import { createHmac } from 'node:crypto';
import { usage } from '../../errors.js';
import { at, parseJsonBody, pointerTokens } from '../fields.js';
import { type Bytes, decodeWhsec, hmacKey, mask } from '../hmac.js';
import type { Invalid, Secret, TimestampRule } from '../types.js';
import { invalid, parseUnix } from '../verdict.js';
import { type List, type Parsed, type Plain, parseList, parsePlain, valueFormat } from './header-value.js';
import type { Definition, KeyDecoding, SignatureEncoding, TimeUnit } from './schema.js';
import { readable, side, SIGNS_PLACEHOLDERS, tokenize, type Token, type Values, VALUE_PLACEHOLDERS } from './template.js';

/** What is signed: the body, with the text a delivery's values give before and after it. */
export interface SignedContent {
  tokens: Token[];
  /** The text before and after the body, compiled once: the hot path builds two short strings. */
  pre(v: Values): string;
  post(v: Values): string;
  /** The {header:Name} headers, as written. */
  headers: string[];
  needsUrl: boolean;
  /** "timestamp.body" */
  readable: string;
}

export function signedContent(def: Definition, name: string): SignedContent {
  const tokens = tokenize(def.signs ?? '{body}', 'signs', SIGNS_PLACEHOLDERS, name);
  const body = tokens.findIndex((t) => 'ph' in t && t.ph === 'body');
  return {
    tokens,
    pre: side(tokens.slice(0, body)),
    post: side(tokens.slice(body + 1)),
    headers: tokens.flatMap((t) => ('ph' in t && t.ph === 'header' ? [t.arg!] : [])),
    needsUrl: tokens.some((t) => 'ph' in t && t.ph === 'url'),
    readable: readable(tokens),
  };
}

/** The signature header's value: one signature (`plain`) or a list. */
export interface HeaderValue {
  /** "t=<timestamp>,v1=<signature>" */
  readable: string;
  plain?: Plain;
  list?: List;
  /** The signatures (and the timestamp and id a list carries), or a sentence saying the value is not of the form. */
  parse(value: string): Parsed | string;
}

export function headerValue(def: Definition, name: string): HeaderValue {
  const text = def.value ?? '{signature}';
  const format = valueFormat(tokenize(text, 'value', VALUE_PLACEHOLDERS, name), text, def.separator, name);
  const readableValue = text.replace(/\{(\w+)\}/g, '<$1>');
  if (format.kind === 'plain') return { readable: readableValue, plain: format, parse: (v) => parsePlain(format, v, def.header, readableValue) };
  return { readable: readableValue, list: format, parse: (v) => parseList(format, v) };
}

/** Where the signed timestamp is, and how it is read, written and judged. */
export interface Timing {
  where: 'value' | 'header' | 'body';
  unit: TimeUnit;
  /** Its header, as written (where: header). */
  header?: string;
  /** Its body field, a JSON pointer as written (where: body), and the pointer's tokens. */
  field?: string;
  pointer?: string[];
  rule: TimestampRule;
  /** What a timestamp must be: "a Unix timestamp in seconds", "an ISO 8601 time". */
  shape: string;
  /** Seconds since the epoch from the timestamp's text (NaN when it is not one). */
  seconds(text: string): number;
  /** The text of a timestamp, from Unix seconds. */
  format(unixSeconds: number): string;
  /** The body's timestamp field as text, undefined when absent or of the wrong type. */
  fromBody(body: Buffer): string | undefined;
}

export function timing(def: Definition, list: List | undefined): Timing | undefined {
  const t = def.timestamp;
  const where = list?.labels.timestamp !== undefined ? 'value' : t?.header ? 'header' : t?.body ? 'body' : undefined;
  if (where === undefined) return undefined;
  const unit = t?.unit ?? 's';
  const unitText = unit === 'ms' ? ' (ms)' : unit === 'iso' ? ' (ISO 8601)' : '';
  const whereText = where === 'value' ? `${list!.labels.timestamp}${list!.kv} in ${def.header}${unitText}` : where === 'header' ? `${t!.header} header${unitText}` : `${t!.body} in the JSON body${unitText}`;
  const pointer = t?.body === undefined ? undefined : pointerTokens(t.body);
  return {
    where,
    unit,
    ...(t?.header ? { header: t.header } : {}),
    ...(t?.body ? { field: t.body, pointer } : {}),
    rule: { where: whereText, tolerance: t?.tolerance ?? 300, direction: t?.direction ?? 'both', ...(t?.strict ? { strict: true } : {}) },
    shape: unit === 'iso' ? 'an ISO 8601 time' : `a Unix timestamp in ${unit === 'ms' ? 'milliseconds' : 'seconds'}`,
    seconds: (text) => seconds(unit, text),
    format: (s) => (unit === 's' ? String(Math.floor(s)) : unit === 'ms' ? String(Math.round(s * 1000)) : new Date(s * 1000).toISOString()),
    fromBody: (body) => {
      const v = at(parseJsonBody(body)?.value, pointer!);
      if (typeof v === 'number' && Number.isFinite(v) && unit !== 'iso') return String(v);
      return typeof v === 'string' ? v : undefined;
    },
  };
}

/** Seconds since the epoch from a timestamp's text in `unit` (NaN when it is not one). */
function seconds(unit: TimeUnit, text: string): number {
  const t = text.trim();
  if (unit === 's') return parseUnix(t);
  if (unit === 'ms') return /^\d{1,15}$/.test(t) ? Number(t) / 1000 : NaN;
  // ISO 8601; a time without a zone is UTC (Date.parse would take it as local time).
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(t);
  if (!m) return NaN;
  // Digits past milliseconds (Twitch sends nanoseconds) are kept as a fraction of a second.
  const frac = m[2] ? Number(`0${m[2]}`) : 0;
  return (Date.parse(`${m[1]}${m[3] ?? 'Z'}`) / 1000) + frac;
}

/** Where the message id {id} is: in the value's list, or a header of its own. */
export interface MessageId {
  where: 'value' | 'header';
  header?: string;
}

export function messageId(def: Definition, list: List | undefined): MessageId | undefined {
  const header = def.id?.header;
  if (list?.labels.id !== undefined) return { where: 'value' };
  return header ? { where: 'header', header } : undefined;
}

const BYTES = { sha1: 20, sha256: 32, sha512: 64 } as const;

/** The HMAC: the key a secret gives, the digest, and the exact shape of a digest in the header. */
export interface Hmac {
  /** "HMAC-SHA256" */
  title: string;
  encoding: SignatureEncoding;
  key(secret: Secret): Bytes;
  digest(key: Bytes, pre: string, body: Bytes, post: string): string;
  shape: RegExp;
  /** Characters of a digest in the header's encoding. */
  length: number;
  /** A presented signature as the digest is written (hex in lower case, base64url without padding). */
  normalize(s: string): string;
  /** A malformed signature, with the diagnosis when it is a digest in another encoding. */
  malformed(message: string, sig: string): Invalid;
}

export function hmacOf(def: Definition, name: string): Hmac {
  const { hmac: alg, encoding: enc } = def;
  const n = BYTES[alg];
  return {
    title: `HMAC-${alg.toUpperCase()}`,
    encoding: enc,
    key: keyDecoder(def.key ?? 'utf8', name),
    digest: (k, pre, body, post) => {
      const m = createHmac(alg, hmacKey(k));
      if (pre !== '') m.update(pre);
      m.update(body);
      if (post !== '') m.update(post);
      return m.digest(enc);
    },
    shape: shape(enc, n),
    length: enc === 'hex' ? 2 * n : enc === 'base64' ? 4 * Math.ceil(n / 3) : Math.ceil((4 * n) / 3),
    normalize: enc === 'hex' ? (s) => s.toLowerCase() : enc === 'base64url' ? (s) => s.replace(/=+$/, '') : (s) => s,
    malformed: (message, sig) => {
      const v = invalid(name, 'malformed_header', message);
      const other = (['hex', 'base64', 'base64url'] as const).find((e) => e !== enc && shape(e, n).test(sig));
      if (other) v.diagnosis = `the value is a ${other}-encoded digest, but ${name} sends ${enc}: encode the HMAC digest as ${enc}`;
      return v;
    },
  };
}

/** The exact shape of a digest of `n` bytes in `encoding`. */
function shape(encoding: SignatureEncoding, n: number): RegExp {
  if (encoding === 'hex') return new RegExp(`^[0-9a-fA-F]{${2 * n}}$`);
  const full = Math.floor(n / 3) * 4;
  const rem = n % 3;
  if (encoding === 'base64url') return new RegExp(`^[A-Za-z0-9_-]{${full + (rem === 0 ? 0 : rem + 1)}}${rem === 0 ? '' : `={0,${3 - rem}}`}$`);
  return new RegExp(`^[A-Za-z0-9+/]{${full + (rem === 0 ? 0 : rem + 1)}}${rem === 0 ? '' : '='.repeat(3 - rem)}$`);
}

/** How a secret becomes the HMAC key; a usage error (bad_secret) when it does not decode. */
function keyDecoder(decoding: KeyDecoding, name: string): (secret: Secret) => Bytes {
  // The same bytes for the same secret: its HMAC key is made once (hmacKey).
  const seen = new Map<string, Bytes>();
  return (secret) => {
    if (typeof secret !== 'string' || decoding === 'utf8') return secret;
    const known = seen.get(secret);
    if (known) return known;
    const key = decodeKey(decoding, name, secret);
    if (seen.size < 64) seen.set(secret, key);
    return key;
  };
}

function decodeKey(decoding: Exclude<KeyDecoding, 'utf8'>, name: string, secret: string): Bytes {
  // Whitespace is never part of base64 or hex: a pasted secret's stray newline is dropped.
  const text = secret.trim();
  // base64 and whsec decode alike; only whsec takes the whsec_ prefix.
  const key = decoding === 'hex' ? (/^(?:[0-9a-fA-F]{2})+$/.test(text) ? Buffer.from(text, 'hex') : undefined)
    : decoding === 'whsec' || !text.startsWith('whsec_') ? decodeWhsec(text) : undefined;
  if (!key) {
    throw usage('bad_secret', `secret ${mask(secret)} is not ${decoding === 'hex' ? 'hex' : decoding === 'whsec' ? 'whsec_<base64>' : 'base64'}: ${name} decodes its secret ("key": "${decoding}")`);
  }
  return key;
}
