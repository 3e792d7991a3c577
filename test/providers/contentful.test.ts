/**
 * Contentful webhook request verification: x-contentful-signature, hex HMAC-SHA256 of the
 * canonical request (method, normalized path, the headers named in x-contentful-signed-headers,
 * body), x-contentful-timestamp in ms, 30 s TTL.
 * Independent check: the official @contentful/node-apps-toolkit (devDependency), both directions
 * (signRequest signs, whk verifies; whk signs, verifyRequest accepts), and
 * test/providers/python/contentful.py.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ExpiredRequestException, signRequest, verifyRequest } from '@contentful/node-apps-toolkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentful, normalizedPath, pathOf } from '../../src/providers/contentful.js';
import { sign, verify } from '../../src/index.js';
import { REASONS } from '../../src/schemes/types.js';
import { startInProcess, whk, type InProcess } from '../helpers/in-process.js';
import { python as signer } from './_python.js';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const SECRET = 'qlfkupAwYA4ZkNnmBzmNypFqSRWOwhpGRFwQFn5iPNAGHSYdvwed1C77n0Eiaz19';
const MS = 1_772_446_447_123;
const NOW = Math.floor(MS / 1000) + 1;
const ctx = { id: '5KsDBWseXY6QegucYAoacS', delivery: 'd', now: NOW, nowMs: MS, created: '2026-03-02T10:14:07.123Z', createdUnix: NOW - 1, attempt: 1, url: 'u' };
const BODY = contentful.samples!.events[0]!.body(ctx);
const TOPIC = { 'X-Contentful-Topic': 'ContentManagement.Entry.publish', 'X-Contentful-Webhook-Name': 'Build site' };
const PATHS = ['/webhooks/contentful', '/hooks/cms?site=blog&lang=de', '/a b/é?q=ä ö&x=%41', '/p?a=1?b=2', '/'];
type Method = 'POST' | 'PUT' | 'GET' | 'DELETE' | 'PATCH';

const python = (c: Record<string, unknown>) => signer('contentful', c);
const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

describe('contentful: against @contentful/node-apps-toolkit', () => {
  it.each(PATHS.flatMap((p) => (['POST', 'PUT'] as Method[]).map((m) => [p, m] as const)))('path %s, %s: the toolkit signs, whk verifies (with the full URL or the path)', (path, method) => {
    const headers = { ...TOPIC, 'Content-Type': 'application/vnd.contentful.management.v1+json' };
    const signed = signRequest(SECRET, { method, path, headers, body: BODY }, MS);
    const received = { ...headers, ...signed };
    for (const url of [`https://hooks.example.com${path}`, path]) {
      const v = verify(contentful, { body: BODY, headers: received, secrets: [SECRET], url, method, now: NOW });
      expect([url, v]).toEqual([url, expect.objectContaining({ valid: true, age: 1 })]);
    }
    // The method is signed.
    expect(verify(contentful, { body: BODY, headers: received, secrets: [SECRET], url: path, method: method === 'POST' ? 'PUT' : 'POST', now: NOW }).reason).toBe('no_match');
  });

  it.each(PATHS.flatMap((p) => (['POST', 'DELETE'] as Method[]).map((m) => [p, m] as const)))('path %s, %s: whk signs, the toolkit verifies', (path, method) => {
    const signed = sign(contentful, { body: BODY, secrets: [SECRET], timestamp: MS / 1000, url: `http://127.0.0.1:4000${path}`, method, headers: TOPIC });
    expect(signed['x-contentful-signed-headers']).toBe('x-contentful-signed-headers,x-contentful-timestamp,x-contentful-topic,x-contentful-webhook-name');
    expect(signed['x-contentful-timestamp']).toBe(String(MS));
    expect(verifyRequest(SECRET, { method, path, headers: { ...TOPIC, ...signed }, body: BODY }, 0)).toBe(true);
    expect(verifyRequest(SECRET, { method, path, headers: { ...TOPIC, 'X-Contentful-Topic': 'ContentManagement.Entry.delete', ...signed }, body: BODY }, 0)).toBe(false);
    // And the toolkit, given the same inputs, makes the same signature.
    expect(signRequest(SECRET, { method, path, headers: TOPIC, body: BODY }, MS)).toEqual(signed);
  });

  it("whk's listed headers are exactly the ones the toolkit picks: an unlisted header may change, a listed one may not", () => {
    const signed = signRequest(SECRET, { method: 'POST', path: '/h', headers: { 'X-Contentful-Topic': 'ContentManagement.Entry.publish' }, body: BODY }, MS);
    const base = { ...signed, 'X-Contentful-Topic': 'ContentManagement.Entry.publish', 'X-Other': 'a' };
    const judge = (h: Record<string, string>) => verify(contentful, { body: BODY, headers: h, secrets: [SECRET], url: '/h', now: NOW }).reason;
    expect(judge(base)).toBe('ok');
    expect(judge({ ...base, 'X-Other': 'b' })).toBe('ok');
    expect(judge({ ...base, 'X-Contentful-Topic': 'ContentManagement.Entry.delete' })).toBe('no_match');
    // Values are trimmed, as the toolkit does.
    expect(judge({ ...base, 'X-Contentful-Topic': '  ContentManagement.Entry.publish ' })).toBe('ok');
  });

  it('the TTL: valid until 29 s, refused from 30 s (as verifyRequest), and a future timestamp passes (as verifyRequest)', () => {
    const signed = signRequest(SECRET, { method: 'POST', path: '/h', body: BODY }, MS);
    const at = (now: number) => verify(contentful, { body: BODY, headers: signed, secrets: [SECRET], url: '/h', now }).reason;
    const t = Math.floor(MS / 1000);
    expect([at(t + 29), at(t + 30), at(t - 3600)]).toEqual(['ok', 'timestamp_too_old', 'ok']);
    expect(() => verifyRequest(SECRET, { method: 'POST', path: '/h', headers: signed, body: BODY })).toThrow(ExpiredRequestException);
  });
});

describe('contentful: the Python signer and the stored vectors', () => {
  const vectors = (JSON.parse(readFileSync(root('test/providers/vectors/contentful.json'), 'utf8')) as { cases: Array<{ secret: string; method: string; url: string; timestamp: number; requestHeaders: Record<string, string>; body: string; headers: Record<string, string> }> }).cases;
  it.each(vectors.map((c, i) => [i + 1, c] as const))('vector %i: Python, the toolkit and whk agree', (_i, c) => {
    expect(python({ secret: c.secret, method: c.method, url: c.url, timestamp: c.timestamp, headers: c.requestHeaders, body: c.body })).toEqual(c.headers);
    expect(verifyRequest(c.secret, { method: c.method as Method, path: c.url, headers: { ...c.requestHeaders, ...c.headers }, body: c.body }, 0)).toBe(true);
    expect(sign(contentful, { body: c.body, secrets: [c.secret], timestamp: c.timestamp / 1000, url: c.url, method: c.method, headers: c.requestHeaders })).toEqual(c.headers);
    expect(verify(contentful, { body: c.body, headers: { ...c.requestHeaders, ...c.headers }, secrets: [c.secret], url: c.url, method: c.method, now: Math.floor(c.timestamp / 1000) })).toMatchObject({ valid: true });
  });

  it('Python signs each sample as whk send builds it (its headers signed), whk verifies', () => {
    for (const s of contentful.samples!.events) {
      const body = s.body(ctx);
      const own = contentful.samples!.headers!(ctx, s);
      const py = python({ secret: SECRET, method: 'POST', url: '/hooks/cms?tenant=7', timestamp: MS, headers: own, body });
      expect(verify(contentful, { body, headers: { ...own, ...py }, secrets: [SECRET], url: 'https://x.example/hooks/cms?tenant=7', now: NOW })).toMatchObject({ valid: true });
      expect(lower(sign(contentful, { body, secrets: [SECRET], timestamp: MS / 1000, url: '/hooks/cms?tenant=7', headers: own }))).toEqual(py);
    }
  });

  it('the path as the toolkit normalizes it', () => {
    expect(PATHS.map((p) => normalizedPath(pathOf(`https://h.example${p}#frag`)))).toEqual([
      '/webhooks/contentful', '/hooks/cms?site%253Dblog%2526lang%253Dde', '/a%20b/%C3%A9?q%253D%25C3%25A4%2520%25C3%25B6%2526x%253D%252541', '/p?a%253D1', '/',
    ]);
  });
});

describe('contentful: mutations', () => {
  const good: Record<string, string> = { ...TOPIC, ...sign(contentful, { body: BODY, secrets: [SECRET], timestamp: MS / 1000, url: '/h', headers: TOPIC }) };
  const judge = (change: Record<string, unknown>) =>
    verify(contentful, { body: BODY, headers: good, secrets: [SECRET], url: '/h', now: NOW, ...change } as Parameters<typeof verify>[1]).reason;
  it.each([
    ['tampered body', { body: BODY.replace('Hello', 'Hellp') }, 'no_match'],
    ['tampered signature', { headers: { ...good, 'x-contentful-signature': good['x-contentful-signature']!.replace(/^./, (c: string) => (c === '0' ? '1' : '0')) } }, 'no_match'],
    ['tampered path', { url: '/h2' }, 'no_match'],
    ['tampered signed header', { headers: { ...good, 'X-Contentful-Topic': 'ContentManagement.Entry.delete' } }, 'no_match'],
    ['a signed header dropped from the list', { headers: { ...good, 'x-contentful-signed-headers': 'x-contentful-signed-headers,x-contentful-timestamp,x-contentful-topic' } }, 'no_match'],
    ['wrong secret', { secrets: [SECRET.replace('q', 'Q')] }, 'no_match'],
    ['missing signature', { headers: { ...good, 'x-contentful-signature': undefined } }, 'missing_header'],
    ['missing signed-headers', { headers: { ...good, 'x-contentful-signed-headers': undefined } }, 'missing_header'],
    ['missing timestamp', { headers: { ...good, 'x-contentful-timestamp': undefined } }, 'missing_timestamp'],
    ['malformed signature (base64)', { headers: { ...good, 'x-contentful-signature': 'dXNlIGhleCwgbm90IGJhc2U2NCwgZm9yIGNvbnRlbnRmdWw=' } }, 'malformed_header'],
    ['malformed timestamp (seconds)', { headers: { ...good, 'x-contentful-timestamp': String(Math.floor(MS / 1000)) } }, 'malformed_header'],
    ['stale: 30 s old', { now: Math.floor(MS / 1000) + 30 }, 'timestamp_too_old'],
    ['future: an hour ahead (the toolkit checks the past only)', { now: Math.floor(MS / 1000) - 3600 }, 'ok'],
  ] as const)('%s', (_what, change, reason) => {
    expect(judge(change)).toBe(reason);
  });

  it('a secret that is not 64 characters: the no_match says what Contentful secrets look like', () => {
    const v = verify(contentful, { body: BODY, headers: good, secrets: ['short'], url: '/h', now: NOW });
    expect(v.message).toMatch(/Contentful signing secrets are 64 characters long/);
  });

  it('no URL: a usage error, not a verdict', () => {
    expect(() => verify(contentful, { body: BODY, headers: good, secrets: [SECRET], now: NOW })).toThrow(/contentful signs the request path and query: the URL it posts to is needed/);
  });

  it('property: random header values never throw, always an invalid verdict with a known reason', () => {
    const names = fc.constantFrom('x-contentful-signed-headers', 'x-contentful-timestamp', 'x-contentful-topic', 'content-type', '', ' ', 'X-Contentful-Topic', 'x-contentful-signature');
    const value = fc.oneof(fc.string(), fc.array(names, { maxLength: 6 }).map((n) => n.join(',')), fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), maxLength: 70 }), fc.nat().map(String));
    const h = fc.record({ 'x-contentful-signature': value, 'x-contentful-signed-headers': value, 'x-contentful-timestamp': value, 'x-contentful-topic': value }, { requiredKeys: [] });
    fc.assert(fc.property(h, fc.string(), fc.string(), (hh, body, path) => {
      const v = verify(contentful, { body, headers: hh, secrets: [SECRET], url: `/${path}`, now: NOW });
      expect(v.valid).toBe(false);
      expect(REASONS).toContain(v.reason);
    }), { numRuns: 300 });
  });
});

describe('contentful: the CLI', () => {
  it('whk sign --url --method --header, the toolkit verifies; whk verify agrees', async () => {
    const s = await whk(['sign', '--scheme', 'contentful', '--secret', SECRET, '--body', BODY, '--url', 'https://hooks.example.com/cms?x=1', '--method', 'PUT', '--header', 'X-Contentful-Topic: ContentManagement.Entry.publish', '--timestamp', String(Math.floor(MS / 1000))]);
    expect(s.code).toBe(0);
    const headers = Object.fromEntries(s.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
    expect(verifyRequest(SECRET, { method: 'PUT', path: '/cms?x=1', headers: { ...headers, 'X-Contentful-Topic': 'ContentManagement.Entry.publish' }, body: BODY }, 0)).toBe(true);
    const args = [...Object.entries(headers), ['X-Contentful-Topic', 'ContentManagement.Entry.publish']].flatMap(([k, v]) => ['--header', `${k}: ${v}`]);
    const ok = await whk(['verify', '--scheme', 'contentful', '--secret', SECRET, '--body', BODY, '--url', '/cms?x=1', '--method', 'PUT', '--now', String(NOW), ...args]);
    expect([ok.code, ok.stdout.trim()]).toEqual([0, expect.stringMatching(/^✓ valid \(contentful, canonical request \(PUT \/cms\?x%253D1, 3 headers, raw body\)/)]);
    const post = await whk(['verify', '--scheme', 'contentful', '--secret', SECRET, '--body', BODY, '--url', '/cms?x=1', '--now', String(NOW), ...args]);
    expect(post.code).toBe(1);
  });
});

describe('contentful: send -> listen, probe', () => {
  let l: InProcess;
  let url: string;
  beforeAll(async () => {
    l = startInProcess(['listen', '--port', '0', '--json', '--path', '/hooks/cms', '--scheme', 'contentful', '--secret', SECRET]);
    url = `${JSON.parse(await l.waitFor(/"type":"ready"/, 'stdout')).url.replace(/\/$/, '')}/hooks/cms?tenant=7`;
  });
  afterAll(async () => {
    l.signal('SIGINT');
    await l.exited;
  });

  it('every sample is accepted (200), its headers signed; --wrong-secret is refused (401)', async () => {
    for (const args of [[], ['--event', 'ContentManagement.Entry.save'], ['--event', 'ContentManagement.Entry.unpublish'], ['--wrong-secret']]) {
      const r = await whk(['send', url, '--scheme', 'contentful', '--secret', SECRET, ...args]);
      expect([args, r.code]).toEqual([args, 0]);
    }
    await l.waitFor(/"status":401/, 'stdout');
    const got = l.stdoutLines.filter((x) => x.includes('"type":"event"')).map((x) => JSON.parse(x));
    expect(got.map((e) => [e.response.status, e.eventType])).toEqual([
      [200, 'ContentManagement.Entry.publish'], [200, 'ContentManagement.Entry.save'], [200, 'ContentManagement.Entry.unpublish'], [401, 'ContentManagement.Entry.publish'],
    ]);
    expect(got[0].headers['x-contentful-signed-headers']).toBe('x-contentful-crn,x-contentful-signed-headers,x-contentful-timestamp,x-contentful-topic,x-contentful-webhook-name,x-contentful-webhook-request-attempt');
  });

  it('whk probe passes', async () => {
    const r = await whk(['probe', url, '--scheme', 'contentful', '--secret', SECRET]);
    expect([r.code, r.stdout]).toEqual([0, expect.stringMatching(/0 fail/)]);
  });
});
