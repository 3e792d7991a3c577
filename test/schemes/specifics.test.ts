/**
 * What sets each scheme apart, beyond the shared table of schemes.test.ts: secret encodings
 * (whsec_ with and without prefix, raw text, Ed25519 keys), several signatures in one header,
 * where the timestamp lives, legacy headers, and misuse that throws.
 */
import { createHash, webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sign, verify, WhkError } from '../../src/index.js';
import { ED, ED_OTHER, NOW, STD_KEY, STD_OTHER, URL_TWILIO, withHeaders } from './_helpers.js';

const body = JSON.stringify({ type: 'whk.test', data: { note: 'whk-test' } });
const bare = STD_KEY.slice('whsec_'.length);
const decoded = Buffer.from(bare, 'base64');

describe.each([['standard', 'webhook'], ['svix', 'svix']] as const)('%s: whsec_ secrets', (scheme, prefix) => {
  const signed = (secret: string | Uint8Array) => sign(scheme, { body, secrets: [secret], timestamp: NOW, id: 'msg_1' });
  const check = (headers: Record<string, string>, secret: string | Uint8Array) => verify(scheme, { body, headers, secrets: [secret], now: NOW }).reason;

  it.each([
    ['whsec_<b64>', STD_KEY, 'the bare base64', bare],
    ['the bare base64', bare, 'whsec_<b64>', STD_KEY],
    ['whsec_<b64>', STD_KEY, 'the decoded key bytes', decoded],
    ['the decoded key bytes', decoded, 'whsec_<b64>', STD_KEY],
  ] as const)('signed with %s, verified with %s: ok', (_a, signWith, _b, verifyWith) => {
    expect(check(signed(signWith), verifyWith)).toBe('ok');
  });

  it(`uses ${prefix}-* header names`, () => {
    expect(Object.keys(signed(STD_KEY)).sort()).toEqual([`${prefix}-id`, `${prefix}-signature`, `${prefix}-timestamp`]);
  });

  it('a secret that is not base64: bad_secret, pointing at --scheme freepik', () => {
    const v = verify(scheme, { body, headers: signed(STD_KEY), secrets: ['not base64!'], now: NOW });
    expect(v.reason).toBe('bad_secret');
    expect(v.message).toMatch(/freepik/);
  });

  it('any of several space-separated signatures may match; unknown versions are skipped', () => {
    const good = signed(STD_KEY)[`${prefix}-signature`]!;
    const other = signed(STD_OTHER)[`${prefix}-signature`]!;
    const headers = withHeaders(signed(STD_KEY), { [`${prefix}-signature`]: `v2,AAAA ${other} v1a,AAAA ${good}` });
    expect(check(headers, STD_KEY)).toBe('ok');
  });
});

describe('svix is not standard: each reads only its own header names', () => {
  it('a webhook-* delivery checked as svix: missing_header', () => {
    const headers = sign('standard', { body, secrets: [STD_KEY], timestamp: NOW, id: 'msg_1' });
    expect(verify('svix', { body, headers, secrets: [STD_KEY], now: NOW }).reason).toBe('missing_header');
  });
});

describe('standard: Ed25519 (v1a) with whsk_/whpk_ keys', () => {
  const content = (id: string, ts: number) => Buffer.from(`${id}.${ts}.${body}`);
  const webcryptoSign = async (id: string, ts: number) =>
    Buffer.from(await webcrypto.subtle.sign('Ed25519', await webcrypto.subtle.importKey('pkcs8', ED.privateKey.export({ format: 'der', type: 'pkcs8' }), 'Ed25519', false, ['sign']), content(id, ts))).toString('base64');

  it('signs "v1a,<base64 of 64 bytes>" with a whsk_ key; the whpk_ key verifies', () => {
    const headers = sign('standard', { body, secrets: [ED.whsk], timestamp: NOW, id: 'msg_ed' });
    expect(headers['webhook-signature']).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    expect(verify('standard', { body, headers, secrets: [ED.whpk], now: NOW })).toMatchObject({ valid: true, secretIndex: 0 });
  });

  it('the whsk_ key verifies too (its public half is derived)', () => {
    const headers = sign('standard', { body, secrets: [ED.whsk], timestamp: NOW, id: 'msg_ed' });
    expect(verify('standard', { body, headers, secrets: [ED.whsk], now: NOW }).reason).toBe('ok');
  });

  it('whk signature checked by WebCrypto (independent verifier): valid', async () => {
    const headers = sign('standard', { body, secrets: [ED.whsk], timestamp: NOW, id: 'msg_ed' });
    const sig = Buffer.from(headers['webhook-signature']!.slice('v1a,'.length), 'base64');
    const pub = await webcrypto.subtle.importKey('raw', Buffer.from(ED.pubHex, 'hex'), 'Ed25519', false, ['verify']);
    expect(await webcrypto.subtle.verify('Ed25519', pub, sig, content('msg_ed', NOW))).toBe(true);
  });

  it('WebCrypto signature checked by whk with the whpk_ key: valid; another key: no_match', async () => {
    const headers = { 'webhook-id': 'msg_wc', 'webhook-timestamp': String(NOW), 'webhook-signature': `v1a,${await webcryptoSign('msg_wc', NOW)}` };
    expect(verify('standard', { body, headers, secrets: [ED.whpk], now: NOW }).reason).toBe('ok');
    expect(verify('standard', { body, headers, secrets: [ED_OTHER.whpk], now: NOW }).reason).toBe('no_match');
    expect(verify('standard', { body, headers, secrets: [ED_OTHER.whpk, ED.whpk], now: NOW })).toMatchObject({ valid: true, secretIndex: 1 });
  });

  it('a body byte flipped: no_match; stale: timestamp_too_old', () => {
    const headers = sign('standard', { body, secrets: [ED.whsk], timestamp: NOW - 301, id: 'msg_ed' });
    expect(verify('standard', { body: body.replace('whk', 'whj'), headers, secrets: [ED.whpk], now: NOW }).reason).toBe('no_match');
    expect(verify('standard', { body, headers, secrets: [ED.whpk], now: NOW }).reason).toBe('timestamp_too_old');
  });

  it('HMAC and Ed25519 side by side (migration): each key finds its own entry', () => {
    const headers = sign('standard', { body, secrets: [STD_KEY, ED.whsk], timestamp: NOW, id: 'msg_mix' });
    expect(headers['webhook-signature']).toMatch(/^v1,\S+ v1a,\S+$/);
    expect(verify('standard', { body, headers, secrets: [ED.whpk], now: NOW }).reason).toBe('ok');
    expect(verify('standard', { body, headers, secrets: [STD_KEY], now: NOW }).reason).toBe('ok');
  });

  it('an HMAC-only header checked with a whpk_ key: no_match', () => {
    const headers = sign('standard', { body, secrets: [STD_KEY], timestamp: NOW, id: 'msg_1' });
    expect(verify('standard', { body, headers, secrets: [ED.whpk], now: NOW }).reason).toBe('no_match');
  });

  it('a whpk_ key that is not 32 bytes: bad_secret', () => {
    const headers = sign('standard', { body, secrets: [ED.whsk], timestamp: NOW, id: 'msg_ed' });
    expect(verify('standard', { body, headers, secrets: ['whpk_AAAA'], now: NOW }).reason).toBe('bad_secret');
  });
});

describe('freepik: the key is the secret text itself', () => {
  it('a whsec_-looking secret is used as text: freepik verifies, standard (which decodes it) does not', () => {
    const headers = sign('freepik', { body, secrets: [STD_KEY], timestamp: NOW, id: 'msg_1' });
    expect(verify('freepik', { body, headers, secrets: [STD_KEY], now: NOW }).reason).toBe('ok');
    expect(verify('standard', { body, headers, secrets: [STD_KEY], now: NOW }).reason).toBe('no_match');
  });

  it('any text is a valid secret (nothing to decode), including non-ASCII', () => {
    const headers = sign('freepik', { body, secrets: ['sécret ✓'], timestamp: NOW, id: 'msg_1' });
    expect(verify('freepik', { body, headers, secrets: ['sécret ✓'], now: NOW }).reason).toBe('ok');
  });
});

describe('dfns: the body carries the timestamp; compact re-serialization is accepted', () => {
  const payload = { id: 'wh-1', date: '2023-11-14T22:13:20.000Z', kind: 'wallet.transfer.confirmed', data: { amount: '10' }, timestampSent: NOW, deliveryAttempt: 2, retryOf: 'wh-0' };
  const compact = JSON.stringify(payload);
  const pretty = JSON.stringify(payload, null, 2);

  it('signature over the raw bytes: ok, matched the raw body', () => {
    const headers = sign('dfns', { body: compact, secrets: ['s'] });
    expect(verify('dfns', { body: compact, headers, secrets: ['s'], now: NOW })).toMatchObject({ valid: true, matched: 'raw body' });
  });

  it('signature over the compact form, body received re-indented: ok, and says so', () => {
    const headers = sign('dfns', { body: compact, secrets: ['s'] });
    const v = verify('dfns', { body: pretty, headers, secrets: ['s'], now: NOW });
    expect(v).toMatchObject({ valid: true, matched: 'body without its insignificant whitespace' });
  });

  it('signature over JSON.stringify(JSON.parse(raw)) (the Node sample), body with escapes and 1.0: ok, and says so', () => {
    const received = `{"id":"wh-1","kind":"wallet.transfer.confirmed","data":{"note":"caf\\u00e9","amount":1.0},"timestampSent":${NOW}}`;
    const headers = sign('dfns', { body: JSON.stringify(JSON.parse(received)), secrets: ['s'] });
    const v = verify('dfns', { body: received, headers, secrets: ['s'], now: NOW });
    expect(v).toMatchObject({ valid: true, matched: 'compact re-serialization of the body' });
  });

  it('a string whose spaces were changed is not forgiven: no_match', () => {
    const headers = sign('dfns', { body: compact, secrets: ['s'] });
    const v = verify('dfns', { body: compact.replace('"amount"', '"amount "'), headers, secrets: ['s'], now: NOW });
    expect(v.reason).toBe('no_match');
  });

  it('a body that is not JSON, signed: missing_timestamp (no timestampSent to check)', () => {
    const headers = sign('dfns', { body: 'whk-test', secrets: ['s'] });
    expect(verify('dfns', { body: 'whk-test', headers, secrets: ['s'], now: NOW }).reason).toBe('missing_timestamp');
  });

  it('timestampSent as a string: missing_timestamp', () => {
    const b = JSON.stringify({ ...payload, timestampSent: String(NOW) });
    expect(verify('dfns', { body: b, headers: sign('dfns', { body: b, secrets: ['s'] }), secrets: ['s'], now: NOW }).reason).toBe('missing_timestamp');
  });
});

describe('github: X-Hub-Signature-256, and the legacy SHA-1 header', () => {
  const headers = sign('github', { body, secrets: ['gh'] });

  it('signs both headers', () => {
    expect(headers['X-Hub-Signature-256']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(headers['X-Hub-Signature']).toMatch(/^sha1=[0-9a-f]{40}$/);
  });

  it('only the legacy header: checked, and the verdict says so', () => {
    const v = verify('github', { body, headers: { 'X-Hub-Signature': headers['X-Hub-Signature']! }, secrets: ['gh'] });
    expect(v).toMatchObject({ valid: true });
    expect(v.valid && v.matched).toMatch(/SHA-1/);
  });

  it('a bad SHA-256 header is not rescued by a good SHA-1 one: no_match', () => {
    const bad = `sha256=${'0'.repeat(64)}`;
    expect(verify('github', { body, headers: { ...headers, 'X-Hub-Signature-256': bad }, secrets: ['gh'] }).reason).toBe('no_match');
  });
});

describe('stripe: the whsec_ string is the key; v0 is ignored', () => {
  const secret = 'whsec_stripe_test_secret';

  it('v0 entries beside v1 are ignored', () => {
    const h = sign('stripe', { body, secrets: [secret], timestamp: NOW })['Stripe-Signature']!;
    const withV0 = h.replace(',v1=', `,v0=${'f'.repeat(64)},v1=`);
    expect(verify('stripe', { body, headers: { 'Stripe-Signature': withV0 }, secrets: [secret], now: NOW }).reason).toBe('ok');
  });

  it('the secret without its whsec_ prefix is another key: no_match', () => {
    const headers = sign('stripe', { body, secrets: [secret], timestamp: NOW });
    expect(verify('stripe', { body, headers, secrets: ['stripe_test_secret'], now: NOW }).reason).toBe('no_match');
  });

  it('without t=: missing_timestamp; t not a number: malformed_header', () => {
    const h = sign('stripe', { body, secrets: [secret], timestamp: NOW })['Stripe-Signature']!;
    expect(verify('stripe', { body, headers: { 'Stripe-Signature': h.replace(/^t=\d+,/, '') }, secrets: [secret], now: NOW }).reason).toBe('missing_timestamp');
    expect(verify('stripe', { body, headers: { 'Stripe-Signature': h.replace(/^t=\d+/, 't=yesterday') }, secrets: [secret], now: NOW }).reason).toBe('malformed_header');
  });
});

describe('wealthkernel: t= and up to two v1=', () => {
  it('signs at most two v1 entries (one per active secret)', () => {
    const h = sign('wealthkernel', { body, secrets: ['a', 'b', 'c'], timestamp: NOW })['X-Webhook-Signature']!;
    expect(h.split(',').map((p) => p.split('=')[0])).toEqual(['t', 'v1', 'v1']);
    expect(h).toMatch(/^t=1700000000,v1=[A-Za-z0-9+/]{43}=,v1=[A-Za-z0-9+/]{43}=$/);
  });

  it('elements in another order: ok', () => {
    const h = sign('wealthkernel', { body, secrets: ['a'], timestamp: NOW })['X-Webhook-Signature']!;
    const [t, v1] = h.split(',');
    expect(verify('wealthkernel', { body, headers: { 'X-Webhook-Signature': `${v1},${t}` }, secrets: ['a'], now: NOW }).reason).toBe('ok');
  });

  it('without t=: missing_timestamp', () => {
    const h = sign('wealthkernel', { body, secrets: ['a'], timestamp: NOW })['X-Webhook-Signature']!;
    expect(verify('wealthkernel', { body, headers: { 'X-Webhook-Signature': h.replace(/^t=\d+,/, '') }, secrets: ['a'], now: NOW }).reason).toBe('missing_timestamp');
  });
});

describe('paddle: "ts=<ts>;h1=<hex>"', () => {
  it('uses ";" between elements', () => {
    expect(sign('paddle', { body, secrets: ['p'], timestamp: NOW })['Paddle-Signature']).toMatch(/^ts=1700000000;h1=[0-9a-f]{64}$/);
  });
});

describe('slack and zoom: "v0=<hex>" over "v0:ts:body"', () => {
  it.each([['slack', 'X-Slack-Signature', 'X-Slack-Request-Timestamp'], ['zoom', 'x-zm-signature', 'x-zm-request-timestamp']])('%s', (scheme, sig, ts) => {
    const headers = sign(scheme, { body, secrets: ['z'], timestamp: NOW });
    expect(headers).toEqual({ [sig]: expect.stringMatching(/^v0=[0-9a-f]{64}$/), [ts]: String(NOW) });
    expect(verify(scheme, { body, headers: { ...headers, [ts]: String(NOW + 1) }, secrets: ['z'], now: NOW }).reason).toBe('no_match');
    expect(verify(scheme, { body, headers: { ...headers, [ts]: 'now' }, secrets: ['z'], now: NOW }).reason).toBe('malformed_header');
  });
});

describe('linear: webhookTimestamp in milliseconds, inside the signed body', () => {
  const at = (ms: unknown) => JSON.stringify({ type: 'Issue', action: 'update', webhookTimestamp: ms });
  const check = (b: string) => verify('linear', { body: b, headers: sign('linear', { body: b, secrets: ['l'] }), secrets: ['l'], now: NOW });

  it('in milliseconds: ok', () => expect(check(at(NOW * 1000)).reason).toBe('ok'));
  it('in seconds by mistake: timestamp_too_old', () => expect(check(at(NOW)).reason).toBe('timestamp_too_old'));
  it('as a string: missing_timestamp', () => expect(check(at(String(NOW * 1000))).reason).toBe('missing_timestamp'));
  it('the header in upper-case hex: ok', () => {
    const b = at(NOW * 1000);
    const sig = sign('linear', { body: b, secrets: ['l'] })['Linear-Signature']!.toUpperCase();
    expect(verify('linear', { body: b, headers: { 'Linear-Signature': sig }, secrets: ['l'], now: NOW }).reason).toBe('ok');
  });
});

describe('twilio: URL + sorted parameters; JSON bodies through bodySHA256', () => {
  it('the order of parameters in the body does not matter', () => {
    const headers = sign('twilio', { body: 'b=2&a=1&a=0', secrets: ['t'], url: URL_TWILIO });
    expect(verify('twilio', { body: 'a=0&a=1&b=2', headers, secrets: ['t'], url: URL_TWILIO }).reason).toBe('ok');
  });

  it('a JSON body is bound by the bodySHA256 query parameter', () => {
    const json = JSON.stringify({ event: 'whk-test' });
    const url = `https://example.com/hook?bodySHA256=${createHash('sha256').update(json).digest('hex')}`;
    const headers = sign('twilio', { body: json, secrets: ['t'], url });
    expect(verify('twilio', { body: json, headers, secrets: ['t'], url }).reason).toBe('ok');
    const v = verify('twilio', { body: json.replace('whk', 'whj'), headers, secrets: ['t'], url });
    expect(v.reason).toBe('no_match');
    expect(v.message).toMatch(/bodySHA256/);
  });
});

describe('discord: Ed25519 keys', () => {
  const signed = sign('discord', { body, secrets: [ED.seedHex], timestamp: NOW });

  it('signs "X-Signature-Ed25519: <128 hex>" and "X-Signature-Timestamp"', () => {
    expect(signed).toEqual({ 'X-Signature-Ed25519': expect.stringMatching(/^[0-9a-f]{128}$/), 'X-Signature-Timestamp': String(NOW) });
  });

  it('the public key as PEM verifies; signing with a PEM private key works too', () => {
    expect(verify('discord', { body, headers: signed, secrets: [ED.publicPem], now: NOW }).reason).toBe('ok');
    const fromPem = sign('discord', { body, secrets: [ED.privatePem], timestamp: NOW });
    expect(verify('discord', { body, headers: fromPem, secrets: [ED.pubHex], now: NOW }).reason).toBe('ok');
  });

  it('the timestamp is signed: another timestamp header: no_match', () => {
    expect(verify('discord', { body, headers: { ...signed, 'X-Signature-Timestamp': String(NOW + 1) }, secrets: [ED.pubHex], now: NOW }).reason).toBe('no_match');
  });

  it('a key that is not Ed25519: bad_secret', () => {
    expect(verify('discord', { body, headers: signed, secrets: ['abc'], now: NOW }).reason).toBe('bad_secret');
  });
});

describe('misuse throws a WhkError (a bad delivery never does)', () => {
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(WhkError);
      return (e as WhkError).code;
    }
    return 'no error';
  };

  it('no secret', () => {
    expect(code(() => verify('github', { body, headers: {}, secrets: [] }))).toBe('no_secret');
    expect(code(() => sign('github', { body, secrets: [] }))).toBe('no_secret');
  });

  it('an unknown scheme, with a suggestion', () => {
    expect(code(() => verify('strpe', { body, headers: {}, secrets: ['s'] }))).toBe('unknown_scheme');
    expect(() => verify('strpe', { body, headers: {}, secrets: ['s'] })).toThrow(/did you mean "stripe"/);
  });

  it.each(['square', 'twilio'])('%s without the URL it signs', (scheme) => {
    expect(code(() => sign(scheme, { body, secrets: ['s'] }))).toBe('missing_url');
    expect(code(() => verify(scheme, { body, headers: { 'x-square-hmacsha256-signature': 'x', 'X-Twilio-Signature': 'x' }, secrets: ['s'] }))).toBe('missing_url');
  });
});
