import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { usage } from '../errors.js';
import type { Secret } from './types.js';

export type Bytes = Uint8Array | string;

export const toBuffer = (b: Bytes): Buffer =>
  typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/**
 * The key as node:crypto takes it fastest: a KeyObject, made once per secret (importing a string
 * or bytes as a key is a third of the cost of an HMAC of 1 KiB). A few dozen are kept: a run
 * has a handful of secrets.
 */
const byText = new Map<string, KeyObject>();
const byBytes = new WeakMap<Uint8Array, KeyObject>();
const KEYS_KEPT = 64;
export function hmacKey(key: Bytes): KeyObject {
  if (typeof key !== 'string') {
    let k = byBytes.get(key);
    if (!k) byBytes.set(key, (k = createSecretKey(toBuffer(key))));
    return k;
  }
  let k = byText.get(key);
  if (!k) {
    if (byText.size >= KEYS_KEPT) byText.clear();
    byText.set(key, (k = createSecretKey(Buffer.from(key, 'utf8'))));
  }
  return k;
}

/**
 * HMAC over the concatenation of up to three parts, as hex or base64 text. (The hot path: no rest
 * array, and `digest(encoding)` rather than `digest().toString()`, which is ~25% slower.)
 */
function hmacText(encoding: 'hex' | 'base64', algorithm: 'sha256' | 'sha1', key: Bytes, a: Bytes, b?: Bytes, c?: Bytes): string {
  const h = createHmac(algorithm, hmacKey(key)).update(a);
  if (b !== undefined) h.update(b);
  if (c !== undefined) h.update(c);
  return h.digest(encoding);
}
export const hmacHex = (algorithm: 'sha256' | 'sha1', key: Bytes, a: Bytes, b?: Bytes, c?: Bytes) => hmacText('hex', algorithm, key, a, b, c);
export const hmacBase64 = (algorithm: 'sha256' | 'sha1', key: Bytes, a: Bytes, b?: Bytes, c?: Bytes) => hmacText('base64', algorithm, key, a, b, c);

/** Constant-time equality of two strings (different lengths are simply unequal). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The secret's UTF-8 bytes (string secrets), or the bytes themselves. */
export const rawKey = (secret: Secret): Bytes => secret;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The key bytes of a `whsec_<base64>` secret (the prefix is optional; whitespace around it, never
 * part of base64, is dropped), or undefined when it is not base64.
 */
export function decodeWhsec(secret: string): Buffer | undefined {
  // The same Buffer for the same secret: its KeyObject is then made once (hmacKey).
  const known = decoded.get(secret);
  if (known) return known;
  const key = decode(secret);
  if (key && decoded.size < KEYS_KEPT) decoded.set(secret, key);
  return key;
}
const decoded = new Map<string, Buffer>();

function decode(secret: string): Buffer | undefined {
  const trimmed = secret.trim();
  const b64 = trimmed.startsWith('whsec_') ? trimmed.slice(6) : trimmed;
  if (b64.length === 0 || b64.length % 4 === 1 || !BASE64.test(b64)) return undefined;
  return Buffer.from(b64, 'base64');
}

/** Standard Webhooks keys: `whsec_<base64>` decode to the key bytes. Bytes are used as they are. */
export function whsecKey(secret: Secret): Buffer {
  if (typeof secret !== 'string') return toBuffer(secret);
  const key = decodeWhsec(secret);
  if (key) return key;
  throw usage(
    'bad_secret',
    `secret ${mask(secret)} is not base64: Standard Webhooks secrets look like whsec_<base64> (the freepik scheme takes the secret as plain text)`,
  );
}

/** A secret as it may be printed: never in full. */
export function mask(secret: Secret): string {
  if (typeof secret !== 'string') return `<${secret.length} key bytes>`;
  const prefix = /^(whsec_|whsk_|whpk_|sk_|whk_)/.exec(secret)?.[0] ?? '';
  const rest = secret.slice(prefix.length);
  return rest.length <= 8 ? `${prefix}${'*'.repeat(Math.max(rest.length, 3))}` : `${prefix}${rest.slice(0, 4)}…${'*'.repeat(4)}`;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A fresh message id in the style of Svix/Standard Webhooks (`msg_` + base62-ish). */
export function freshId(prefix = 'msg_'): string {
  return prefix + randomBytes(18).toString('base64url').replace(/[-_]/g, 'x');
}

export const b64 = (b: Buffer) => b.toString('base64');
export const hex = (b: Buffer) => b.toString('hex');
