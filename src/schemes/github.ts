import { github as samples } from '../send/samples/github.js';
import { hmacHex } from './hmac.js';
import type { Delivery, Scheme, Secret } from './types.js';
import { invalid, matchSecret, noMatch, valid, malformed } from './verdict.js';

const expected = (alg: 'sha256' | 'sha1', body: Uint8Array | string) => (secret: Secret) => `${alg}=${hmacHex(alg, secret, body)}`;

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>` (and the legacy
 * `X-Hub-Signature: sha1=<hex>`, checked only when the SHA-256 one is absent). No timestamp.
 */
export const github: Scheme = {
  samples,
  checkedBy: "SDK @octokit/webhooks-methods, and the docs' published example",
  detect: ['X-Hub-Signature-256', 'X-Hub-Signature'],
  name: 'github',
  provider: 'GitHub',
  headers: ['X-Hub-Signature-256', 'X-Hub-Signature'],
  algorithm: 'HMAC-SHA256 hex, "sha256=" prefix (legacy SHA-1 in X-Hub-Signature)',
  timestamp: null,
  secretFormat: 'the webhook secret as text (UTF-8)',
  multipleSecrets: false,
  contentType: 'application/json',

  sign: ({ body, secrets }) => ({
    'X-Hub-Signature-256': expected('sha256', body)(secrets[0]!),
    'X-Hub-Signature': expected('sha1', body)(secrets[0]!),
  }),

  verify(d: Delivery) {
    const h256 = d.headers['x-hub-signature-256'];
    const h1 = d.headers['x-hub-signature'];
    if (h256 === undefined && h1 === undefined) return invalid('github', 'missing_header', 'no X-Hub-Signature-256 header');
    const [alg, header, re] = h256 !== undefined
      ? (['sha256', h256, /^sha256=[0-9a-f]{64}$/] as const)
      : (['sha1', h1!, /^sha1=[0-9a-f]{40}$/] as const);
    if (!re.test(header.trim())) {
      return malformed('github', `${alg === 'sha256' ? 'X-Hub-Signature-256' : 'X-Hub-Signature'} is not "${alg}=<hex>"`, header, 'hex');
    }
    const index = matchSecret('github', [header.trim()], d.secrets, expected(alg, d.body));
    if (typeof index !== 'number') return index;
    if (index === -1) return noMatch('github', 'the raw body', d.secrets.length);
    return valid('github', alg === 'sha256' ? 'raw body' : 'raw body (legacy SHA-1 header)', index);
  },

  eventInfo: (h) => ({ type: h['x-github-event'], id: h['x-github-delivery'] }),
};
