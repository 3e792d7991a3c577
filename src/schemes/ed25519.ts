import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { usage } from '../errors.js';
import { toBuffer } from './hmac.js';
import type { Secret } from './types.js';

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Decodes a key given as hex, base64 (optionally behind a `whsk_`/`whpk_` prefix) or PEM. */
function keyBytes(secret: Secret, what: string): Buffer | KeyObject {
  if (typeof secret !== 'string') return toBuffer(secret);
  const s = secret.trim();
  if (s.startsWith('-----BEGIN')) {
    try {
      return s.includes('PRIVATE') ? createPrivateKey(s) : createPublicKey(s);
    } catch {
      throw usage('bad_secret', `${what} is PEM that Node cannot read as an Ed25519 key`);
    }
  }
  const body = s.replace(/^wh(sk|pk)_/, '');
  if (/^[0-9a-fA-F]+$/.test(body) && (body.length === 64 || body.length === 128)) return Buffer.from(body, 'hex');
  const b = Buffer.from(body, 'base64');
  if (b.length === 32 || b.length === 64) return b;
  throw usage('bad_secret', `${what} is not an Ed25519 key: give 32 bytes (64 hex digits or base64), a whsk_/whpk_ key, or PEM`);
}

/** A private key from a 32-byte seed (or a 64-byte seed+public key, libsodium style). */
export function privateKey(secret: Secret): KeyObject {
  const k = keyBytes(secret, 'the signing key');
  if (!Buffer.isBuffer(k)) {
    if (k.type !== 'private') throw usage('bad_secret', 'signing needs the Ed25519 private key, not the public key');
    return k;
  }
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, k.subarray(0, 32)]), format: 'der', type: 'pkcs8' });
}

/**
 * A public key from 32 raw bytes, or derived from a private key. A bare 32-byte value is read as
 * the public key; prefixes (`whsk_`) or 64-byte values mark a private key.
 */
export function publicKey(secret: Secret): KeyObject {
  const isPrivate = typeof secret === 'string' && (secret.startsWith('whsk_') || /PRIVATE/.test(secret));
  const k = keyBytes(secret, 'the verifying key');
  if (!Buffer.isBuffer(k)) return k.type === 'private' ? createPublicKey(k) : k;
  if (isPrivate || k.length === 64) return createPublicKey(privateKey(k));
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, k]), format: 'der', type: 'spki' });
}

export const edSign = (key: KeyObject, message: Buffer): Buffer => sign(null, message, key);

export function edVerify(key: KeyObject, message: Buffer, signature: Buffer): boolean {
  return signature.length === 64 && verify(null, message, key, signature);
}

/** The raw 32-byte public key, hex: what Discord shows as the application's public key. */
export const rawPublicKey = (key: KeyObject): Buffer =>
  (key.export({ format: 'der', type: 'spki' }) as Buffer).subarray(SPKI_PREFIX.length);
