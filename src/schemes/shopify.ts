import { shopify as samples } from '../send/samples/shopify.js';
import { hmacBase64 } from './hmac.js';
import type { Delivery, Scheme, Secret } from './types.js';
import { invalid, matchSecret, noMatch, valid, malformed } from './verdict.js';

const expected = (body: Uint8Array | string) => (secret: Secret) => hmacBase64('sha256', secret, body);

/** Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256(secret, body)>`, no prefix, no timestamp. */
export const shopify: Scheme = {
  samples,
  checkedBy: "docs text: a Python signer written from Shopify's page",
  name: 'shopify',
  provider: 'Shopify',
  headers: ['X-Shopify-Hmac-Sha256'],
  algorithm: 'HMAC-SHA256 base64, no prefix',
  timestamp: null,
  secretFormat: "the app's client secret as text (UTF-8)",
  multipleSecrets: false,
  contentType: 'application/json',

  sign: ({ body, secrets }) => ({ 'X-Shopify-Hmac-Sha256': expected(body)(secrets[0]!) }),

  verify(d: Delivery) {
    const header = d.headers['x-shopify-hmac-sha256'];
    if (header === undefined) return invalid('shopify', 'missing_header', 'no X-Shopify-Hmac-Sha256 header');
    if (!/^[A-Za-z0-9+/]{43}=$/.test(header.trim())) return malformed('shopify', 'X-Shopify-Hmac-Sha256 is not 44 base64 characters', header, 'base64');
    const index = matchSecret('shopify', [header.trim()], d.secrets, expected(d.body));
    if (typeof index !== 'number') return index;
    return index === -1 ? noMatch('shopify', 'the raw body', d.secrets.length) : valid('shopify', 'raw body', index);
  },

  eventInfo: (h) => ({ type: h['x-shopify-topic'], id: h['x-shopify-webhook-id'] ?? h['x-shopify-event-id'] }),
};
