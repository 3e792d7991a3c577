/**
 * whk against the providers' own SDKs, both directions: whk signs and the SDK verifies; the SDK
 * signs and whk verifies. Where an SDK has no signer (Slack, Paddle, Square, Linear, Discord), the
 * other direction is covered by a published vector (vectors.test.ts), by Python (python.test.ts)
 * or, for Ed25519, by WebCrypto here.
 *
 * SDKs that read the real clock are given deliveries signed "now"; to compare edges of the
 * tolerance window, Date alone is faked (vi.useFakeTimers({ toFake: ['Date'] })), never slept on.
 */
import { webcrypto } from 'node:crypto';
import { LinearWebhookClient } from '@linear/sdk/webhooks';
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import { Paddle, Webhooks as PaddleWebhooks } from '@paddle/paddle-node-sdk';
import { verifySlackRequest } from '@slack/bolt';
import { verifyKey } from 'discord-interactions';
import { WebhooksHelper } from 'square';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import twilio from 'twilio';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sign, verify } from '../../src/index.js';
import { ED, NOW, SLACK_SAMPLE_BODY, STD_KEY, STD_OTHER } from './_helpers.js';

const BODIES = [
  ['compact JSON', JSON.stringify({ type: 'invoice.paid', id: 'evt_1', data: { object: { amount: 4200, currency: 'eur' } } })],
  ['non-ASCII JSON', JSON.stringify({ type: 'customer.updated', data: { name: 'Zoë Ångström 🚀', city: 'Zürich', note: '日本語' } })],
  ['indented JSON with a trailing newline', `${JSON.stringify({ type: 'ping', data: { nested: [1, 2, { ok: true }] } }, null, 2)}\n`],
] as const;

const realNow = () => Math.floor(Date.now() / 1000);
const flip = (s: string) => s.replace(/"type"/, '"typf"');
const accepts = (f: () => unknown) => {
  try {
    f();
    return true;
  } catch {
    return false;
  }
};

/** Fakes Date only (timers, promises and I/O stay real) at `seconds`. */
function freezeDate(seconds: number) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(seconds * 1000);
}
afterEach(() => {
  vi.useRealTimers();
});

describe('standardwebhooks (Webhook.sign / Webhook.verify)', () => {
  const sdk = new Webhook(STD_KEY);

  describe.each(BODIES)('%s', (_what, body) => {
    it('whk signs, the SDK verifies', () => {
      const ts = realNow();
      const headers = sign('standard', { body, secrets: [STD_KEY], timestamp: ts, id: 'msg_whk' });
      expect(sdk.verify(body, headers)).toEqual(JSON.parse(body));
    });

    it('the SDK signs, whk verifies', () => {
      const ts = realNow();
      const headers = { 'webhook-id': 'msg_sdk', 'webhook-timestamp': String(ts), 'webhook-signature': sdk.sign('msg_sdk', new Date(ts * 1000), body) };
      expect(verify('standard', { body, headers, secrets: [STD_KEY], now: ts }).reason).toBe('ok');
      expect(verify('auto', { body, headers, secrets: [STD_KEY], now: ts })).toMatchObject({ valid: true, scheme: 'standard' });
    });

    it('both reject a flipped body', () => {
      const ts = realNow();
      const headers = sign('standard', { body, secrets: [STD_KEY], timestamp: ts, id: 'msg_whk' });
      expect(() => sdk.verify(flip(body), headers)).toThrow(/No matching signature/);
      expect(verify('standard', { body: flip(body), headers, secrets: [STD_KEY], now: ts }).reason).toBe('no_match');
    });
  });

  it('the SDK accepts the secret without whsec_ too, like whk', () => {
    const ts = realNow();
    const body = BODIES[0][1];
    const headers = sign('standard', { body, secrets: [STD_KEY.slice(6)], timestamp: ts, id: 'msg_whk' });
    expect(() => sdk.verify(body, headers)).not.toThrow();
  });

  it('rotation: whk signs with two keys; the SDK holding either one verifies', () => {
    const ts = realNow();
    const body = BODIES[0][1];
    const headers = sign('standard', { body, secrets: [STD_OTHER, STD_KEY], timestamp: ts, id: 'msg_rot' });
    expect(() => new Webhook(STD_KEY).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(STD_OTHER).verify(body, headers)).not.toThrow();
  });

  it.each([0, 300, 301, -300, -301, 86_400])('at age %s s, whk and the SDK agree', (age) => {
    freezeDate(NOW);
    const body = BODIES[0][1];
    const headers = sign('standard', { body, secrets: [STD_KEY], timestamp: NOW - age, id: 'msg_edge' });
    const sdkOk = accepts(() => sdk.verify(body, headers));
    expect(verify('standard', { body, headers, secrets: [STD_KEY], now: NOW }).valid).toBe(sdkOk);
    expect(sdkOk).toBe(Math.abs(age) <= 300);
  });
});

describe('standardwebhooks with { format: "raw" } = freepik (the secret text is the key)', () => {
  const secret = 'fpk_live_0123456789abcdef';
  const sdk = new Webhook(secret, { format: 'raw' });

  describe.each(BODIES)('%s', (_what, body) => {
    it('whk signs, the SDK verifies', () => {
      const ts = realNow();
      const headers = sign('freepik', { body, secrets: [secret], timestamp: ts, id: 'msg_whk' });
      expect(sdk.verify(body, headers)).toEqual(JSON.parse(body));
    });

    it('the SDK signs, whk verifies (and auto-detection names freepik)', () => {
      const ts = realNow();
      const headers = { 'webhook-id': 'msg_sdk', 'webhook-timestamp': String(ts), 'webhook-signature': sdk.sign('msg_sdk', new Date(ts * 1000), body) };
      expect(verify('freepik', { body, headers, secrets: [secret], now: ts }).reason).toBe('ok');
      expect(verify('auto', { body, headers, secrets: [secret], now: ts })).toMatchObject({ valid: true, scheme: 'freepik' });
    });
  });

  it('interop note: for a non-ASCII secret the SDK takes UTF-16 code units as key bytes, whk (like the seed prose and Python) UTF-8', () => {
    const ts = realNow();
    const body = BODIES[0][1];
    const headers = sign('freepik', { body, secrets: ['sécret'], timestamp: ts, id: 'msg_whk' });
    expect(() => new Webhook('sécret', { format: 'raw' }).verify(body, headers)).toThrow(/No matching signature/);
    expect(() => new Webhook(new TextEncoder().encode('sécret'), { format: 'raw' }).verify(body, headers)).not.toThrow();
  });
});

describe('svix@1 (svix-* headers)', () => {
  const sdk = new SvixWebhook(STD_KEY);

  describe.each(BODIES)('%s', (_what, body) => {
    it('whk signs, the SDK verifies', () => {
      const headers = sign('svix', { body, secrets: [STD_KEY], timestamp: realNow(), id: 'msg_whk' });
      expect(Object.keys(headers).every((h) => h.startsWith('svix-'))).toBe(true);
      expect(sdk.verify(body, headers)).toEqual(JSON.parse(body));
    });

    it('the SDK signs, whk verifies', () => {
      const ts = realNow();
      const headers = { 'svix-id': 'msg_sdk', 'svix-timestamp': String(ts), 'svix-signature': sdk.sign('msg_sdk', new Date(ts * 1000), body) };
      expect(verify('svix', { body, headers, secrets: [STD_KEY], now: ts }).reason).toBe('ok');
      expect(verify('auto', { body, headers, secrets: [STD_KEY], now: ts })).toMatchObject({ valid: true, scheme: 'svix' });
    });
  });

  it.each([300, 301, -300, -301])('at age %s s, whk and the SDK agree', (age) => {
    freezeDate(NOW);
    const body = BODIES[0][1];
    const headers = sign('svix', { body, secrets: [STD_KEY], timestamp: NOW - age, id: 'msg_edge' });
    expect(verify('svix', { body, headers, secrets: [STD_KEY], now: NOW }).valid).toBe(accepts(() => sdk.verify(body, headers)));
  });
});

describe('stripe (webhooks.generateTestHeaderString / constructEvent)', () => {
  const stripe = new Stripe('sk_test_whk_not_used_for_requests');
  const secret = 'whsec_test_0123456789abcdefghijklmnop';

  describe.each(BODIES)('%s', (_what, body) => {
    it('whk signs, constructEvent accepts', () => {
      const ts = realNow();
      const h = sign('stripe', { body, secrets: [secret], timestamp: ts })['Stripe-Signature']!;
      expect(stripe.webhooks.constructEvent(body, h, secret, 300, undefined, ts * 1000)).toEqual(JSON.parse(body));
    });

    it('generateTestHeaderString signs, whk verifies', () => {
      const ts = realNow();
      const h = stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: ts });
      expect(verify('stripe', { body, headers: { 'Stripe-Signature': h }, secrets: [secret], now: ts }).reason).toBe('ok');
      expect(verify('auto', { body, headers: { 'stripe-signature': h }, secrets: [secret], now: ts })).toMatchObject({ valid: true, scheme: 'stripe' });
    });

    it('both reject a flipped body', () => {
      const h = stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: NOW });
      expect(() => stripe.webhooks.constructEvent(flip(body), h, secret, 300, undefined, NOW * 1000)).toThrow(/No signatures found matching/);
      expect(verify('stripe', { body: flip(body), headers: { 'Stripe-Signature': h }, secrets: [secret], now: NOW }).reason).toBe('no_match');
    });
  });

  it('rotation: whk signs with two secrets; constructEvent with either one accepts', () => {
    const body = BODIES[0][1];
    const h = sign('stripe', { body, secrets: ['whsec_old', secret], timestamp: NOW })['Stripe-Signature']!;
    for (const s of ['whsec_old', secret]) expect(accepts(() => stripe.webhooks.constructEvent(body, h, s, 300, undefined, NOW * 1000))).toBe(true);
  });

  it.each([0, 300, 301, -301, -86_400, 86_400])('at age %s s (receivedAt given), whk and constructEvent agree', (age) => {
    const body = BODIES[0][1];
    const h = stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: NOW - age });
    const sdkOk = accepts(() => stripe.webhooks.constructEvent(body, h, secret, 300, undefined, NOW * 1000));
    expect(verify('stripe', { body, headers: { 'Stripe-Signature': h }, secrets: [secret], now: NOW }).valid).toBe(sdkOk);
  });
});

describe('@octokit/webhooks-methods (sign / verify)', () => {
  const secret = "It's a Secret to Everybody";

  describe.each(BODIES)('%s', (_what, body) => {
    it('whk signs, octokit verifies', async () => {
      const h = sign('github', { body, secrets: [secret] });
      expect(await octokitVerify(secret, body, h['X-Hub-Signature-256']!)).toBe(true);
    });

    it('octokit signs, whk verifies', async () => {
      const sig = await octokitSign(secret, body);
      expect(verify('github', { body, headers: { 'X-Hub-Signature-256': sig }, secrets: [secret] }).reason).toBe('ok');
    });

    it('both reject a flipped body', async () => {
      const sig = await octokitSign(secret, body);
      expect(await octokitVerify(secret, flip(body), sig)).toBe(false);
      expect(verify('github', { body: flip(body), headers: { 'X-Hub-Signature-256': sig }, secrets: [secret] }).reason).toBe('no_match');
    });
  });

  it("octokit reproduces GitHub's published vector, as whk does", async () => {
    expect(await octokitSign(secret, 'Hello, World!')).toBe('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
  });
});

describe('@slack/bolt (verifySlackRequest; it has no signer)', () => {
  const secret = '8f742231b10e8888abcd99yyyzzz85a5';
  const bolt = (body: string, h: Record<string, string>, nowSeconds: number) =>
    accepts(() => verifySlackRequest({
      signingSecret: secret,
      body,
      headers: { 'x-slack-signature': h['X-Slack-Signature']!, 'x-slack-request-timestamp': Number(h['X-Slack-Request-Timestamp']) },
      nowMilliseconds: nowSeconds * 1000,
    }));

  describe.each([...BODIES, ['the docs slash-command sample', SLACK_SAMPLE_BODY] as const])('%s', (_what, body) => {
    it('whk signs, bolt verifies', () => {
      const ts = realNow();
      expect(bolt(body, sign('slack', { body, secrets: [secret], timestamp: ts }), ts)).toBe(true);
    });

    it('both reject a flipped body', () => {
      const h = sign('slack', { body, secrets: [secret], timestamp: NOW });
      const changed = `${body}x`;
      expect(bolt(changed, h, NOW)).toBe(false);
      expect(verify('slack', { body: changed, headers: h, secrets: [secret], now: NOW }).reason).toBe('no_match');
    });
  });

  it("bolt accepts the docs' signature, as whk does", () => {
    const h = { 'X-Slack-Signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503', 'X-Slack-Request-Timestamp': '1531420618' };
    expect(bolt(SLACK_SAMPLE_BODY, h, 1531420618)).toBe(true);
  });

  it.each([0, 300, 301, -301, -86_400])('at age %s s (nowMilliseconds given), whk and bolt agree', (age) => {
    const body = BODIES[0][1];
    const h = sign('slack', { body, secrets: [secret], timestamp: NOW - age });
    expect(verify('slack', { body, headers: h, secrets: [secret], now: NOW }).valid).toBe(bolt(body, h, NOW));
  });
});

describe('@paddle/paddle-node-sdk (Webhooks.unmarshal / isSignatureValid; it has no signer)', () => {
  const secret = 'pdl_ntfset_01hx_whk_test_secret';
  const paddle = new Paddle('pdl_sdbx_apikey_not_used_for_requests');
  const event = (extra: object = {}) => JSON.stringify({
    event_id: 'evt_01', event_type: 'whk.test', occurred_at: '2023-11-14T22:13:20.000Z', notification_id: 'ntf_01', data: { note: 'whk-test' }, ...extra,
  });

  it.each([
    ['compact JSON', event()],
    ['non-ASCII JSON', event({ data: { name: 'Zoë 🚀' } })],
  ])('%s: whk signs "now", unmarshal accepts and parses', async (_what, body) => {
    const h = sign('paddle', { body, secrets: [secret], timestamp: realNow() })['Paddle-Signature']!;
    const parsed = await paddle.webhooks.unmarshal(body, secret, h);
    expect(parsed).toMatchObject({ eventId: 'evt_01', eventType: 'whk.test' });
  });

  it('both reject a flipped body', async () => {
    const body = event();
    const h = sign('paddle', { body, secrets: [secret], timestamp: NOW })['Paddle-Signature']!;
    freezeDate(NOW);
    expect(await new PaddleWebhooks().isSignatureValid(body.replace('whk-test', 'whk-tesu'), secret, h)).toBe(false);
    expect(verify('paddle', { body: body.replace('whk-test', 'whk-tesu'), headers: { 'Paddle-Signature': h }, secrets: [secret], now: NOW }).reason).toBe('no_match');
  });

  it('interop note: the SDK reads only the last h1, so a two-secret header verifies only with the second secret', async () => {
    freezeDate(NOW);
    const body = event();
    const h = sign('paddle', { body, secrets: ['pdl_old', secret], timestamp: NOW })['Paddle-Signature']!;
    expect(h.split(';').filter((p) => p.startsWith('h1='))).toHaveLength(2);
    expect(await new PaddleWebhooks().isSignatureValid(body, secret, h)).toBe(true);
    expect(await new PaddleWebhooks().isSignatureValid(body, 'pdl_old', h)).toBe(false);
    expect(verify('paddle', { body, headers: { 'Paddle-Signature': h }, secrets: ['pdl_old'], now: NOW }).reason).toBe('ok');
  });

  it.each([0, 5, 6, -60, 300])('at age %s s (Date frozen), whk and the SDK agree', async (age) => {
    freezeDate(NOW);
    const body = event();
    const h = sign('paddle', { body, secrets: [secret], timestamp: NOW - age })['Paddle-Signature']!;
    const sdkOk = await new PaddleWebhooks().isSignatureValid(body, secret, h);
    expect(verify('paddle', { body, headers: { 'Paddle-Signature': h }, secrets: [secret], now: NOW }).valid).toBe(sdkOk);
  });
});

describe('twilio (getExpectedTwilioSignature / validateRequest / validateRequestWithBody)', () => {
  const token = 'twilio_auth_token_0123';
  const url = 'https://example.com/twilio/voice?tenant=7';
  const PARAMS: Array<[string, Record<string, string | string[]>]> = [
    ['the docs call parameters', { CallSid: 'CA1234567890ABCDE', Caller: '+14158675310', Digits: '1234', From: '+14158675310', To: '+18005551212' }],
    ['non-ASCII text and spaces', { Body: 'Grüße aus Köln, 🚀 & more', From: '+4922100000', MessageSid: 'SM1' }],
    ['a repeated parameter', { MediaUrl: ['https://m/2', 'https://m/1'], NumMedia: '2', MessageSid: 'SM2' }],
    ['a repeated parameter with a repeated value', { Tag: ['b', 'a', 'b'], MessageSid: 'SM3' }],
  ];
  const form = (p: Record<string, string | string[]>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(p)) for (const x of [v].flat()) q.append(k, x);
    return q.toString();
  };

  describe.each(PARAMS)('%s', (_what, params) => {
    it('whk signs, validateRequest accepts', () => {
      const h = sign('twilio', { body: form(params), secrets: [token], url })['X-Twilio-Signature']!;
      expect(twilio.validateRequest(token, h, url, params)).toBe(true);
    });

    it('getExpectedTwilioSignature signs, whk verifies', () => {
      const h = twilio.getExpectedTwilioSignature(token, url, params);
      expect(verify('twilio', { body: form(params), headers: { 'X-Twilio-Signature': h }, secrets: [token], url }).reason).toBe('ok');
    });
  });

  it('a JSON body: validateRequestWithBody accepts what whk signs, and the other way round', () => {
    const body = JSON.stringify({ event: 'whk-test', data: { ü: 1 } });
    const signedUrl = `https://example.com/hook?bodySHA256=${twilio.getExpectedBodyHash(body)}`;
    const h = sign('twilio', { body, secrets: [token], url: signedUrl })['X-Twilio-Signature']!;
    expect(twilio.validateRequestWithBody(token, h, signedUrl, body)).toBe(true);
    const sdk = twilio.getExpectedTwilioSignature(token, signedUrl, {});
    expect(verify('twilio', { body, headers: { 'X-Twilio-Signature': sdk }, secrets: [token], url: signedUrl }).reason).toBe('ok');
    expect(twilio.validateRequestWithBody(token, h, signedUrl, `${body} `)).toBe(false);
    expect(verify('twilio', { body: `${body} `, headers: { 'X-Twilio-Signature': h }, secrets: [token], url: signedUrl }).reason).toBe('no_match');
  });
});

describe('square (WebhooksHelper.verifySignature; it has no signer)', () => {
  const key = 'sq0wss-whk-signature-key';
  const url = 'https://example.com/square/hook';

  describe.each(BODIES)('%s', (_what, body) => {
    it('whk signs, the SDK verifies; a flipped body fails both', async () => {
      const h = sign('square', { body, secrets: [key], url })['x-square-hmacsha256-signature']!;
      expect(await WebhooksHelper.verifySignature({ requestBody: body, signatureHeader: h, signatureKey: key, notificationUrl: url })).toBe(true);
      expect(await WebhooksHelper.verifySignature({ requestBody: flip(body), signatureHeader: h, signatureKey: key, notificationUrl: url })).toBe(false);
      expect(verify('square', { body: flip(body), headers: { 'x-square-hmacsha256-signature': h }, secrets: [key], url }).reason).toBe('no_match');
    });
  });

  it("the SDK accepts the published vector, as whk does", async () => {
    expect(await WebhooksHelper.verifySignature({
      requestBody: '{"data":{"type":"webhooks","id":">id<"}}',
      signatureHeader: 'Cxt7+aTi4rKgcA0bC4g9EHdVtLSDWdqccmL5MvihU4U=',
      signatureKey: 'signature-key',
      notificationUrl: 'https://webhook.site/webhooks',
    })).toBe(true);
  });
});

describe('@linear/sdk/webhooks (LinearWebhookClient.verify; it has no signer)', () => {
  const secret = 'lin_wh_whk_test_secret';
  const client = new LinearWebhookClient(secret);
  const payload = (ms: number, extra: object = {}) => JSON.stringify({ action: 'create', type: 'Issue', data: { title: 'whk-test', ...extra }, webhookTimestamp: ms });

  it.each([
    ['ASCII', {}],
    ['non-ASCII', { title: 'Überprüfung 🚀' }],
  ])('%s: whk signs "now", the client verifies and parses', (_what, extra) => {
    const body = payload(Date.now(), extra);
    const h = sign('linear', { body, secrets: [secret] })['Linear-Signature']!;
    expect(client.verify(Buffer.from(body), h)).toBe(true);
    expect(client.parseData(Buffer.from(body), h)).toEqual(JSON.parse(body));
  });

  it('both reject a flipped body', () => {
    freezeDate(NOW);
    const body = payload(NOW * 1000);
    const h = sign('linear', { body, secrets: [secret] })['Linear-Signature']!;
    const changed = body.replace('whk-test', 'whk-tesu');
    expect(() => client.verify(Buffer.from(changed), h)).toThrow(/Invalid webhook signature/);
    expect(verify('linear', { body: changed, headers: { 'Linear-Signature': h }, secrets: [secret], now: NOW }).reason).toBe('no_match');
  });

  it.each([0, 60, 60.001, -60, -60.001, 3600])('webhookTimestamp %s s old (Date frozen): whk and the client agree', (age) => {
    freezeDate(NOW);
    const body = payload(Math.round((NOW - age) * 1000));
    const h = sign('linear', { body, secrets: [secret] })['Linear-Signature']!;
    const sdkOk = accepts(() => client.verify(Buffer.from(body), h));
    expect(verify('linear', { body, headers: { 'Linear-Signature': h }, secrets: [secret], now: NOW }).valid).toBe(sdkOk);
    expect(sdkOk).toBe(Math.abs(age) <= 60);
  });
});

describe('discord-interactions (verifyKey; it has no signer: WebCrypto signs instead)', () => {
  const interaction = JSON.stringify({ type: 1, id: 'int_1', application_id: 'app_1', token: 'whk-test' });

  it.each([['a PING interaction', interaction] as const, ...BODIES])('%s: whk signs, verifyKey accepts; a flipped body fails both', async (_what, body) => {
    const h = sign('discord', { body, secrets: [ED.seedHex], timestamp: realNow() });
    expect(await verifyKey(body, h['X-Signature-Ed25519']!, h['X-Signature-Timestamp']!, ED.pubHex)).toBe(true);
    const changed = `${body} `;
    expect(await verifyKey(changed, h['X-Signature-Ed25519']!, h['X-Signature-Timestamp']!, ED.pubHex)).toBe(false);
    expect(verify('discord', { body: changed, headers: h, secrets: [ED.pubHex], now: NOW }).reason).toBe('no_match');
  });

  it('WebCrypto signs timestamp + body, whk verifies with the hex public key', async () => {
    const ts = String(realNow());
    const key = await webcrypto.subtle.importKey('pkcs8', ED.privateKey.export({ format: 'der', type: 'pkcs8' }), 'Ed25519', false, ['sign']);
    const sig = Buffer.from(await webcrypto.subtle.sign('Ed25519', key, Buffer.from(ts + interaction))).toString('hex');
    const headers = { 'X-Signature-Ed25519': sig, 'X-Signature-Timestamp': ts };
    expect(await verifyKey(interaction, sig, ts, ED.pubHex)).toBe(true);
    expect(verify('discord', { body: interaction, headers, secrets: [ED.pubHex], now: Number(ts) }).reason).toBe('ok');
    expect(verify('auto', { body: interaction, headers, secrets: [ED.pubHex], now: Number(ts) })).toMatchObject({ valid: true, scheme: 'discord' });
  });
});
