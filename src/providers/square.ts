import { hmacBase64 } from '../schemes/hmac.js';
import { idAndType, requireUrl } from '../schemes/fields.js';
import type { Delivery, Scheme, Secret } from '../schemes/types.js';
import { invalid, matchSecret, noMatch, valid, malformed } from '../schemes/verdict.js';
import { uuid } from './ids.js';
import type { Samples } from '../schemes/samples.js';

/** Square: compact JSON; the signature covers the notification URL + body (whk signs the target URL). */
/** What the provider sends (whk send, probe). */
const samples: Samples = {
  scheme: 'square',
  userAgent: 'Square Connect v2',
  newId: uuid,
  headers: (ctx) => ({
    'square-environment': 'Sandbox',
    'square-initial-delivery-timestamp': ctx.created,
    ...(ctx.attempt > 1 ? { 'square-retry-number': String(ctx.attempt - 1), 'square-retry-reason': 'http_error' } : {}),
  }),
  events: [
    {
      event: 'payment.created',
      description: 'a 1.00 USD card payment was created',
      body: (ctx) => JSON.stringify({
        merchant_id: '6SSW7HV8K2ST5',
        type: 'payment.created',
        event_id: ctx.id,
        created_at: ctx.created,
        data: {
          type: 'payment',
          id: 'KkAkhdMsgzn59SM8A89WgKwekxLZY',
          object: {
            payment: {
              id: 'KkAkhdMsgzn59SM8A89WgKwekxLZY',
              created_at: ctx.created,
              updated_at: ctx.created,
              amount_money: { amount: 100, currency: 'USD' },
              total_money: { amount: 100, currency: 'USD' },
              approved_money: { amount: 100, currency: 'USD' },
              status: 'APPROVED',
              delay_duration: 'PT168H',
              source_type: 'CARD',
              card_details: {
                status: 'AUTHORIZED',
                card: { card_brand: 'MASTERCARD', last_4: '9029', exp_month: 2, exp_year: 2027, card_type: 'CREDIT', prepaid_type: 'NOT_PREPAID', bin: '540988' },
                entry_method: 'KEYED', cvv_status: 'CVV_ACCEPTED', avs_status: 'AVS_ACCEPTED',
              },
              location_id: 'NAQ1FHV6ZJ8YV',
              order_id: '03O3USaPaAaFnI6kkwB1JxGgBsUZY',
              receipt_number: 'KkAk',
              application_details: { square_product: 'ECOMMERCE_API', application_id: 'sq0ids-TcgwhkS4mpl3' },
              version: 0,
            },
          },
        },
      }),
    },
  ],
};

const expected = (url: string, body: Uint8Array | string) => (secret: Secret) => hmacBase64('sha256', secret, url, body);

/** Square: `x-square-hmacsha256-signature: <base64 HMAC-SHA256(key, notificationUrl + body)>`. */
export const square: Scheme = {
  samples,
  checkedBy: 'SDK square (WebhooksHelper), and its published test vector',
  name: 'square',
  provider: 'Square',
  docs: 'https://developer.squareup.com/docs/webhooks/step3validate',
  secretWhere: 'Square shows it as the signature key of the webhook subscription, in the Developer Console under your app → Webhooks',
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
