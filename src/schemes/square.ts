import { square as samples } from '../send/samples/square.js';
import { hmacBase64 } from './hmac.js';
import { idAndType, requireUrl } from './fields.js';
import type { Delivery, Scheme, Secret } from './types.js';
import { invalid, matchSecret, noMatch, valid, malformed } from './verdict.js';

const expected = (url: string, body: Uint8Array | string) => (secret: Secret) => hmacBase64('sha256', secret, url, body);

/** Square: `x-square-hmacsha256-signature: <base64 HMAC-SHA256(key, notificationUrl + body)>`. */
export const square: Scheme = {
  samples,
  checkedBy: 'SDK square (WebhooksHelper), and its published test vector',
  name: 'square',
  provider: 'Square',
  headers: ['x-square-hmacsha256-signature'],
  algorithm: 'HMAC-SHA256 base64 over notification URL + body',
  timestamp: null,
  secretFormat: 'the subscription signature key as text',
  multipleSecrets: false,
  needsUrl: true,
  contentType: 'application/json',

  sign: ({ body, secrets, url }) => ({ 'x-square-hmacsha256-signature': expected(requireUrl('square', url, 'the notification URL with the body'), body)(secrets[0]!) }),

  verify(d: Delivery) {
    const header = d.headers['x-square-hmacsha256-signature'];
    if (header === undefined) return invalid('square', 'missing_header', 'no x-square-hmacsha256-signature header');
    const url = requireUrl('square', d.url, 'the notification URL with the body');
    if (!/^[A-Za-z0-9+/]{43}=$/.test(header.trim())) return malformed('square', 'x-square-hmacsha256-signature is not 44 base64 characters', header, 'base64');
    const index = matchSecret('square', [header.trim()], d.secrets, expected(url, d.body));
    if (typeof index !== 'number') return index;
    return index === -1 ? noMatch('square', `"${url}" + body`, d.secrets.length) : valid('square', 'URL + raw body', index);
  },

  eventInfo: (_h, json) => idAndType(json, 'type', 'event_id'),
};
