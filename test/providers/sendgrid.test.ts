/**
 * SendGrid's signed Event Webhook: ECDSA P-256 / SHA-256 over timestamp + raw body, base64 DER in
 * X-Twilio-Email-Event-Webhook-Signature. Checked against Twilio SendGrid's own SDK
 * (@sendgrid/eventwebhook) both ways: the SDK verifies whk's signatures, whk verifies the SDK's
 * published test vectors (sendgrid-nodejs, packages/eventwebhook/src/eventwebhook.spec.js) and
 * signatures made by starkbank-ecdsa, the ECDSA library the SDK verifies with.
 * Docs: https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features
 */
import { createPublicKey } from 'node:crypto';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { EventWebhook, EventWebhookHeader } from '@sendgrid/eventwebhook';
import { beforeAll, describe, expect, it } from 'vitest';
import { sign, signDelivery, verify } from '../../src/index.js';
import { getScheme } from '../../src/index.js';
import { secretProblem } from '../../src/schemes/secrets.js';
import { REASONS } from '../../src/schemes/types.js';
import { sendgrid } from '../../src/providers/sendgrid.js';
import { whk } from '../helpers/in-process.js';
import { catalogue, keyPair, sendListenProbe, type KeyFiles } from './_keypairs.js';

const require = createRequire(import.meta.url);
const starkbank = require('starkbank-ecdsa') as {
  PrivateKey: new (curve: unknown) => { publicKey(): { toPem(): string }; toPem(): string };
  Ecdsa: { sign(message: string, key: unknown): { toBase64(): string } };
};
const curves = require('starkbank-ecdsa/ellipticcurve/curve') as { prime256v1: unknown };

// The SDK's published vectors (eventwebhook.spec.js): the dashboard's verification key, a
// signature, a timestamp and the exact body (note the trailing \r\n, and ",\r\n" between events).
const SDK_PUBLIC_KEY = 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==';
const SDK_SIGNATURE = 'MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=';
const SDK_TIMESTAMP = '1600112502';
const SDK_PAYLOAD = `${JSON.stringify([{
  email: 'hello@world.com', event: 'dropped', reason: 'Bounced Address', sg_event_id: 'ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA',
  sg_message_id: 'LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0', 'smtp-id': '<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>', timestamp: 1600112492,
}])}\r\n`;
const SDK_PUBLIC_KEY_MULTIPLE = 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEQ4LIFtWztlsF7skFqOncjD1lun4H5w8XOhyOArHW9RcIx/FfEzx6cikC/yPfUvwaX/JScE7Fc9CJD2afQ9Ok3Q==';
const SDK_SIGNATURE_MULTIPLE = 'MEYCIQC/I4o6vCgqRYrTljjoVWB/GRWNtxeePlLMHr3x9ETeRQIhAIpV+03nREPTTHWSW0wIOA0EoMPdcNgXa70yCaqDJlu5';
const SDK_TIMESTAMP_MULTIPLE = '1619651159';
const SDK_PAYLOAD_MULTIPLE = `${JSON.stringify([
  {
    email: 'invalid@gmail.com', event: 'processed', send_at: 0, sg_event_id: 'cHJvY2Vzc2VkLTE5OTQyMTEyLXFOd0JMZ1BRUWpXNkRKdktRd1NBYnctMA',
    sg_message_id: 'qNwBLgPQQjW6DJvKQwSAbw.filterdrecv-canary-547b64655b-cw6zx-1-6089EA4A-56.0', 'smtp-id': '<qNwBLgPQQjW6DJvKQwSAbw@ismtpd0178p1mdw1.sendgrid.net>', timestamp: 1619651146,
  },
  {
    email: 'invalid@gmail.com', event: 'bounce', ip: '167.89.101.76',
    reason: '552 5.2.2 The email account that you tried to reach is over quota and inactive. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaPerm c17si1130468pgv.34 - gsmtp',
    sg_event_id: 'Ym91bmNlLTAtMTk5NDIxMTItcU53QkxnUFFRalc2REp2S1F3U0Fidy0w', sg_message_id: 'qNwBLgPQQjW6DJvKQwSAbw.filterdrecv-canary-547b64655b-cw6zx-1-6089EA4A-56.0',
    'smtp-id': '<qNwBLgPQQjW6DJvKQwSAbw@ismtpd0178p1mdw1.sendgrid.net>', status: '5.2.2', timestamp: 1619651147, tls: 1, type: 'blocked',
  },
]).split('},{').join('},\r\n{')}\r\n`;

const SIG = 'x-twilio-email-event-webhook-signature';
const TS = 'x-twilio-email-event-webhook-timestamp';
const NOW = 1_732_960_000;

/** What SendGrid's settings show: the public key as base64 DER, no PEM armour. */
const dashboardKey = (publicPem: string) => (createPublicKey(publicPem).export({ format: 'der', type: 'spki' }) as Buffer).toString('base64');

let keys: KeyFiles;
let other: KeyFiles;
let body: string;
beforeAll(async () => {
  await catalogue();
  keys = keyPair('ec', 'sendgrid');
  other = keyPair('ec', 'sendgrid-other');
  body = sendgrid.samples!.events[0]!.body({ id: 'a1b2c3', delivery: 'd', now: NOW, nowMs: NOW * 1000, created: new Date(NOW * 1000).toISOString(), createdUnix: NOW, attempt: 1, url: 'https://example.com/hook' });
});

const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
const signed = (b = body, ts = NOW) => lower(sign('sendgrid', { body: b, secrets: [keys.privatePem], timestamp: ts }));

describe('sendgrid: sign and verify', () => {
  it('is in the catalogue, as a key-pair scheme detected by its signature header', () => {
    const s = getScheme('sendgrid');
    expect(s).toBe(sendgrid);
    expect(s.keyKind).toBe('ecdsa');
    expect(s.checkedBy).toMatch(/^SDK @sendgrid\/eventwebhook/);
    expect(s.headers[0]).toBe(EventWebhookHeader.SIGNATURE());
    expect(s.headers[1]).toBe(EventWebhookHeader.TIMESTAMP());
  });

  it('round trip: the private key signs, the public key verifies (base64 DER as SendGrid shows it, PEM, or the private key itself)', () => {
    const headers = signed();
    expect(headers[TS]).toBe(String(NOW));
    for (const key of [dashboardKey(keys.publicPem), keys.publicPem, keys.privatePem]) {
      const v = verify('sendgrid', { body, headers, secrets: [key], now: NOW + 5 });
      expect(v).toMatchObject({ valid: true, reason: 'ok', matched: 'timestamp + raw body', age: 5 });
    }
  });

  it('the sample is a batch of events as SendGrid sends it: JSON array, ",\\r\\n" between events, a trailing \\r\\n', () => {
    expect(body.endsWith('}]\r\n')).toBe(true);
    expect(body).toContain('},\r\n{');
    const events = JSON.parse(body) as Array<{ event: string; sg_event_id: string }>;
    expect(events.map((e) => e.event)).toEqual(['processed', 'delivered']);
    expect(sendgrid.eventInfo!({}, events)).toEqual({ type: 'processed', id: events[0]!.sg_event_id });
  });

  it('signDelivery leaves the body as it is (the signature is in the headers)', () => {
    const d = signDelivery('sendgrid', { body, secrets: [keys.privatePem], timestamp: NOW });
    expect(Buffer.from(d.body).equals(Buffer.from(body))).toBe(true);
  });
});

describe('sendgrid: independent checks (the SDK, its published vectors, its ECDSA library)', () => {
  const sdk = new EventWebhook();

  it('whk verifies the SDK\'s published vectors (single event and a batch)', () => {
    for (const [key, sig, ts, payload] of [
      [SDK_PUBLIC_KEY, SDK_SIGNATURE, SDK_TIMESTAMP, SDK_PAYLOAD],
      [SDK_PUBLIC_KEY_MULTIPLE, SDK_SIGNATURE_MULTIPLE, SDK_TIMESTAMP_MULTIPLE, SDK_PAYLOAD_MULTIPLE],
    ]) {
      expect(sdk.verifySignature(sdk.convertPublicKeyToECDSA(key!), payload!, sig!, ts!)).toBe(true); // the vector is the SDK's
      const v = verify('sendgrid', { body: payload!, headers: { [SIG]: sig!, [TS]: ts! }, secrets: [key!], now: Number(ts) });
      expect(v, v.message).toMatchObject({ valid: true });
      // One byte less (the trailing newline the SDK's spec warns about) does not verify.
      expect(verify('sendgrid', { body: payload!.slice(0, -1), headers: { [SIG]: sig!, [TS]: ts! }, secrets: [key!], now: Number(ts) }).reason).toBe('no_match');
    }
  });

  it('the SDK verifies whk\'s signatures of every sample, and refuses them for another key or body', () => {
    const publicKey = sdk.convertPublicKeyToECDSA(dashboardKey(keys.publicPem));
    for (const s of sendgrid.samples!.events) {
      const b = s.body({ id: 'x9', delivery: 'd', now: NOW, nowMs: NOW * 1000, created: new Date(NOW * 1000).toISOString(), createdUnix: NOW, attempt: 1, url: 'https://example.com/hook' });
      const h = signed(b);
      expect(sdk.verifySignature(publicKey, b, h[SIG]!, h[TS]!), s.event).toBe(true);
      expect(sdk.verifySignature(publicKey, b.replace('ada@', 'eve@'), h[SIG]!, h[TS]!)).toBe(false);
      expect(sdk.verifySignature(sdk.convertPublicKeyToECDSA(dashboardKey(other.publicPem)), b, h[SIG]!, h[TS]!)).toBe(false);
    }
  });

  it('whk verifies signatures made by starkbank-ecdsa (P-256) with its key as base64 and PEM, and signs with its EC PRIVATE KEY PEM', () => {
    const key = new starkbank.PrivateKey(curves.prime256v1);
    const ts = '1732960123';
    const sig = starkbank.Ecdsa.sign(ts + body, key).toBase64();
    const pem = key.publicKey().toPem();
    const b64 = pem.replace(/-----[A-Z ]+-----|\s/g, '');
    for (const secret of [pem, b64]) {
      expect(verify('sendgrid', { body, headers: { [SIG]: sig, [TS]: ts }, secrets: [secret], now: Number(ts) })).toMatchObject({ valid: true });
    }
    // starkbank writes SEC1 ("EC PRIVATE KEY"): whk signs with it, the SDK verifies.
    const h = lower(sign('sendgrid', { body, secrets: [key.toPem()], timestamp: NOW }));
    expect(sdk.verifySignature(sdk.convertPublicKeyToECDSA(b64), body, h[SIG]!, h[TS]!)).toBe(true);
  });
});

describe('sendgrid: each mutation gives its reason', () => {
  const base = () => ({ body, headers: signed(), secrets: [dashboardKey(keys.publicPem)], now: NOW });
  it.each([
    ['valid', 'ok', (d: ReturnType<typeof base>) => d],
    ['tampered body', 'no_match', (d: ReturnType<typeof base>) => ({ ...d, body: d.body.replace('"delivered"', '"dropped"') })],
    ['tampered signature', 'no_match', (d: ReturnType<typeof base>) => ({ ...d, headers: { ...d.headers, [SIG]: flip(d.headers[SIG]!) } })],
    ['tampered timestamp', 'no_match', (d: ReturnType<typeof base>) => ({ ...d, headers: { ...d.headers, [TS]: String(NOW + 1) } })],
    ['wrong key', 'no_match', (d: ReturnType<typeof base>) => ({ ...d, secrets: [dashboardKey(other.publicPem)] })],
    ['missing signature header', 'missing_header', (d: ReturnType<typeof base>) => ({ ...d, headers: { [TS]: d.headers[TS]! } })],
    ['missing timestamp header', 'missing_timestamp', (d: ReturnType<typeof base>) => ({ ...d, headers: { [SIG]: d.headers[SIG]! } })],
    ['signature not base64', 'malformed_header', (d: ReturnType<typeof base>) => ({ ...d, headers: { ...d.headers, [SIG]: 'garbage!' } })],
    ['signature base64 but not DER', 'malformed_header', (d: ReturnType<typeof base>) => ({ ...d, headers: { ...d.headers, [SIG]: Buffer.alloc(64, 7).toString('base64') } })],
    ['timestamp not a number', 'malformed_header', (d: ReturnType<typeof base>) => ({ ...d, headers: { ...d.headers, [TS]: 'yesterday' } })],
    ['an RSA key given', 'bad_secret', (d: ReturnType<typeof base>) => ({ ...d, secrets: [keyPair('rsa', 'sendgrid-rsa').publicPem] })],
    ['text given as the key', 'bad_secret', (d: ReturnType<typeof base>) => ({ ...d, secrets: ['my-webhook-secret'] })],
    ['stale (a tolerance given)', 'timestamp_too_old', (d: ReturnType<typeof base>) => ({ ...d, now: NOW + 301, tolerance: 300 })],
    ['future (a tolerance given)', 'timestamp_in_future', (d: ReturnType<typeof base>) => ({ ...d, now: NOW - 301, tolerance: 300 })],
    ['stale, no tolerance given: SendGrid has none', 'ok', (d: ReturnType<typeof base>) => ({ ...d, now: NOW + 86_400 })],
  ] as const)('%s → %s', (_name, reason, change) => {
    const v = verify('sendgrid', change(base()));
    expect(v.reason, v.message).toBe(reason);
  });

  it('secrets: a private key signs; the dashboard key and a PEM public key verify but cannot sign; text is refused with the fix', () => {
    expect(secretProblem(sendgrid, keys.privatePem, 'sign')).toBeUndefined();
    expect(secretProblem(sendgrid, dashboardKey(keys.publicPem), 'verify')).toBeUndefined();
    expect(secretProblem(sendgrid, keys.publicPem, 'verify')).toBeUndefined();
    expect(secretProblem(sendgrid, dashboardKey(keys.publicPem), 'sign')).toMatch(/signing needs the EC \(ECDSA\) private key/);
    expect(secretProblem(sendgrid, 'whsec_abc', 'verify')).toMatch(/verifies with the provider's EC \(ECDSA\) public key/);
    expect(secretProblem(sendgrid, 'whsec_abc', 'sign')).toMatch(/signs with an EC \(ECDSA\) private key/);
  });
});

const flip = (b64: string) => b64.slice(0, 10) + (b64[10] === 'A' ? 'B' : 'A') + b64.slice(11);

describe('sendgrid: header parsing (fast-check)', () => {
  it('any header values: a verdict with a known reason, never an exception', () => {
    const key = dashboardKey(keys.publicPem);
    const value = fc.oneof(fc.string(), fc.base64String(), fc.constant(signed()[SIG]!), fc.integer().map(String));
    fc.assert(fc.property(fc.option(value, { nil: undefined }), fc.option(value, { nil: undefined }), fc.string(), (sig, ts, b) => {
      const headers: Record<string, string> = {};
      if (sig !== undefined) headers[SIG] = sig;
      if (ts !== undefined) headers[TS] = ts;
      const v = verify('sendgrid', { body: b, headers, secrets: [key], now: NOW });
      expect(REASONS).toContain(v.reason);
      expect(v.valid).toBe(false);
    }), { numRuns: 300 });
  });
});

describe('sendgrid: the CLI', () => {
  it('whk sign with the private key (PEM file), whk verify with the dashboard key: valid; with another key: exit 1', async () => {
    const bodyFile = join(keys.dir, 'body.json');
    writeFileSync(bodyFile, body);
    const s = await whk(['sign', '--scheme', 'sendgrid', '--secret-file', keys.privateFile, '--body-file', bodyFile, '--timestamp', String(NOW), '--json']);
    expect(s.code, s.stderr).toBe(0);
    const out = JSON.parse(s.stdout) as { headers: Record<string, string> };
    expect(new EventWebhook().verifySignature(new EventWebhook().convertPublicKeyToECDSA(dashboardKey(keys.publicPem)), body, out.headers[EventWebhookHeader.SIGNATURE()]!, String(NOW))).toBe(true);
    const hdr = Object.entries(out.headers).flatMap(([k, v]) => ['--header', `${k}: ${v}`]);
    const ok = await whk(['verify', '--scheme', 'sendgrid', '--secret', dashboardKey(keys.publicPem), ...hdr, '--body-file', bodyFile]);
    expect(ok.stdout, ok.stderr).toMatch(/^✓ valid \(sendgrid/);
    expect(ok.code).toBe(0);
    const auto = await whk(['verify', '--secret-file', keys.publicFile, ...hdr, '--body-file', bodyFile, '--json']);
    expect(JSON.parse(auto.stdout)).toMatchObject({ valid: true, scheme: 'sendgrid' });
    const bad = await whk(['verify', '--scheme', 'sendgrid', '--secret', dashboardKey(other.publicPem), ...hdr, '--body-file', bodyFile]);
    expect(bad.code).toBe(1);
    const pub = await whk(['sign', '--scheme', 'sendgrid', '--secret', dashboardKey(keys.publicPem), '--body', 'x']);
    expect(pub.code).toBe(2);
    expect(pub.stderr).toMatch(/signing needs the EC \(ECDSA\) private key/);
  });

  it('whk send (private key) to whk listen (the dashboard key): 200, --wrong-secret 401; whk probe passes', async () => {
    await sendListenProbe('sendgrid', ['--secret-file', keys.privateFile], ['--secret', dashboardKey(keys.publicPem)], ['', 'bounce', 'open']);
  }, 30_000);
});
