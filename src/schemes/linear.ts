import { linear as samples } from '../send/samples/linear.js';
import { bodyNumber } from './fields.js';
import { hmacHex } from './hmac.js';
import type { Delivery, Scheme, Secret } from './types.js';
import { checkTimestamp, invalid, matchSecret, noMatch, valid, malformed } from './verdict.js';

const expected = (body: Uint8Array | string) => (secret: Secret) => hmacHex('sha256', secret, body);

/**
 * Linear: `Linear-Signature: <hex HMAC-SHA256(secret, body)>`; the timestamp is `webhookTimestamp`
 * (milliseconds) inside the signed body, valid within 60 s either way.
 */
export const linear: Scheme = {
  samples,
  checkedBy: 'SDK @linear/sdk',
  bodyTimestamp: { field: 'webhookTimestamp', unit: 'ms' },
  name: 'linear',
  provider: 'Linear',
  headers: ['Linear-Signature'],
  algorithm: 'HMAC-SHA256 hex, no prefix',
  timestamp: { where: 'webhookTimestamp (ms) in the JSON body', tolerance: 60, direction: 'both' },
  secretFormat: 'the webhook signing secret as text (UTF-8)',
  multipleSecrets: false,
  contentType: 'application/json; charset=utf-8',

  sign: ({ body, secrets }) => ({ 'Linear-Signature': expected(body)(secrets[0]!) }),

  verify(d: Delivery) {
    const header = d.headers['linear-signature'];
    if (header === undefined) return invalid('linear', 'missing_header', 'no Linear-Signature header');
    if (!/^[0-9a-f]{64}$/i.test(header.trim())) return malformed('linear', 'Linear-Signature is not 64 hex digits', header, 'hex');
    const index = matchSecret('linear', [header.trim().toLowerCase()], d.secrets, expected(d.body));
    if (typeof index !== 'number') return index;
    if (index === -1) return noMatch('linear', 'the raw body', d.secrets.length);
    const ms = bodyNumber(d.body, 'webhookTimestamp');
    if (ms === undefined) return invalid('linear', 'missing_timestamp', 'the signature matches, but the body has no numeric webhookTimestamp (ms)');
    return checkTimestamp(linear, ms / 1000, d) ?? valid('linear', 'raw body', index, d.now - ms / 1000);
  },

  eventInfo: (h, json) => {
    const o = (json ?? {}) as { type?: unknown; action?: unknown };
    const type = typeof o.type === 'string' ? (typeof o.action === 'string' ? `${o.type}.${o.action}` : o.type) : undefined;
    return { type, id: h['linear-delivery'] };
  },
};
