import { hmacHex, nowSeconds } from '../schemes/hmac.js';
import { parseParams } from '../schemes/params.js';
import { idAndType } from '../schemes/fields.js';
import type { Delivery, Scheme, Secret } from '../schemes/types.js';
import { checkTimestamp, invalid, matchSecret, noMatch, parseUnix, valid } from '../schemes/verdict.js';
import { paddleId } from './ids.js';
import type { Samples, Sample, SampleContext } from '../schemes/samples.js';

/**
 * Paddle Billing notifications: `{event_id, event_type, occurred_at, notification_id, data}`,
 * compact JSON. The entities follow Paddle's API reference closely enough that the official
 * Node SDK parses them (its `unmarshal` builds typed objects and fails on missing parts).
 */
const sample = (type: string, description: string, data: (ctx: SampleContext) => unknown): Sample => ({
  event: type,
  description,
  body: (ctx) => JSON.stringify({ event_id: ctx.id, event_type: type, occurred_at: ctx.created, notification_id: 'ntf_01hv8x2acma5hbbf5dc8fkc2sz', data: data(ctx) }),
});

const CUSTOMER = 'ctm_01hv6y1jedq4p1n0yqn5ba3ky4';
const ADDRESS = 'add_01hv8gq3318ktkfengj2r75gfx';
const SUBSCRIPTION = 'sub_01hv8x29kz0t586xy6zn1a62ny';
const PRICE_ID = 'pri_01gsz8x8sawmvhz1pv30nge1ke';
const PRODUCT_ID = 'pro_01gsz4t5hdjse780zja8vvr7jg';
const money = (amount: string) => ({ amount, currency_code: 'USD' });
const monthly = { interval: 'month', frequency: 1 };

const price = (ctx: SampleContext) => ({
  id: PRICE_ID, product_id: PRODUCT_ID, name: 'Monthly (per seat)', description: 'Monthly', type: 'standard',
  billing_cycle: monthly, trial_period: null, tax_mode: 'account_setting', unit_price: money('3000'), unit_price_overrides: [],
  quantity: { minimum: 1, maximum: 100 }, status: 'active', custom_data: null, import_meta: null, created_at: ctx.created, updated_at: ctx.created,
});
const product = (ctx: SampleContext) => ({
  id: PRODUCT_ID, name: 'AeroEdit Pro', description: 'Designed for professional pilots', type: 'standard', tax_category: 'standard',
  image_url: null, custom_data: null, status: 'active', import_meta: null, created_at: ctx.created, updated_at: ctx.created,
});
const totals = { subtotal: '3000', discount: '0', tax: '600', total: '3600', credit: '0', balance: '0', grand_total: '3600', fee: '230', earnings: '2770', currency_code: 'USD' };
const period = (ctx: SampleContext) => ({ starts_at: ctx.created, ends_at: ctx.created });

/** What the provider sends (whk send, probe). */
const samples: Samples = {
  scheme: 'paddle',
  newId: () => paddleId('evt'),
  events: [
    sample('transaction.completed', 'a subscription payment went through', (ctx) => ({
      id: 'txn_01hv8wptq8987qeep44cyrewp9',
      status: 'completed',
      customer_id: CUSTOMER,
      address_id: ADDRESS,
      business_id: null,
      custom_data: null,
      origin: 'subscription_recurring',
      collection_mode: 'automatic',
      subscription_id: SUBSCRIPTION,
      invoice_id: 'inv_01hv8x29nsh54c2pgt0hnq0zkx',
      invoice_number: '325-10566',
      billing_details: null,
      billing_period: period(ctx),
      currency_code: 'USD',
      discount_id: null,
      created_at: ctx.created,
      updated_at: ctx.created,
      billed_at: ctx.created,
      items: [{ price: price(ctx), quantity: 1, proration: null }],
      details: {
        tax_rates_used: [{ tax_rate: '0.2', totals: { subtotal: '3000', discount: '0', tax: '600', total: '3600' } }],
        totals,
        adjusted_totals: { subtotal: '3000', tax: '600', total: '3600', grand_total: '3600', fee: '230', earnings: '2770', currency_code: 'USD' },
        payout_totals: null,
        adjusted_payout_totals: null,
        line_items: [{
          id: 'txnitm_01hv8wt98jahpbm1t1tzr06z6n', price_id: PRICE_ID, quantity: 1, proration: null, tax_rate: '0.2',
          unit_totals: { subtotal: '3000', discount: '0', tax: '600', total: '3600' },
          totals: { subtotal: '3000', discount: '0', tax: '600', total: '3600' },
          product: product(ctx),
        }],
      },
      payments: [{
        payment_attempt_id: '497f776b-851d-4ebf-89ab-8ba0f75d2d6a', payment_method_id: 'paymtd_01hv8wt7jrqjx4s0sqe1q4ksz1',
        stored_payment_method_id: '7c7c2b3d-3d5c-4d8c-9a24-1b8a3e4b6d71', amount: '3600', status: 'captured', error_code: null,
        method_details: { type: 'card', card: { type: 'visa', last4: '4242', expiry_month: 5, expiry_year: 2027, cardholder_name: 'Ada Lovelace' } },
        created_at: ctx.created, captured_at: ctx.created,
      }],
      checkout: { url: 'https://example.com/pay?_ptxn=txn_01hv8wptq8987qeep44cyrewp9' },
    })),
    sample('subscription.canceled', 'a subscription was canceled', (ctx) => ({
      id: SUBSCRIPTION,
      status: 'canceled',
      customer_id: CUSTOMER,
      address_id: ADDRESS,
      business_id: null,
      currency_code: 'USD',
      created_at: ctx.created,
      updated_at: ctx.created,
      started_at: ctx.created,
      first_billed_at: ctx.created,
      next_billed_at: null,
      paused_at: null,
      canceled_at: ctx.created,
      discount: null,
      collection_mode: 'automatic',
      billing_details: null,
      current_billing_period: null,
      billing_cycle: monthly,
      scheduled_change: null,
      items: [{
        status: 'active', quantity: 1, recurring: true, created_at: ctx.created, updated_at: ctx.created,
        previously_billed_at: ctx.created, next_billed_at: null, trial_dates: null, price: price(ctx),
      }],
      custom_data: null,
      import_meta: null,
    })),
  ],
};

const expected = (ts: string, body: Uint8Array | string) => (secret: Secret) => hmacHex('sha256', secret, `${ts}:`, body);

/** Paddle Billing: `Paddle-Signature: ts=<ts>;h1=<hex>` over `${ts}:${body}`; the SDK allows 5 s. */
export const paddle: Scheme = {
  samples,
  checkedBy: 'SDK @paddle/paddle-node-sdk',
  name: 'paddle',
  provider: 'Paddle Billing',
  docs: 'https://developer.paddle.com/webhooks/signature-verification',
  secretWhere: 'Paddle shows it as the secret key of your notification destination, under Developer Tools → Notifications',
  headers: ['Paddle-Signature'],
  algorithm: 'HMAC-SHA256 hex over "ts:body", as "ts=<ts>;h1=<sig>"',
  timestamp: { where: 'ts= in Paddle-Signature', tolerance: 5, direction: 'past' },
  secretFormat: 'the endpoint secret key (pdl_ntfset_...) as text',
  multipleSecrets: true,
  contentType: 'application/json',

  sign({ body, secrets, timestamp = nowSeconds() }) {
    const ts = String(timestamp);
    return { 'Paddle-Signature': [`ts=${ts}`, ...secrets.map((s) => `h1=${expected(ts, body)(s)}`)].join(';') };
  },

  verify(d: Delivery) {
    const header = d.headers['paddle-signature'];
    if (header === undefined) return invalid('paddle', 'missing_header', 'no Paddle-Signature header');
    const p = parseParams(header, ';');
    const tsText = p.get('ts')?.[0];
    if (tsText === undefined) return invalid('paddle', 'missing_timestamp', 'Paddle-Signature has no ts=<timestamp> element');
    const ts = parseUnix(tsText);
    if (Number.isNaN(ts)) return invalid('paddle', 'malformed_header', 'ts= in Paddle-Signature is not a Unix timestamp');
    const h1 = p.get('h1') ?? [];
    if (h1.length === 0) return invalid('paddle', 'malformed_header', 'Paddle-Signature has no h1=<hex> element');
    const index = matchSecret('paddle', h1, d.secrets, expected(tsText, d.body));
    if (typeof index !== 'number') return index;
    if (index === -1) return noMatch('paddle', '"ts:body"', d.secrets.length, d.now - ts);
    return checkTimestamp(paddle, ts, d) ?? valid('paddle', 'raw body', index, d.now - ts);
  },

  eventInfo: (_h, json) => idAndType(json, 'event_type', 'event_id'),
};
