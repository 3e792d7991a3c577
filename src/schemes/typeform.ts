import { typeform as samples } from '../send/samples/typeform.js';
import { type Bytes, hmacBase64 } from './hmac.js';
import type { Delivery, Scheme, Secret } from './types.js';
import { invalid, matchSecret, noMatch, valid, malformed } from './verdict.js';

const expected = (body: Bytes) => (secret: Secret) => `sha256=${hmacBase64('sha256', secret, body)}`;

/** Typeform: `Typeform-Signature: sha256=<base64 HMAC-SHA256(secret, raw body)>`; no timestamp. */
export const typeform: Scheme = {
  samples,
  checkedBy: "docs example: the Typeform/Django guide's Python sample, run in the tests",
  name: 'typeform',
  provider: 'Typeform',
  headers: ['Typeform-Signature'],
  algorithm: 'HMAC-SHA256, base64, "sha256=" prefix',
  timestamp: null,
  secretFormat: 'the webhook secret as text (UTF-8)',
  multipleSecrets: false,
  contentType: 'application/json',

  sign: ({ body, secrets }) => ({ 'Typeform-Signature': expected(body)(secrets[0]!) }),

  verify(d: Delivery) {
    const header = d.headers['typeform-signature'];
    if (header === undefined) return invalid('typeform', 'missing_header', 'no Typeform-Signature header');
    if (!/^sha256=[A-Za-z0-9+/]{43}=$/.test(header.trim())) {
      return malformed('typeform', 'Typeform-Signature is not "sha256=<44 base64 characters>"', header, 'base64');
    }
    const index = matchSecret('typeform', [header.trim()], d.secrets, expected(d.body));
    if (typeof index !== 'number') return index;
    return index === -1 ? noMatch('typeform', 'the raw body', d.secrets.length) : valid('typeform', 'raw body', index);
  },

  eventInfo: (_h, json) => {
    const o = json as { event_type?: unknown; event_id?: unknown } | null;
    return { type: typeof o?.event_type === 'string' ? o.event_type : undefined, id: typeof o?.event_id === 'string' ? o.event_id : undefined };
  },
};
