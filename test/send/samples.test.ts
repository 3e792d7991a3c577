/**
 * Every sample event of every scheme, as `whk send` builds it, verifies with the core, and with
 * the provider's own SDK where one is installed. Envelope facts (Dfns, Linear timestamps = now,
 * provider headers) are checked against the scheme docs.
 */
import { LinearWebhookClient } from '@linear/sdk/webhooks';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { Paddle } from '@paddle/paddle-node-sdk';
import { verifySlackRequest } from '@slack/bolt';
import { verifyKey } from 'discord-interactions';
import { WebhooksHelper } from 'square';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { coreSchemes } from '../../src/providers/core.js';

const providers = coreSchemes.flatMap((s) => (s.samples ? [s.samples] : []));
import { verify } from '../../src/index.js';
import { getScheme } from '../../src/index.js';
import { delivery, secretFor, URL_ } from './_fixtures.js';

const all = providers.flatMap((p) => p.events.map((e) => [p.scheme, e.event] as const));
const nowS = () => Math.floor(Date.now() / 1000);

describe('every scheme has samples', () => {
  it('one provider per scheme, each with at least one event, names unique', () => {
    expect(providers.map((p) => p.scheme).sort()).toEqual(['dfns', 'discord', 'freepik', 'github', 'linear', 'paddle', 'shopify', 'slack', 'square', 'standard', 'stripe', 'svix', 'twilio', 'typeform', 'wealthkernel', 'zoom']);
    for (const p of providers) {
      expect(p.events.length).toBeGreaterThan(0);
      expect(new Set(p.events.map((e) => e.event)).size).toBe(p.events.length);
    }
  });
});

describe.each(all)('%s %s', (scheme, event) => {
  it('verifies with the core, with the scheme content type and a fresh id', () => {
    const d = delivery(scheme, event);
    const v = verify(scheme, { body: d.body, headers: d.headers, secrets: [secretFor(scheme).verify], url: URL_.href });
    expect(v).toMatchObject({ valid: true, reason: 'ok' });
    expect(d.lower['content-type']).toMatch(scheme === 'twilio' ? /^application\/x-www-form-urlencoded/ : /^application\/json/);
    expect(d.lower['user-agent']).toBeTruthy();
    expect(d.ev.id).not.toBe(delivery(scheme, event).ev.id);
    if (scheme !== 'twilio') expect(() => JSON.parse(d.body)).not.toThrow();
  });

  it('the compiled template (load mode) gives the bytes the sample itself gives', () => {
    const d = delivery(scheme, event);
    if (scheme === 'twilio') expect(d.b.compiled).toBe(false);
    else expect(d.b.compiled).toBe(true);
    // Built twice from the same event at the same instant: identical bytes.
    const fixed = delivery(scheme, event, { clock: () => 1_750_000_000_500, id: 'same-id' });
    const again = delivery(scheme, event, { clock: () => 1_750_000_000_500, id: 'same-id' });
    expect(fixed.body.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'T')).toBe(again.body.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'T'));
  });

  it('the event id is where the scheme says receivers find it', () => {
    const d = delivery(scheme, event);
    const info = getScheme(scheme).eventInfo?.(d.lower, scheme === 'twilio' ? Object.fromEntries(new URLSearchParams(d.body)) : JSON.parse(d.body));
    // Zoom bodies carry no id (x-zm-trackingid is whk's); Slack's url_verification has none either.
    if (scheme !== 'zoom' && event !== 'url_verification') expect(info?.id).toBe(d.ev.id);
  });
});

describe('Dfns envelope', () => {
  it.each(providers.find((p) => p.scheme === 'dfns')!.events.map((e) => e.event))('%s: {id, date, kind, data, timestampSent = now, deliveryAttempt}, compact', (event) => {
    const before = nowS();
    const d = delivery('dfns', event);
    const o = JSON.parse(d.body);
    expect(Object.keys(o)).toEqual(['id', 'date', 'kind', 'data', 'timestampSent', 'deliveryAttempt']);
    expect(o.kind).toBe(event);
    expect(o.id).toMatch(/^wh-[0-9a-z]{5}-[0-9a-z]{5}-[0-9a-z]{16}$/);
    expect(Math.abs(o.timestampSent - before)).toBeLessThanOrEqual(1);
    expect(new Date(o.date).toISOString()).toBe(o.date);
    expect(o.deliveryAttempt).toBe(1);
    expect(d.body).toBe(JSON.stringify(o));
    expect(d.lower['x-dfns-webhook-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it('a retry carries deliveryAttempt n + 1, retryOf and the same id, re-signed', () => {
    const d = delivery('dfns');
    const retry = d.b.build(d.ev, 3);
    const o = JSON.parse(retry.body as string);
    expect(o).toMatchObject({ id: d.ev.id, deliveryAttempt: 3, retryOf: d.ev.id, date: JSON.parse(d.body).date });
    const headers: Record<string, string> = {};
    for (let i = 0; i < retry.headers.length; i += 2) headers[retry.headers[i]!] = retry.headers[i + 1]!;
    expect(verify('dfns', { body: retry.body, headers, secrets: [secretFor('dfns').verify] }).valid).toBe(true);
  });

  it('the seed\'s own Node check accepts it: HMAC over JSON.stringify(parsed) and |now - timestampSent| < 300', async () => {
    const { createHmac, timingSafeEqual } = await import('node:crypto');
    const d = delivery('dfns', 'policy.approval.pending');
    const payload = JSON.parse(d.body);
    const sig = `sha256=${createHmac('sha256', secretFor('dfns').sign).update(JSON.stringify(payload)).digest('hex')}`;
    expect(timingSafeEqual(Buffer.from(sig), Buffer.from(d.lower['x-dfns-webhook-signature']!))).toBe(true);
    expect(Math.abs(Date.now() / 1000 - payload.timestampSent)).toBeLessThan(300);
  });
});

describe('provider specifics', () => {
  it('linear: webhookTimestamp is now in ms, Linear-Delivery is the id', () => {
    const d = delivery('linear');
    const o = JSON.parse(d.body);
    expect(Math.abs(o.webhookTimestamp - Date.now())).toBeLessThan(2000);
    expect(d.lower['linear-delivery']).toBe(d.ev.id);
    expect(d.lower['linear-event']).toBe('Issue');
  });

  it('github: X-GitHub-Event and X-GitHub-Delivery, both signature headers', () => {
    const d = delivery('github', 'pull_request.opened');
    expect(d.lower['x-github-event']).toBe('pull_request');
    expect(d.lower['x-github-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(d.lower['user-agent']).toMatch(/^GitHub-Hookshot\//);
    expect(d.lower['x-hub-signature']).toMatch(/^sha1=/);
  });

  it('stripe: the event object, pretty-printed as Stripe sends it', () => {
    const d = delivery('stripe');
    expect(d.body).toBe(JSON.stringify(JSON.parse(d.body), null, 2));
    expect(JSON.parse(d.body)).toMatchObject({ object: 'event', type: 'payment_intent.succeeded', data: { object: { object: 'payment_intent', status: 'succeeded' } } });
  });

  it('shopify: X-Shopify-Topic and webhook id', () => {
    const d = delivery('shopify');
    expect(d.lower['x-shopify-topic']).toBe('orders/create');
    expect(d.lower['x-shopify-webhook-id']).toBe(d.ev.id);
  });
});

describe('official SDKs accept the samples', () => {
  const body = (scheme: string, event?: string) => delivery(scheme, event);

  it('standardwebhooks: Webhook.verify', () => {
    for (const e of providers.find((p) => p.scheme === 'standard')!.events) {
      const d = body('standard', e.event);
      expect(new Webhook(secretFor('standard').verify).verify(d.body, d.lower)).toEqual(JSON.parse(d.body));
    }
  });

  it('standardwebhooks with { format: "raw" }: freepik', () => {
    const d = body('freepik');
    expect(() => new Webhook(secretFor('freepik').verify, { format: 'raw' }).verify(d.body, d.lower)).not.toThrow();
  });

  it('svix: Webhook.verify', () => {
    const d = body('svix');
    expect(new SvixWebhook(secretFor('svix').verify).verify(d.body, d.lower)).toEqual(JSON.parse(d.body));
  });

  it('stripe: webhooks.constructEvent', () => {
    for (const e of providers.find((p) => p.scheme === 'stripe')!.events) {
      const d = body('stripe', e.event);
      const event = new Stripe('sk_test_unused').webhooks.constructEvent(d.body, d.lower['stripe-signature']!, secretFor('stripe').verify);
      expect(event.type).toBe(e.event);
    }
  });

  it('@octokit/webhooks-methods: verify', async () => {
    for (const e of providers.find((p) => p.scheme === 'github')!.events) {
      const d = body('github', e.event);
      expect(await octokitVerify(secretFor('github').verify, d.body, d.lower['x-hub-signature-256']!)).toBe(true);
    }
  });

  it('@slack/bolt: verifySlackRequest', () => {
    const d = body('slack');
    expect(() => verifySlackRequest({
      signingSecret: secretFor('slack').verify,
      body: d.body,
      headers: { 'x-slack-signature': d.lower['x-slack-signature']!, 'x-slack-request-timestamp': Number(d.lower['x-slack-request-timestamp']) },
    })).not.toThrow();
  });

  it('@paddle/paddle-node-sdk: webhooks.unmarshal (5 s tolerance) verifies and parses each into its typed entity', async () => {
    for (const e of providers.find((p) => p.scheme === 'paddle')!.events) {
      const d = body('paddle', e.event);
      const parsed = await new Paddle('pdl_sdbx_apikey_unused').webhooks.unmarshal(d.body, secretFor('paddle').verify, d.lower['paddle-signature']!);
      expect(parsed?.eventType).toBe(e.event);
      expect(parsed?.eventId).toBe(d.ev.id);
    }
  });

  it('square: WebhooksHelper.verifySignature with the target URL', async () => {
    const d = body('square');
    expect(await WebhooksHelper.verifySignature({
      requestBody: d.body, signatureHeader: d.lower['x-square-hmacsha256-signature']!, signatureKey: secretFor('square').verify, notificationUrl: URL_.href,
    })).toBe(true);
  });

  it('twilio: validateRequest with the target URL and the form parameters', () => {
    for (const e of providers.find((p) => p.scheme === 'twilio')!.events) {
      const d = body('twilio', e.event);
      const params = Object.fromEntries(new URLSearchParams(d.body));
      expect(twilio.validateRequest(secretFor('twilio').verify, d.lower['x-twilio-signature']!, URL_.href, params)).toBe(true);
    }
  });

  it('@linear/sdk/webhooks: LinearWebhookClient.verify (60 s tolerance)', () => {
    const d = body('linear');
    expect(new LinearWebhookClient(secretFor('linear').verify).verify(Buffer.from(d.body), d.lower['linear-signature']!)).toBe(true);
  });

  it('discord-interactions: verifyKey with the public key', async () => {
    for (const e of providers.find((p) => p.scheme === 'discord')!.events) {
      const d = body('discord', e.event);
      expect(await verifyKey(d.body, d.lower['x-signature-ed25519']!, d.lower['x-signature-timestamp']!, secretFor('discord').verify)).toBe(true);
    }
  });
});
