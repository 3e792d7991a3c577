/**
 * Amazon SNS HTTP(S) deliveries: the Signature lives in the JSON body, an RSA signature (SHA1 for
 * SignatureVersion 1, SHA256 for 2) of the string to sign AWS documents at
 * https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html. Checked against
 * a signer/verifier written from that page in Python with the openssl CLI
 * (test/providers/python/amazon-sns.py), both ways, with a self-signed certificate made by openssl;
 * and against the page's own example string to sign. Offline: SigningCertURL is never fetched.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../helpers/registry.js';
import { signDelivery, sign, verify } from '../../src/index.js';
import { getScheme } from '../../src/index.js';
import { secretProblem } from '../../src/schemes/secrets.js';
import { REASONS, type Verdict } from '../../src/schemes/types.js';
import { amazonSns, stringToSign } from '../../src/providers/amazon-sns.js';
import { builder } from '../../src/send/build.js';
import { replayRequest } from '../../src/send/replay.js';
import type { EventRecord } from '../../src/record.js';
import { tamperBody } from '../../src/send/negative.js';
import type { SampleContext } from '../../src/schemes/samples.js';
import { whk } from '../helpers/in-process.js';
import { catalogue, keyPair, openssl, sendListenProbe, tmp, type KeyFiles } from './_keypairs.js';
import { python as signer } from './_python.js';

const python = (mode: 'sign' | 'verify', c: unknown) => signer<Record<string, unknown>>('amazon-sns', c, mode);

const NOW = 1_732_960_000;
const ctx = (id = '7f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b'): SampleContext => ({
  id, delivery: 'd', now: NOW, nowMs: NOW * 1000, created: new Date(NOW * 1000).toISOString(), createdUnix: NOW, attempt: 1, url: 'https://example.com/sns',
});
const sample = (event: string) => amazonSns.samples!.events.find((e) => e.event === event)!.body(ctx());

let key: KeyFiles;
let other: KeyFiles;
let cert: string;
let certFile: string;
beforeAll(async () => {
  await catalogue();
  key = keyPair('rsa', 'sns');
  other = keyPair('rsa', 'sns-other');
  // A self-signed certificate for the key, as SigningCertURL would serve one (made by openssl).
  certFile = join(key.dir, 'cert.pem');
  openssl(['req', '-x509', '-new', '-key', key.privateFile, '-out', certFile, '-days', '2', '-subj', '/CN=sns.us-east-1.amazonaws.com']);
  cert = readFileSync(certFile, 'utf8');
});

const signed = (body: string) => Buffer.from(signDelivery('amazon-sns', { body, secrets: [key.privatePem] }).body).toString('utf8');
const judge = (body: string | Buffer, secrets = [cert], extra: Partial<Parameters<typeof verify>[1]> = {}): Verdict =>
  verify('amazon-sns', { body, headers: { 'x-amz-sns-message-type': 'Notification' }, secrets, now: NOW + 2, ...extra });

describe('amazon-sns: sign and verify', () => {
  it('is in the catalogue (alias sns), detected by x-amz-sns-message-type, its signature in the body', () => {
    expect(getScheme('amazon-sns')).toBe(amazonSns);
    expect(getScheme('sns')).toBe(amazonSns);
    expect(amazonSns.keyKind).toBe('rsa');
    expect(amazonSns.signBody).toBeTypeOf('function');
    expect(amazonSns.checkedBy).toMatch(/^docs text/);
  });

  it.each(['notification', 'subscription-confirmation', 'notification-v2'])('round trip (%s): the private key signs into the body; the certificate, its public key or the private key verify', (event) => {
    const body = signed(sample(event));
    const m = JSON.parse(body) as Record<string, string>;
    expect(m.Signature).toMatch(/^[A-Za-z0-9+/]{300,}={0,2}$/);
    for (const secret of [cert, key.publicPem, key.privatePem]) {
      const v = judge(body, [secret]);
      expect(v, v.message).toMatchObject({ valid: true, reason: 'ok', age: 2 });
      expect((v as { matched: string }).matched).toContain(`the ${m.Type} string to sign (SignatureVersion ${m.SignatureVersion}, ${m.SignatureVersion === '2' ? 'SHA256' : 'SHA1'})`);
    }
  });

  it('signing changes only the Signature: every other byte of the body (SNS\'s " : " layout) stays', () => {
    const raw = sample('notification');
    const body = signed(raw);
    const m = JSON.parse(body) as Record<string, string>;
    expect(body).toBe(raw.replace('"Signature" : ""', `"Signature" : "${m.Signature}"`));
    // Re-signing a signed body replaces the signature in place.
    expect(signed(body)).toBe(body.replace(m.Signature!, JSON.parse(signed(body)).Signature));
  });

  it('headers: sign gives the x-amz-sns-* headers SNS sends (nothing in them is signed)', () => {
    const d = signDelivery('amazon-sns', { body: sample('notification'), secrets: [key.privatePem] });
    const m = JSON.parse(Buffer.from(d.body).toString()) as Record<string, string>;
    expect(d.headers).toEqual({
      'x-amz-sns-message-type': 'Notification', 'x-amz-sns-message-id': m.MessageId, 'x-amz-sns-topic-arn': m.TopicArn,
      'x-amz-sns-subscription-arn': `${m.TopicArn}:5f2a9c1e-7b3d-4e8a-9c6f-1d2e3f4a5b6c`,
    });
    expect(sign('amazon-sns', { body: sample('subscription-confirmation'), secrets: [key.privatePem] })).not.toHaveProperty('x-amz-sns-subscription-arn');
    expect(amazonSns.eventInfo!({}, m)).toEqual({ type: 'Notification', id: m.MessageId });
  });

  it('a body without SignatureVersion is signed as version 1 (written in); a non-SNS body is refused with the reason', () => {
    const body = signed(JSON.stringify({ Type: 'Notification', MessageId: 'm-1', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: 'hi', Timestamp: '2024-01-01T00:00:00.000Z' }));
    expect(JSON.parse(body)).toMatchObject({ SignatureVersion: '1' });
    expect(judge(body).valid).toBe(true);
    expect(() => signed('{"hello":"world"}')).toThrow(/has no Type field/);
    expect(() => signed('[1,2]')).toThrow(/not a JSON object/);
    expect(() => signed(JSON.stringify({ Type: 'SubscriptionConfirmation', MessageId: 'm', TopicArn: 't', Message: 'x', Timestamp: 't' }))).toThrow(/no SubscribeURL field, which a SubscriptionConfirmation signs/);
    expect(amazonSns.bodyNotes!(Buffer.from('{"Type":"Notification"}'))).toEqual([expect.stringMatching(/no SigningCertURL/)]);
  });
});

describe('amazon-sns: independent checks (AWS\'s text, Python + the openssl CLI)', () => {
  it('the string to sign of AWS\'s own example (the page\'s Notification example)', () => {
    const m = {
      Type: 'Notification', MessageId: '4d4dc071-ddbf-465d-bba8-08f81c89da64', TopicArn: 'arn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P',
      Subject: 'My subject', Message: 'My Test Message', Timestamp: '2019-01-31T04:37:04.321Z',
    };
    expect(stringToSign(m)).toEqual({
      text: 'Message\nMy Test Message\nMessageId\n4d4dc071-ddbf-465d-bba8-08f81c89da64\nSubject\nMy subject\nTimestamp\n2019-01-31T04:37:04.321Z\nTopicArn\narn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P\nType\nNotification\n',
    });
  });

  it.each(['notification', 'subscription-confirmation', 'notification-v2'])('openssl verifies whk\'s signature (%s), with the string to sign of the Python reading of the docs', (event) => {
    const body = signed(sample(event));
    const r = python('verify', { body, cert: certFile });
    expect(r.valid).toBe(true);
    // The Message's "\n" is the newline itself in the string to sign (AWS: unescape the values).
    if (event === 'subscription-confirmation') expect(r.stringToSign).toContain('included in this message.\nMessageId\n');
    // And openssl refuses it for a changed field.
    const changed = JSON.parse(body);
    changed.Message += '!';
    expect(python('verify', { body: JSON.stringify(changed), cert: certFile }).valid).toBe(false);
  });

  it.each([['1'], ['2']])('whk verifies what openssl signed (SignatureVersion %s), with the certificate and with its public key', (version) => {
    for (const message of [
      { Type: 'Notification', MessageId: 'b1e3c2d4-0000-4000-8000-000000000001', TopicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts', Subject: 'Disk \u00e0 90 %', Message: '{"alarm":"disk","value":90}\nsecond line\ttab', Timestamp: '2024-11-30T10:00:00.123Z', SignatureVersion: version, SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-x.pem', UnsubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe' },
      { Type: 'UnsubscribeConfirmation', MessageId: 'b1e3c2d4-0000-4000-8000-000000000002', Token: 'ab12'.repeat(64), TopicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts', Message: 'You have chosen to deactivate subscription.', SubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=x', Timestamp: '2024-11-30T10:00:00.123Z', SignatureVersion: version, SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-x.pem' },
    ]) {
      const { body } = python('sign', { message, key: key.privateFile }) as { body: string };
      for (const secret of [cert, key.publicPem]) expect(judge(body, [secret]), message.Type).toMatchObject({ valid: true });
      expect(judge(body, [other.publicPem]).reason).toBe('no_match');
    }
  });
});

describe('amazon-sns: each mutation gives its reason', () => {
  let body: string;
  beforeAll(() => {
    body = signed(sample('notification-v2'));
  });
  const edit = (f: (m: Record<string, unknown>) => void) => {
    const m = JSON.parse(body) as Record<string, unknown>;
    f(m);
    return JSON.stringify(m, null, 2);
  };
  it.each([
    ['valid (re-serialized: only the fields count)', 'ok', (): string => edit(() => {})],
    ['tampered Message', 'no_match', () => edit((m) => (m.Message = `${m.Message as string}.`))],
    ['tampered Subject', 'no_match', () => edit((m) => (m.Subject = 'OK: "orders-api-5xx" in US East (N. Virginia)'))],
    ['Subject removed', 'no_match', () => edit((m) => delete m.Subject)],
    ['tampered Timestamp', 'no_match', () => edit((m) => (m.Timestamp = '2024-11-30T10:00:00.000Z'))],
    ['Type changed to another with the same fields', 'no_match', () => edit((m) => (m.Type = 'Notification') && (m.Message = 'x'))],
    ['tampered signature', 'no_match', () => edit((m) => (m.Signature = flip(m.Signature as string)))],
    ['SignatureVersion 2 → 1', 'no_match', () => edit((m) => (m.SignatureVersion = '1'))],
    ['missing Signature', 'missing_header', () => edit((m) => delete m.Signature)],
    ['Signature not base64', 'malformed_header', () => edit((m) => (m.Signature = 'garbage!'))],
    ['SignatureVersion 3', 'malformed_header', () => edit((m) => (m.SignatureVersion = '3'))],
    ['no SignatureVersion', 'malformed_header', () => edit((m) => delete m.SignatureVersion)],
    ['unknown Type', 'malformed_header', () => edit((m) => (m.Type = 'Broadcast'))],
    ['a signed field missing', 'malformed_header', () => edit((m) => delete m.TopicArn)],
    ['body not JSON', 'malformed_header', (): string => 'Type=Notification'],
  ] as const)('%s → %s', (_name, reason, make) => {
    const v = judge(make());
    expect(v.reason, v.message).toBe(reason);
  });

  it('wrong key → no_match; text or an EC key → bad_secret', () => {
    expect(judge(body, [other.publicPem]).reason).toBe('no_match');
    expect(judge(body, ['not-a-key']).reason).toBe('bad_secret');
    expect(judge(body, [keyPair('ec', 'sns-ec').publicPem])).toMatchObject({ reason: 'bad_secret', message: expect.stringMatching(/an EC key; amazon-sns uses an RSA key/) });
  });

  it('no tolerance of its own (AWS\'s validators check none); a given tolerance is enforced on Timestamp', () => {
    const t = Date.parse(JSON.parse(body).Timestamp as string) / 1000;
    expect(judge(body, [cert], { now: t + 86_400 }).valid).toBe(true);
    expect(judge(body, [cert], { now: t + 3601, tolerance: 3600 }).reason).toBe('timestamp_too_old');
    expect(judge(body, [cert], { now: t - 3601, tolerance: 3600 }).reason).toBe('timestamp_in_future');
    expect(judge(body, [cert], { now: t + 60, tolerance: 3600 })).toMatchObject({ valid: true, age: 60 });
  });

  it('secrets: the private key signs; the certificate and public key verify but cannot sign', () => {
    expect(secretProblem(amazonSns, key.privatePem, 'sign')).toBeUndefined();
    expect(secretProblem(amazonSns, cert, 'verify')).toBeUndefined();
    expect(secretProblem(amazonSns, key.publicPem, 'verify')).toBeUndefined();
    expect(secretProblem(amazonSns, cert, 'sign')).toMatch(/signing needs the RSA private key \(PEM\), not the public key or certificate/);
    expect(secretProblem(amazonSns, 'whsec_abc', 'verify')).toMatch(/verifies with the provider's RSA public key/);
  });
});

describe('amazon-sns: negative modes act on the body\'s Signature', () => {
  const b = (negative?: Parameters<typeof builder>[0]['negative']) => {
    const bd = builder({ scheme: amazonSns, provider: amazonSns.samples, sample: amazonSns.samples!.events[0], secrets: [key.privatePem], url: new URL('http://127.0.0.1/sns'), negative, clock: () => NOW * 1000 });
    const req = bd.build(bd.newEvent());
    return { req, body: Buffer.from(req.body).toString(), headers: Object.fromEntries(req.headers.map((v, i, a) => (i % 2 ? [] : [a[i]!.toLowerCase(), a[i + 1]!])).filter((x) => x.length)) };
  };
  it('valid, tampered signature, no signature, tampered body: judged as such', () => {
    expect(judge(b().body).valid).toBe(true);
    expect(b().headers).toMatchObject({ 'content-type': 'text/plain; charset=UTF-8', 'user-agent': 'Amazon Simple Notification Service Agent', 'x-amz-sns-message-type': 'Notification' });
    expect(judge(b({ kind: 'tamper-signature' }).body).reason).toBe('no_match');
    const stripped = b({ kind: 'no-signature' }).body;
    expect(JSON.parse(stripped).Signature).toBe('');
    expect(judge(stripped).reason).toBe('missing_header');
    expect(judge(b({ kind: 'tamper-body' }).body).reason).toBe('no_match');
  });
  // Not the Signature, SigningCertURL or UnsubscribeURL: a change there proves nothing.
  const SIGNED = ['Message', 'MessageId', 'Subject', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  it('the tampered byte of every sample lands in a signed field, whatever the key size', () => {
    for (const bits of [2048, 4096]) {
      const k = bits === 2048 ? key.privatePem : keyPair('rsa', 'sns-4096').privatePem;
      for (const e of amazonSns.samples!.events) {
        const body = Buffer.from(signDelivery('amazon-sns', { body: e.body(ctx()), secrets: [k] }).body);
        const t = tamperBody(body);
        const before = JSON.parse(body.toString()) as Record<string, string>;
        const after = JSON.parse(t.body.toString()) as Record<string, string>;
        const changed = Object.keys(before).filter((f) => before[f] !== after[f]);
        expect(changed, `${e.event}, ${bits} bits`).toHaveLength(1);
        expect(SIGNED, `${e.event}, ${bits} bits: ${changed[0]}`).toContain(changed[0]);
      }
    }
  }, 60_000);
});

describe('amazon-sns: replay --resign writes a fresh Signature into the recorded body', () => {
  it('a delivery signed with an old key, re-signed with the new one: only the Signature changed, and it verifies', () => {
    const old = Buffer.from(signDelivery('amazon-sns', { body: sample('notification'), secrets: [other.privatePem] }).body).toString();
    const rec = {
      type: 'event', seq: 1, receivedAt: '2024-11-30T10:00:00.000Z', method: 'POST', path: '/sns',
      headers: { host: '127.0.0.1:4000', 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' },
      body: old, bodyEncoding: 'utf8', scheme: 'amazon-sns', verdict: null, eventType: 'Notification', eventId: 'm',
      duplicate: false, filtered: false, response: { status: 200 },
    } as unknown as EventRecord;
    const r = replayRequest(rec, new URL('http://127.0.0.1:9/sns'), { registry, secrets: [key.privatePem], now: () => NOW });
    const body = Buffer.from(r.body).toString();
    expect(r).toMatchObject({ resigned: 'amazon-sns', bodyEdit: 'signature inside the body set anew' });
    expect(body).toBe(old.replace(JSON.parse(old).Signature, JSON.parse(body).Signature));
    expect(judge(body).valid).toBe(true);
    expect(judge(old).reason).toBe('no_match');
  });
});

const flip = (b64: string) => b64.slice(0, 10) + (b64[10] === 'A' ? 'B' : 'A') + b64.slice(11);

describe('amazon-sns: body parsing (fast-check)', () => {
  it('any body, any Signature/SignatureVersion/Type values: a verdict with a known reason, never an exception', () => {
    const str = fc.oneof(fc.string(), fc.base64String(), fc.constantFrom('1', '2', 'Notification', 'SubscriptionConfirmation'));
    const value = fc.oneof(str, fc.integer(), fc.constant(null), fc.jsonValue());
    const message = fc.record({ Type: value, Signature: value, SignatureVersion: value, Message: value, MessageId: value, Timestamp: value, TopicArn: value, Subject: value, Token: value, SubscribeURL: value }, { requiredKeys: [] });
    fc.assert(fc.property(fc.oneof(message.map((m) => JSON.stringify(m)), fc.string(), fc.jsonValue().map((j) => JSON.stringify(j))), (body) => {
      const v = judge(body);
      expect(REASONS).toContain(v.reason);
      expect(v.valid).toBe(false);
    }), { numRuns: 300 });
  });
});

describe('amazon-sns: the CLI', () => {
  it('whk sign prints the headers, a blank line and the signed body; whk verify takes the certificate file', async () => {
    const dir = tmp('sns-cli');
    const bodyFile = join(dir, 'body.json');
    writeFileSync(bodyFile, sample('subscription-confirmation'));
    const s = await whk(['sign', '--scheme', 'amazon-sns', '--secret-file', key.privateFile, '--body-file', bodyFile]);
    expect(s.code, s.stderr).toBe(0);
    const [head, signedBody] = s.stdout.split('\n\n') as [string, string];
    expect(head).toMatch(/^x-amz-sns-message-type: SubscriptionConfirmation\nx-amz-sns-message-id: [0-9a-f-]{36}\nx-amz-sns-topic-arn: arn:aws:sns:/);
    expect(python('verify', { body: signedBody, cert: certFile }).valid).toBe(true);
    const signedFile = join(dir, 'signed.json');
    writeFileSync(signedFile, signedBody);
    const hdr = head.split('\n').flatMap((l) => ['--header', l]);
    const ok = await whk(['verify', '--scheme', 'amazon-sns', '--secret-file', certFile, ...hdr, '--body-file', signedFile]);
    expect(ok.stdout, ok.stderr).toMatch(/^✓ valid \(amazon-sns/);
    const auto = await whk(['verify', '--secret-file', certFile, ...hdr, '--body-file', signedFile, '--json']);
    expect(JSON.parse(auto.stdout)).toMatchObject({ valid: true, scheme: 'amazon-sns' });
    writeFileSync(signedFile, signedBody.replace('subscribe to the topic', 'subscribe to a topic'));
    const bad = await whk(['verify', '--scheme', 'amazon-sns', '--secret-file', certFile, ...hdr, '--body-file', signedFile]);
    expect(bad.code).toBe(1);
    const json = JSON.parse((await whk(['sign', '--scheme', 'sns', '--secret-file', key.privateFile, '--body-file', bodyFile, '--json'])).stdout);
    expect(JSON.parse(json.body).Signature).toMatch(/^[A-Za-z0-9+/]{300,}/);
  });

  it('whk send (private key) to whk listen (the certificate): 200, --wrong-secret 401; whk probe passes', async () => {
    await sendListenProbe('amazon-sns', ['--secret-file', key.privateFile], ['--secret-file', certFile], ['', 'subscription-confirmation', 'notification-v2']);
  }, 40_000);
});
