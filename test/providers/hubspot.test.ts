/**
 * HubSpot: v1, v2 and v3 in one scheme. Checked against @hubspot/api-client's Signature
 * (isValid/getSignature, every version, both directions), its published v1/v2 vectors (the same
 * values as https://developers.hubspot.com/docs/api/webhooks/validating-requests), and, for v3's
 * URI decoding (which the SDK leaves to its caller), a Python signer written from the docs' text
 * (test/providers/python/hubspot.py).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { hubspot } from '../../src/providers/hubspot.js';
import { sign, verify } from '../../src/index.js';
import { REASONS, type Verdict } from '../../src/schemes/types.js';
import { WhkError } from '../../src/errors.js';
import { startInProcess, whk, type InProcess } from '../helpers/in-process.js';
import { HAS_PYTHON, python } from './_python.js';

const require = createRequire(import.meta.url);
const { Signature } = require('@hubspot/api-client/lib/src/utils/signature.js') as {
  Signature: {
    isValid(o: { signature: string; clientSecret: string; requestBody: string; signatureVersion?: string; url?: string; method?: string; timestamp?: number }): boolean;
    getSignature(method: string, version: string, o: { clientSecret: string; requestBody: string; url?: string; timestamp?: number }): string;
  };
};

const SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const URL_ = 'https://hooks.example.com/hubspot?portal=62515';
const BODY = '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]';
const NOW = 1_772_446_447; // the clock of the fixed-time cases (s)
const TS_MS = '1772446447000';
const V1 = { 'X-HubSpot-Signature-Version': 'v1' };
const V2 = { 'X-HubSpot-Signature-Version': 'v2' };

const check = (headers: Record<string, string | undefined>, o: { body?: string; url?: string; method?: string; secret?: string; now?: number } = {}): Verdict =>
  verify(hubspot, { body: o.body ?? BODY, headers, secrets: [o.secret ?? SECRET], url: 'url' in o ? o.url : URL_, method: o.method, now: o.now ?? NOW });
const v3At = (o: { body?: string; url?: string; method?: string; ts?: string } = {}) =>
  sign(hubspot, { body: o.body ?? BODY, secrets: [SECRET], url: o.url ?? URL_, method: o.method, headers: { 'X-HubSpot-Request-Timestamp': o.ts ?? TS_MS } });

describe('hubspot: sign -> verify', () => {
  it('signs v3 by default: the signature and the timestamp in ms, nothing else', () => {
    const h = sign(hubspot, { body: BODY, secrets: [SECRET], url: URL_, timestamp: NOW });
    expect(Object.keys(h)).toEqual(['X-HubSpot-Signature-v3', 'X-HubSpot-Request-Timestamp']);
    expect(h['X-HubSpot-Request-Timestamp']).toBe(`${NOW}000`);
    expect(check(h)).toMatchObject({ valid: true, matched: 'method + URL + body + timestamp (v3)', age: 0 });
  });

  it('an exact millisecond timestamp given as a header is signed as it is', () => {
    const h = v3At({ ts: '1772446447123' });
    expect(h['X-HubSpot-Request-Timestamp']).toBe('1772446447123');
    expect(check(h)).toMatchObject({ valid: true });
  });

  it.each([['v1', V1], ['v2', V2]])('the %s asked for with the version header', (version, asked) => {
    const h = sign(hubspot, { body: BODY, secrets: [SECRET], url: URL_, headers: asked });
    expect(h).toEqual({ 'X-HubSpot-Signature': expect.stringMatching(/^[0-9a-f]{64}$/), 'X-HubSpot-Signature-Version': version });
    expect(check(h)).toMatchObject({ valid: true, proof: 'hash', matched: expect.stringContaining(`(${version}:`) });
  });

  it('v1 needs no URL; v2 and v3 do (a usage error naming what is signed)', () => {
    expect(check(sign(hubspot, { body: BODY, secrets: [SECRET], headers: V1 }), { url: undefined })).toMatchObject({ valid: true });
    expect(() => sign(hubspot, { body: BODY, secrets: [SECRET] })).toThrow(WhkError);
    expect(() => check(v3At(), { url: undefined })).toThrow(/hubspot signs the method, the full URL it posts to.*: the URL it posts to is needed/);
  });

  it('an unknown version asked for is a usage error', () => {
    expect(() => sign(hubspot, { body: BODY, secrets: [SECRET], url: URL_, headers: { 'x-hubspot-signature-version': 'v4' } })).toThrow('X-HubSpot-Signature-Version "v4": hubspot signs v1, v2 or v3');
  });

  it('the method is signed (v2, v3): a GET signed as GET verifies only as GET', () => {
    const h = v3At({ method: 'get', body: '' });
    expect(check(h, { method: 'GET', body: '' })).toMatchObject({ valid: true });
    const wrong = check(h, { body: '' });
    expect(wrong).toMatchObject({ valid: false, reason: 'no_match', diagnosis: "the signature matches the method GET: HubSpot signs the request's own method, give that one" });
  });

  it('v3 decodes the twelve characters of the docs in the URI; the listener may see them encoded or not', () => {
    const encoded = 'https://hooks.example.com/hs%3Ahook?next=%2Fdeals%3Fid%3D7&who=a%40b.c&x=%21%24%27%28%29%2A%2C%3B&keep=%20%25';
    const decoded = "https://hooks.example.com/hs:hook?next=/deals?id%3D7&who=a@b.c&x=!$'()*,;&keep=%20%25";
    const h = v3At({ url: encoded });
    expect(check(h, { url: encoded })).toMatchObject({ valid: true });
    expect(check(h, { url: decoded })).toMatchObject({ valid: true });
    // %20 and %25 are not in the table: they stay encoded.
    expect(check(h, { url: encoded.replace('%20', ' ') })).toMatchObject({ valid: false, reason: 'no_match' });
  });
});

describe('hubspot: @hubspot/api-client Signature, both directions', () => {
  const cases: Array<[string, string, string]> = [
    ['POST', URL_, BODY],
    ['GET', 'https://www.example.com/webhook_uri', ''],
    ['POST', 'https://hooks.example.com/h?b=2&a=1', '{"inputFields":{"name":"Renée 👋"},"callbackId":"ap-1"}'],
  ];

  it.each(cases)('v1, v2, v3: whk signs %s %s, the SDK says valid', (method, url, body) => {
    const v1 = sign(hubspot, { body, secrets: [SECRET], url, method, headers: V1 });
    expect(Signature.isValid({ signatureVersion: 'v1', signature: v1['X-HubSpot-Signature']!, clientSecret: SECRET, requestBody: body })).toBe(true);
    const v2 = sign(hubspot, { body, secrets: [SECRET], url, method, headers: V2 });
    expect(Signature.isValid({ signatureVersion: 'v2', signature: v2['X-HubSpot-Signature']!, clientSecret: SECRET, requestBody: body, url, method })).toBe(true);
    // The SDK checks v3's timestamp against its own clock: signed now.
    const v3 = sign(hubspot, { body, secrets: [SECRET], url, method });
    const timestamp = Number(v3['X-HubSpot-Request-Timestamp']);
    expect(Signature.isValid({ signatureVersion: 'v3', signature: v3['X-HubSpot-Signature-v3']!, clientSecret: SECRET, requestBody: body, url, method, timestamp })).toBe(true);
    expect(Signature.isValid({ signatureVersion: 'v3', signature: v3['X-HubSpot-Signature-v3']!, clientSecret: `${SECRET}x`, requestBody: body, url, method, timestamp })).toBe(false);
  });

  it.each(cases)('v1, v2, v3: the SDK signs %s %s, whk says valid', (method, url, body) => {
    const opts = { body, url, method };
    const v1 = Signature.getSignature(method, 'v1', { clientSecret: SECRET, requestBody: body });
    expect(check({ 'X-HubSpot-Signature': v1, ...V1 }, opts)).toMatchObject({ valid: true, proof: 'hash' });
    const v2 = Signature.getSignature(method, 'v2', { clientSecret: SECRET, requestBody: body, url });
    expect(check({ 'X-HubSpot-Signature': v2, ...V2 }, opts)).toMatchObject({ valid: true, proof: 'hash' });
    const v3 = Signature.getSignature(method, 'v3', { clientSecret: SECRET, requestBody: body, url, timestamp: Number(TS_MS) });
    expect(check({ 'X-HubSpot-Signature-v3': v3, 'X-HubSpot-Request-Timestamp': TS_MS }, opts)).toMatchObject({ valid: true });
    expect(check({ 'X-HubSpot-Signature-v3': v3, 'X-HubSpot-Request-Timestamp': TS_MS }, { ...opts, secret: 'other' })).toMatchObject({ reason: 'no_match' });
  });

  it('the SDK and whk agree on random bodies, URLs, methods and secrets (v3)', () => {
    const text = fc.string({ unit: fc.constantFrom(...'ab{}[]":,é👋 \n\\/0'), maxLength: 60 });
    const path = fc.string({ unit: fc.constantFrom(...'abc/-_.~=&0'), maxLength: 20 });
    fc.assert(fc.property(text, path, fc.constantFrom('POST', 'GET', 'PUT'), fc.string({ minLength: 1, maxLength: 40 }), (body, p, method, secret) => {
      const url = `https://h.example.com/${p}`;
      const s = Signature.getSignature(method, 'v3', { clientSecret: secret, requestBody: body, url, timestamp: Number(TS_MS) });
      const v = verify(hubspot, { body, headers: { 'X-HubSpot-Signature-v3': s, 'X-HubSpot-Request-Timestamp': TS_MS }, secrets: [secret], url, method, now: NOW });
      expect(v.valid).toBe(true);
    }), { numRuns: 100 });
  });

  it("the SDK's published v1 and v2 vectors (the docs' examples) verify, and whk signs them byte for byte", () => {
    const vectors = JSON.parse(readFileSync(fileURLToPath(new URL('vectors/hubspot.json', import.meta.url)), 'utf8')) as {
      cases: Array<{ secret: string; body: string; url?: string; method?: string; requestHeaders?: Record<string, string>; headers: Record<string, string>; published: boolean }>;
    };
    const published = vectors.cases.filter((c) => c.published);
    expect(published).toHaveLength(3);
    for (const c of published) {
      expect(check(c.headers, { body: c.body, url: c.url, method: c.method, secret: c.secret })).toMatchObject({ valid: true });
      expect(sign(hubspot, { body: c.body, secrets: [c.secret], url: c.url, method: c.method, headers: c.requestHeaders })).toEqual(c.headers);
    }
  });
});

describe('hubspot: the Python signer written from the docs (v3 URI decoding)', () => {
  const py = (input: Record<string, unknown>) => python('hubspot', input);
  const urls = [
    URL_,
    'https://hooks.example.com/a%3Ab/c?redirect=https%3A%2F%2Fx.example%2Fp%3Fq%3D1&m=a%40b&s=%21%24%27%28%29%2A%2C%3B',
    'https://hooks.example.com/path?lower=%3a%2f&other=%20%26%25',
  ];

  it.skipIf(!HAS_PYTHON).each(urls)('%s: whk and Python sign the same v3, each verifies the other', (url) => {
    const body = '[{"eventId":7,"propertyValue":"Renée"}]';
    const ours = sign(hubspot, { body, secrets: [SECRET], url, headers: { 'X-HubSpot-Request-Timestamp': TS_MS } });
    const theirs = py({ secret: SECRET, body, url, method: 'POST', timestamp: Number(TS_MS) });
    expect(ours).toEqual(theirs);
    expect(check(theirs, { body, url })).toMatchObject({ valid: true });
  });

  it.skipIf(!HAS_PYTHON).each([['v1', V1], ['v2', V2]])('%s: whk and Python agree', (_v, asked) => {
    const ours = sign(hubspot, { body: BODY, secrets: [SECRET], url: URL_, method: 'PUT', headers: asked });
    expect(ours).toEqual(py({ secret: SECRET, body: BODY, url: URL_, method: 'PUT', headers: asked }));
  });
});

describe('hubspot: the mutation table', () => {
  const valid3 = v3At();
  const sig = valid3['X-HubSpot-Signature-v3']!;
  const flip = (s: string) => (s[5] === 'A' ? `${s.slice(0, 5)}B${s.slice(6)}` : `${s.slice(0, 5)}A${s.slice(6)}`);
  const v1 = sign(hubspot, { body: BODY, secrets: [SECRET], headers: V1 });
  const v2 = sign(hubspot, { body: BODY, secrets: [SECRET], url: URL_, headers: V2 });
  const at = (secondsLater: number) => ({ now: NOW + secondsLater });

  const table: Array<[string, Record<string, string | undefined>, Parameters<typeof check>[1], Verdict['reason']]> = [
    ['valid v3', valid3, {}, 'ok'],
    ['tampered body (v3)', valid3, { body: BODY.replace('123', '124') }, 'no_match'],
    ['tampered signature (v3)', { ...valid3, 'X-HubSpot-Signature-v3': flip(sig) }, {}, 'no_match'],
    ['wrong secret (v3)', valid3, { secret: 'zzzzzzzz-yyyy-yyyy-yyyy-yyyyyyyyyyyy' }, 'no_match'],
    ['another URL (v3)', valid3, { url: 'https://hooks.example.com/hubspot' }, 'no_match'],
    ['no signature header at all', { 'X-HubSpot-Request-Timestamp': TS_MS }, {}, 'missing_header'],
    ['malformed signature (v3)', { ...valid3, 'X-HubSpot-Signature-v3': 'garbage' }, {}, 'malformed_header'],
    ['hex where v3 is base64', { ...valid3, 'X-HubSpot-Signature-v3': 'ab'.repeat(32) }, {}, 'malformed_header'],
    ['no timestamp (v3)', { 'X-HubSpot-Signature-v3': sig }, {}, 'missing_timestamp'],
    ['malformed timestamp (v3)', { ...valid3, 'X-HubSpot-Request-Timestamp': '2026-03-02T10:14:07Z' }, {}, 'malformed_header'],
    ['timestamp in seconds, not ms (v3): signed text differs', { ...valid3, 'X-HubSpot-Request-Timestamp': String(NOW) }, {}, 'no_match'],
    ['300 s old: still valid (v3)', valid3, at(300), 'ok'],
    ['301 s old (v3)', valid3, at(301), 'timestamp_too_old'],
    ['an hour in the future: valid, as the SDK (the docs refuse only the past)', valid3, at(-3600), 'ok'],
    ['valid v1', v1, {}, 'ok'],
    ['tampered body (v1)', v1, { body: `${BODY} ` }, 'no_match'],
    ['wrong secret (v1)', v1, { secret: 'nope' }, 'no_match'],
    ['tampered signature (v1)', { ...v1, 'X-HubSpot-Signature': `0${v1['X-HubSpot-Signature']!.slice(1)}` === v1['X-HubSpot-Signature'] ? `1${v1['X-HubSpot-Signature']!.slice(1)}` : `0${v1['X-HubSpot-Signature']!.slice(1)}` }, {}, 'no_match'],
    ['v1 signature read as v2', { ...v1, 'X-HubSpot-Signature-Version': 'v2' }, {}, 'no_match'],
    ['no version header (v1/v2)', { 'X-HubSpot-Signature': v1['X-HubSpot-Signature'] }, {}, 'missing_header'],
    ['unknown version (v1/v2)', { ...v1, 'X-HubSpot-Signature-Version': 'v9' }, {}, 'malformed_header'],
    ['malformed signature (v1)', { ...v1, 'X-HubSpot-Signature': 'garbage' }, {}, 'malformed_header'],
    ['valid v2', v2, {}, 'ok'],
    ['v2 with another method', v2, { method: 'PATCH' }, 'no_match'],
    ['v2, another URL', v2, { url: `${URL_}&x=1` }, 'no_match'],
    ['v3 present: checked first, even with a valid v1 beside it', { ...v1, ...valid3, 'X-HubSpot-Signature-v3': flip(sig) }, {}, 'no_match'],
  ];
  it.each(table)('%s', (_name, headers, opts, reason) => {
    expect(check(headers, opts).reason).toBe(reason);
  });

  it('a v3 mismatch next to a matching v1 says the URL or method is what differs', () => {
    const v = check({ ...v1, ...valid3 }, { url: 'https://elsewhere.example.com/hubspot?portal=62515' });
    expect(v).toMatchObject({ reason: 'no_match', diagnosis: expect.stringContaining('the v1 signature in X-HubSpot-Signature matches') });
  });

  it('a proxy that changed https to http is named', () => {
    expect(check(valid3, { url: URL_.replace('https:', 'http:') })).toMatchObject({
      reason: 'no_match', diagnosis: 'the signature matches the URL as https: HubSpot signs the public URL it called (a proxy in front of the receiver changed the scheme)',
    });
  });
});

describe('hubspot: header parsing (fast-check)', () => {
  it('any header values: a verdict with a known reason, never an exception', () => {
    const value = fc.oneof(fc.string(), fc.constantFrom('v1', 'v2', 'v3', '', ' ', TS_MS, '1e3', '-1'), fc.string({ unit: fc.constantFrom(...'0123456789abcdefABC+/=, ') }));
    const headers = fc.record({
      'x-hubspot-signature-v3': value, 'x-hubspot-request-timestamp': value, 'x-hubspot-signature': value, 'x-hubspot-signature-version': value,
    }, { requiredKeys: [] });
    fc.assert(fc.property(headers, fc.string(), (h, body) => {
      const v = verify(hubspot, { body, headers: h, secrets: [SECRET], url: URL_, now: NOW });
      expect(REASONS).toContain(v.reason);
      expect(v.valid).toBe(v.reason === 'ok');
      expect(v.scheme).toBe('hubspot');
    }), { numRuns: 300 });
  });
});

describe('hubspot: the CLI', () => {
  it('whk sign --method GET | whk verify --method GET; the wrong method is refused', async () => {
    const s = await whk(['sign', '--scheme', 'hubspot', '--secret', SECRET, '--url', URL_, '--method', 'GET', '--body', '']);
    expect(s.code).toBe(0);
    const headers = s.stdout.trim().split('\n');
    expect(headers.map((l) => l.split(':')[0])).toEqual(['X-HubSpot-Signature-v3', 'X-HubSpot-Request-Timestamp']);
    const args = ['verify', '--scheme', 'hubspot', '--secret', SECRET, '--url', URL_, '--body', '', ...headers.flatMap((h) => ['--header', h])];
    const ok = await whk([...args, '--method', 'GET']);
    expect([ok.code, ok.stdout]).toEqual([0, expect.stringContaining('✓ valid (hubspot, method + URL + body + timestamp (v3)')]);
    const bad = await whk([...args, '--method', 'POST']);
    expect([bad.code, bad.stdout]).toEqual([1, expect.stringContaining('the signature matches the method GET')]);
  });

  it("whk sign --header 'X-HubSpot-Signature-Version: v1' gives the published v1 vector; auto-detection verifies it", async () => {
    const s = await whk(['sign', '--scheme', 'hubspot', '--secret', SECRET, '--body', BODY, '--header', 'X-HubSpot-Signature-Version: v1']);
    expect(s.stdout.trim()).toBe('X-HubSpot-Signature: 232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de\nX-HubSpot-Signature-Version: v1');
    const v = await whk(['verify', '--secret', SECRET, '--body', BODY, '--json', ...s.stdout.trim().split('\n').flatMap((h) => ['--header', h])]);
    expect(JSON.parse(v.stdout)).toMatchObject({ valid: true, scheme: 'hubspot' });
  });

  it('whk verify without --url for v3 says to pass it', async () => {
    const r = await whk(['verify', '--scheme', 'hubspot', '--secret', SECRET, '--body', BODY, ...Object.entries(v3At()).flatMap(([k, v]) => ['--header', `${k}: ${v}`])]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pass --url <the URL it posts to>/);
  });
});

describe('hubspot: whk send -> whk listen, whk probe -> whk listen', () => {
  let l: InProcess;
  let url: string;
  const S = 'hubspot-client-secret-0123';
  beforeAll(async () => {
    l = startInProcess(['listen', '--port', '0', '--json', '--scheme', 'hubspot', '--secret', S]);
    url = JSON.parse(await l.waitFor(/"type":"ready"/, 'stdout')).url;
    return async () => {
      l.signal('SIGINT');
      await l.exited;
    };
  });
  /** The n-th event line of the listener, once it has printed it. */
  const lastEvent = async (n: number) => {
    const seen = () => l.stdoutLines.filter((x) => x.includes('"type":"event"'));
    while (seen().length < n) await new Promise((r) => setTimeout(r, 20));
    return JSON.parse(seen()[n - 1]!);
  };

  it('each sample event is accepted (200), and with --wrong-secret refused (401)', async () => {
    let n = 0;
    for (const event of ['contact.propertyChange', 'contact.creation', 'deal.creation']) {
      const r = await whk(['send', url, '--scheme', 'hubspot', '--secret', S, '--event', event]);
      expect([event, r.code, r.stdout]).toEqual([event, 0, expect.stringMatching(/200/)]);
      const ev = await lastEvent(++n);
      expect(ev).toMatchObject({ scheme: 'hubspot', eventType: event, verdict: { valid: true } });
    }
    const bad = await whk(['send', url, '--scheme', 'hubspot', '--secret', S, '--wrong-secret']);
    expect(bad.code).toBe(0);
    expect(await lastEvent(++n)).toMatchObject({ response: { status: 401 }, verdict: { reason: 'no_match' } });
    const v1 = await whk(['send', url, '--scheme', 'hubspot', '--secret', S, '--header', 'X-HubSpot-Signature-Version: v1']);
    expect(v1.code).toBe(0);
    expect(await lastEvent(++n)).toMatchObject({ verdict: { valid: true, matched: expect.stringContaining('(v1:') } });
  });

  it('whk probe passes against it', async () => {
    const r = await whk(['probe', url, '--scheme', 'hubspot', '--secret', S, '--json']);
    expect([r.code, r.stderr]).toEqual([0, '']);
  });
});

describe('hubspot: whk listen --record -> whk replay --resign', () => {
  it('a delivery signed 10 minutes ago is refused as it is, and accepted re-signed', async () => {
    const S = 'hubspot-client-secret-0123';
    const file = join(mkdtempSync(join(tmpdir(), 'whk-provC1-hubspot-')), 'rec.ndjson');
    const start = async (extra: string[]) => {
      const l = startInProcess(['listen', '--port', '0', '--json', '--scheme', 'hubspot', '--secret', S, ...extra]);
      return { l, url: JSON.parse(await l.waitFor(/"type":"ready"/, 'stdout')).url as string };
    };
    const stop = async (l: InProcess) => {
      l.signal('SIGINT');
      await l.exited;
    };
    const rec = await start(['--record', file]);
    try {
      expect((await whk(['send', `${rec.url}hooks?portal=62515`, '--scheme', 'hubspot', '--secret', S, '--stale', '10m'])).code).toBe(0);
      await rec.l.waitFor(/"reason":"timestamp_too_old"/, 'stdout');
    } finally {
      await stop(rec.l);
    }
    const strict = await start([]);
    try {
      const asIs = await whk(['replay', file, '--to', strict.url]);
      expect(asIs.code).toBe(1);
      const resigned = await whk(['replay', file, '--to', strict.url, '--resign', '--secret', S]);
      expect([resigned.code, resigned.stdout]).toEqual([0, expect.stringMatching(/re-signed: hubspot/)]);
      await strict.l.waitFor(/"valid":true/, 'stdout');
    } finally {
      await stop(strict.l);
    }
  });
});
