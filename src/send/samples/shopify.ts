import { uuid } from './ids.js';
import type { Samples } from './types.js';

const SHOP = 'whk-demo.myshopify.com';

/** Shopify: compact JSON, the topic and ids in X-Shopify-* headers. */
export const shopify: Samples = {
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
