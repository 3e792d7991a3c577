import { hmacHex } from './hmac.js';
import type { Delivery, Secret, SignedHeaders, Verdict } from './types.js';
import { invalid, malformed, matchSecret, noMatch, valid } from './verdict.js';

/**
 * The `X-Hub-Signature-256` / `X-Hub-Signature` pair that GitHub and Meta send: `sha256=<hex>`,
 * the HMAC of the raw body, and the legacy `sha1=<hex>`, checked only when the SHA-256 one is
 * absent.
 */
const expected = (alg: 'sha256' | 'sha1', body: Uint8Array | string) => (secret: Secret) => `${alg}=${hmacHex(alg, secret, body)}`;

export const hubSign = (body: Uint8Array | string, secret: Secret): SignedHeaders => ({
  'X-Hub-Signature-256': expected('sha256', body)(secret),
  'X-Hub-Signature': expected('sha1', body)(secret),
});

/** The verdict for `scheme`; `hex` is how its malformed message names the digest ("<hex>"). */
export function hubVerify(scheme: string, d: Delivery, hex: string): Verdict {
  const h256 = d.headers['x-hub-signature-256'];
  const h1 = d.headers['x-hub-signature'];
  if (h256 === undefined && h1 === undefined) return invalid(scheme, 'missing_header', 'no X-Hub-Signature-256 header');
  const [alg, name, header, re] = h256 !== undefined
    ? (['sha256', 'X-Hub-Signature-256', h256, /^sha256=[0-9a-f]{64}$/] as const)
    : (['sha1', 'X-Hub-Signature', h1!, /^sha1=[0-9a-f]{40}$/] as const);
  const value = header.trim();
  if (!re.test(value)) return malformed(scheme, `${name} is not "${alg}=${hex}"`, header, 'hex');
  const index = matchSecret(scheme, [value], d.secrets, expected(alg, d.body));
  if (typeof index !== 'number') return index;
  if (index === -1) return noMatch(scheme, 'the raw body', d.secrets.length);
  return valid(scheme, alg === 'sha256' ? 'raw body' : 'raw body (legacy SHA-1 header)', index);
}
