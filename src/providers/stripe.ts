import { hmacHex, nowSeconds } from '../schemes/hmac.js';
import { idAndType } from '../schemes/fields.js';
import { parseParams } from '../schemes/params.js';
import type { Delivery, Scheme, Secret } from '../schemes/types.js';
import { checkTimestamp, invalid, matchSecret, noMatch, parseUnix, valid } from '../schemes/verdict.js';
import { stripeId } from './ids.js';
import type { Samples, Sample, SampleContext } from '../schemes/samples.js';

const API_VERSION = '2024-06-20';
const PI = 'pi_3PqWhkLkdIwHu7ix1yW2sFAx';
const CUSTOMER = 'cus_QhwHkWhkSampLe';

/** A Stripe Event object. Stripe sends it pretty-printed (2 spaces, newlines): keep those bytes. */
const event = (type: string, object: (ctx: SampleContext) => Record<string, unknown>): Sample['body'] => (ctx) =>
  JSON.stringify(
    {
      id: ctx.id,
      object: 'event',
      api_version: API_VERSION,
      created: ctx.createdUnix,
      data: { object: object(ctx) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: 'req_wHkS4mpl3R3qU3', idempotency_key: 'b7f9d2c4-6a1e-4c8f-9d3b-2e5a7c1f0b84' },
      type,
    },
    null,
    2,
  );

const paymentIntent = (ctx: SampleContext, status: string, extra: Record<string, unknown> = {}) => ({
  id: PI,
  object: 'payment_intent',
  amount: 2000,
  amount_capturable: 0,
  amount_received: status === 'succeeded' ? 2000 : 0,
  capture_method: 'automatic_async',
  confirmation_method: 'automatic',
  created: ctx.createdUnix,
  currency: 'usd',
  customer: CUSTOMER,
  description: 'whk sample payment',
  latest_charge: status === 'succeeded' ? 'ch_3PqWhkLkdIwHu7ix1Fh0aXm2' : null,
  livemode: false,
  metadata: { order_id: '6735' },
  payment_method: 'pm_1PqWhkLkdIwHu7ixVisa4242',
  payment_method_types: ['card'],
  receipt_email: 'jenny.rosen@example.com',
  status,
  ...extra,
});

const sample = (type: string, description: string, object: (ctx: SampleContext) => Record<string, unknown>): Sample => ({
  event: type,
  description,
  body: event(type, object),
});

/** What the provider sends (whk send, probe). */
const samples: Samples = {
  scheme: 'stripe',
  userAgent: 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
  contentType: 'application/json; charset=utf-8',
  newId: () => stripeId('evt'),
  headers: () => ({ 'Cache-Control': 'no-cache', Accept: '*/*; q=0.5, application/xml' }),
  events: [
    sample('payment_intent.succeeded', 'a 20.00 USD card payment succeeded', (ctx) => paymentIntent(ctx, 'succeeded')),
    sample('payment_intent.payment_failed', 'a card payment was declined', (ctx) =>
      paymentIntent(ctx, 'requires_payment_method', {
        last_payment_error: { code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.', type: 'card_error' },
      })),
    sample('checkout.session.completed', 'a Checkout session was paid', (ctx) => ({
      id: 'cs_test_a1WhkS4mpl3Ch3ck0utS3ss10n',
      object: 'checkout.session',
      amount_subtotal: 2000,
      amount_total: 2000,
      created: ctx.createdUnix,
      currency: 'usd',
      customer: CUSTOMER,
      customer_details: { email: 'jenny.rosen@example.com', name: 'Jenny Rosen' },
      livemode: false,
      metadata: {},
      mode: 'payment',
      payment_intent: PI,
      payment_status: 'paid',
      status: 'complete',
      success_url: 'https://example.com/success',
    })),
  ],
};

const expected = (t: string, body: Uint8Array | string) => (secret: Secret) => hmacHex('sha256', secret, `${t}.`, body);

/**
 * Stripe: `Stripe-Signature: t=<ts>,v1=<hex>[,v1=..][,v0=..]` over `${t}.${body}`; the `whsec_`
 * string itself is the key (not decoded); only too-old timestamps fail (300 s).
 */
export const stripe: Scheme = {
  samples,
  checkedBy: 'SDK stripe (constructEvent, generateTestHeaderString)',
  forgeryPeer: 'github',
  name: 'stripe',
  provider: 'Stripe',
  docs: 'https://docs.stripe.com/webhooks#verify-manually',
  secretWhere: 'Stripe shows it in the Dashboard under Developers → Webhooks → your endpoint, and stripe listen prints its own',
  popular: true,
  headers: ['Stripe-Signature'],
  algorithm: 'HMAC-SHA256 hex over "t.body", as "t=<ts>,v1=<sig>"; v0 ignored',
  timestamp: { where: 't= in Stripe-Signature', tolerance: 300, direction: 'past' },
  secretFormat: 'whsec_... used as text, prefix included (not base64-decoded)',
  multipleSecrets: true,
  contentType: 'application/json; charset=utf-8',

  sign({ body, secrets, timestamp = nowSeconds() }) {
    const t = String(timestamp);
    return { 'Stripe-Signature': [`t=${t}`, ...secrets.map((s) => `v1=${expected(t, body)(s)}`)].join(',') };
  },

  verify(d: Delivery) {
    const header = d.headers['stripe-signature'];
    if (header === undefined) return invalid('stripe', 'missing_header', 'no Stripe-Signature header');
    const p = parseParams(header, ',');
    const t = p.get('t')?.[0];
    if (t === undefined) return invalid('stripe', 'missing_timestamp', 'Stripe-Signature has no t=<timestamp> element');
    const ts = parseUnix(t);
    if (Number.isNaN(ts)) return invalid('stripe', 'malformed_header', `t="${t.slice(0, 20)}" in Stripe-Signature is not a Unix timestamp`);
    const v1 = p.get('v1') ?? [];
    if (v1.length === 0) return invalid('stripe', 'malformed_header', 'Stripe-Signature has no v1=<hex> element (v0 is not checked)');
    const index = matchSecret('stripe', v1, d.secrets, expected(t, d.body));
    if (typeof index !== 'number') return index;
    if (index === -1) return noMatch('stripe', '"t.body"', d.secrets.length, d.now - ts);
    return checkTimestamp(stripe, ts, d) ?? valid('stripe', 'raw body', index, d.now - ts);
  },

  misassemblies(d) {
    const p = parseParams(d.headers['stripe-signature'] ?? '', ',');
    const t = p.get('t')?.[0] ?? '';
    const v1 = p.get('v1') ?? [];
    const wrong: Array<[Array<Uint8Array | string>, string]> = [
      [[d.body, '.', t], 'the sender signed "body.t": Stripe signs "t.body"'],
      [[t, d.body], 'the sender signed t and the body without the "." between them'],
      [[d.body], 'the sender signed the body alone: Stripe signs "t.body"'],
    ];
    return wrong.map(([parts, explain]) => ({ explain, matches: d.secrets.some((s) => v1.includes(hmacHex('sha256', s, parts[0]!, parts[1], parts[2]))) }));
  },

  eventInfo: (_h, json) => idAndType(json, 'type', 'id'),
};
