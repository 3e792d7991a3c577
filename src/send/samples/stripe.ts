import { stripeId } from './ids.js';
import type { Samples, Sample, SampleContext } from './types.js';

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

export const stripe: Samples = {
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
