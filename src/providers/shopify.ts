import { hmacBase64 } from '../schemes/hmac.js';
import type { Delivery, Scheme, Secret } from '../schemes/types.js';
import { invalid, matchSecret, noMatch, valid, malformed } from '../schemes/verdict.js';
import { uuid } from './ids.js';
import type { Samples } from '../schemes/samples.js';

const SHOP = 'whk-demo.myshopify.com';

/** Shopify: compact JSON, the topic and ids in X-Shopify-* headers. */
/** What the provider sends (whk send, probe). */
const samples: Samples = {
  scheme: 'shopify',
  userAgent: 'Shopify-Captain-Hook',
  // X-Shopify-Webhook-Id: the same on every retry of a delivery, what receivers dedupe on.
  newId: uuid,
  headers: (ctx, s) => ({
    Accept: '*/*',
    'X-Shopify-Topic': s.topic ?? s.event,
    'X-Shopify-Shop-Domain': SHOP,
    'X-Shopify-API-Version': '2024-07',
    'X-Shopify-Webhook-Id': ctx.id,
    'X-Shopify-Event-Id': ctx.delivery,
    'X-Shopify-Triggered-At': ctx.created,
  }),
  events: [
    {
      event: 'orders/create',
      topic: 'orders/create',
      description: 'an order was placed',
      body: (ctx) => JSON.stringify({
        id: 5678901234567,
        admin_graphql_api_id: 'gid://shopify/Order/5678901234567',
        app_id: 580111,
        buyer_accepts_marketing: false,
        confirmation_number: 'WHK7QZ2M4',
        contact_email: 'ada@example.com',
        created_at: ctx.created,
        currency: 'USD',
        current_subtotal_price: '398.00',
        current_total_price: '408.00',
        email: 'ada@example.com',
        financial_status: 'paid',
        fulfillment_status: null,
        name: '#1042',
        order_number: 1042,
        processed_at: ctx.created,
        subtotal_price: '398.00',
        test: true,
        total_price: '408.00',
        total_tax: '0.00',
        customer: { id: 7012345678901, email: 'ada@example.com', first_name: 'Ada', last_name: 'Lovelace' },
        line_items: [
          { id: 13579246801357, name: 'Mechanical keyboard', price: '199.00', product_id: 8123456789012, quantity: 2, sku: 'KB-75-BRN', variant_id: 44123456789012 },
        ],
        shipping_lines: [{ code: 'Standard', price: '10.00', title: 'Standard' }],
      }),
    },
    {
      event: 'app/uninstalled',
      topic: 'app/uninstalled',
      description: 'the app was uninstalled from the shop',
      body: (ctx) => JSON.stringify({ id: 68123456789, name: 'whk demo', email: 'owner@example.com', domain: SHOP, myshopify_domain: SHOP, updated_at: ctx.created }),
    },
  ],
};

const expected = (body: Uint8Array | string) => (secret: Secret) => hmacBase64('sha256', secret, body);

/** Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256(secret, body)>`, no prefix, no timestamp. */
export const shopify: Scheme = {
  samples,
  checkedBy: "docs text: a Python signer written from Shopify's page",
  name: 'shopify',
  provider: 'Shopify',
  docs: 'https://shopify.dev/docs/apps/build/webhooks/subscribe/https',
  secretWhere: "Shopify signs with your app's client secret, or, for webhooks made in the store admin, the key under Settings → Notifications → Webhooks",
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
