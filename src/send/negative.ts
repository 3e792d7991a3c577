import { randomBytes, generateKeyPairSync } from 'node:crypto';
import { isSignatureHeader } from '../schemes/twins.js';
import type { Scheme, Secret, SignedHeaders } from '../schemes/types.js';

/**
 * Negative modes: deliveries a receiver must refuse (and `duplicate`, which it must accept
 * once more without processing it twice). Each is one small change to a valid delivery.
 */
export type Negative =
  | { kind: 'tamper-body' }
  | { kind: 'tamper-signature' }
  | { kind: 'stale'; ms: number }
  | { kind: 'future'; ms: number }
  | { kind: 'wrong-secret' }
  | { kind: 'no-signature' }
  | { kind: 'duplicate' };


/**
 * The body after signing, with one digit changed (the one nearest the middle, where the payload
 * is, never creating a leading zero, so JSON stays valid and only the signature can tell). A body
 * without digits gets one letter's case flipped; an empty one a space.
 */
export function tamperBody(body: Buffer): { body: Buffer; change: string } {
  const out = Buffer.from(body);
  const mid = body.length >> 1;
  const find = (ok: (c: number) => boolean) => {
    for (let d = 0; d <= mid + 1; d++) {
      for (const i of [mid + d, mid - d - 1]) if (i >= 0 && i < body.length && ok(body[i]!)) return i;
    }
    return -1;
  };
  let i = find((c) => c >= 0x30 && c <= 0x39);
  if (i >= 0) {
    out[i] = body[i] === 0x39 ? 0x38 : body[i]! + 1;
  } else if ((i = find((c) => (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a)) >= 0) {
    out[i] = body[i]! ^ 0x20;
  } else {
    return { body: Buffer.concat([body, Buffer.from(' ')]), change: 'a space appended' };
  }
  return { body: out, change: `byte ${i}: "${String.fromCharCode(body[i]!)}" → "${String.fromCharCode(out[i]!)}"` };
}

/**
 * The signature headers with one character changed in every signature they carry (each run of
 * 16+ hex/base64 characters, at its 6th character: never in the unused bits of base64 padding,
 * so that decoding receivers see different bytes too).
 */
export function tamperSignature(headers: SignedHeaders, known: ReadonlySet<string>): SignedHeaders {
  const out: SignedHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = !isSignatureHeader(name, known) ? value : tamperText(value);
  }
  return out;
}

/**
 * One character changed in every signature `value` carries (see tamperSignature); a value with no
 * such run (a short shared token, GitLab's X-Gitlab-Token) gets its last character changed.
 */
function tamperText(value: string): string {
  // A hex digit becomes another hex digit, anything else another letter, different in any case
  // (a receiver may compare hex case-insensitively: "a" -> "A" would change nothing).
  const other = (c: string) => (/[0-9a-f]/i.test(c) ? (c === '0' ? '1' : '0') : c.toLowerCase() === 'b' ? 'C' : 'B');
  const out = value.replace(/[A-Za-z0-9+/]{16,}/g, (run) => run.slice(0, 5) + other(run[5]!) + run.slice(6));
  if (out !== value || value.length === 0) return out;
  return value.slice(0, -1) + other(value[value.length - 1]!);
}

/**
 * The negative modes of a signature kept inside the body (Scheme.signBody): `tamper` changes one
 * character of it, `strip` removes its text (the field stays, empty), `garbage` replaces it.
 * Returns the new body and where the signature now is.
 */
export function editBodySignature(body: Buffer, span: [number, number], edit: 'tamper' | 'strip' | 'garbage'): { body: Buffer; span: [number, number] } {
  const [from, to] = span;
  const text = body.subarray(from, to).toString('latin1');
  const next = edit === 'tamper' ? tamperText(text) : edit === 'strip' ? '' : 'garbage';
  return { body: Buffer.concat([body.subarray(0, from), Buffer.from(next, 'latin1'), body.subarray(to)]), span: [from, from + next.length] };
}

/** The headers without the signature(s): the id and timestamp headers stay. `known`: signature headers by name (signatureHeaders). */
export function stripSignature(headers: SignedHeaders, known: ReadonlySet<string>): SignedHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !isSignatureHeader(name, known)));
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const randomText = (n: number) => [...randomBytes(n)].map((b) => ALNUM[b % ALNUM.length]).join('');

/**
 * A secret of the same shape as the real one but certainly not it: a receiver must not tell them
 * apart by format, only by the signature. `secret` may be undefined (no secret given).
 */
export function wrongSecret(scheme: Scheme, secret: Secret | undefined): string {
  const s = typeof secret === 'string' ? secret : undefined;
  const kind = scheme.keyKind;
  if (kind === 'rsa' || kind === 'ecdsa') {
    const { privateKey } = kind === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  }
  if (kind === 'ed25519' || s?.startsWith('whsk_') || s?.includes('PRIVATE KEY')) {
    const { privateKey } = generateKeyPairSync('ed25519');
    const seed = (privateKey.export({ format: 'der', type: 'pkcs8' }) as Buffer).subarray(-32);
    return s?.startsWith('whsk_') ? `whsk_${seed.toString('base64')}` : seed.toString('hex');
  }
  if (kind === 'hex' && (!s || /^[0-9a-f]+$/i.test(s))) {
    let out: string;
    do out = randomBytes(Math.max((s?.length ?? 0) >> 1, 32)).toString('hex');
    while (out === s);
    return out;
  }
  if (kind === 'base64' && (!s || /^[A-Za-z0-9+/]+={0,2}$/.test(s))) {
    let out: string;
    do out = randomBytes(Math.max(s ? Buffer.from(s, 'base64').length : 0, 32)).toString('base64');
    while (out === s);
    return out;
  }
  if (s?.startsWith('whsec_') || (!s && kind === 'whsec')) {
    const len = s ? Math.max(Buffer.from(s.slice(6), 'base64').length, 24) : 24;
    return `whsec_${randomBytes(len).toString('base64')}`;
  }
  let out: string;
  do out = randomText(Math.max(s?.length ?? 0, 24));
  while (out === s);
  return out;
}
