/**
 * Hygraph: `gcms-signature: sign=<base64>, env=<env>, t=<ms>`, HMAC-SHA256 over the JSON envelope
 * {"Body","EnvironmentName","TimeStamp"}.
 * Independent check: the official @hygraph/utils (devDependency), both directions
 * (generateWebhookSignature signs, whk verifies; whk signs, verifyWebhookSignature accepts), and
 * test/providers/python/hygraph.py.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateWebhookSignature, verifyWebhookSignature } from '@hygraph/utils';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hygraph, parseSignature } from '../../src/providers/hygraph.js';
import { sign, verify } from '../../src/index.js';
import { REASONS } from '../../src/schemes/types.js';
import { startInProcess, whk, type InProcess } from '../helpers/in-process.js';
import { python as signer } from './_python.js';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const SECRET = 'rCNwyiloY3oJYYkxgpBXaleIiUv5MYlx';
const ctx = { id: 'ckadrcx4g00pw01525c5d2e56', delivery: 'd', now: 1_772_446_447, nowMs: 1_772_446_447_123, created: '2026-03-02T10:14:07.123Z', createdUnix: 1_772_446_447, attempt: 1, url: 'u' };
const BODIES = [
  ...hygraph.samples!.events.map((s) => s.body(ctx)),
  '{"operation":"update","data":{"title":"Grüße — \\"quoted\\"\\n, 😀","html":"<p>a</p>"}}',
  '{\n  "operation": "delete",\n  "data": { "id": "x" }\n}\n',
];
const sigOf = (h: Record<string, string>) => h['gcms-signature']!;

const python = (c: { secret: string; body: string; timestamp: number; headers?: Record<string, string> }) => signer('hygraph', c);

describe('hygraph: against @hygraph/utils', () => {
  it.each(BODIES.map((b, i) => [i + 1, b] as const))('body %i: the utils sign, whk verifies', (_i, body) => {
    const signature = generateWebhookSignature({ rawPayload: body, secret: SECRET, environmentName: 'staging' });
    const t = Number(/t=(\d+)$/.exec(signature)![1]);
    const v = verify(hygraph, { body, headers: { 'gcms-signature': signature }, secrets: [SECRET], now: Math.floor(t / 1000) });
    expect(v).toMatchObject({ valid: true, matched: 'JSON envelope of the raw body' });
  });

  it.each(BODIES.map((b, i) => [i + 1, b] as const))('body %i: whk signs, the utils verify', (_i, body) => {
    const signature = sigOf(sign(hygraph, { body, secrets: [SECRET], timestamp: 1_772_446_447.123 }));
    expect(signature).toMatch(/^sign=[A-Za-z0-9+/]{43}=, env=master, t=1772446447123$/);
    expect(verifyWebhookSignature({ rawPayload: body, signature, secret: SECRET })).toBe(true);
    expect(verifyWebhookSignature({ rawPayload: body, signature, secret: 'another' })).toBe(false);
  });

  it('the environment comes from the header; whk signs another with headers.env (library)', () => {
    const body = BODIES[0]!;
    const signature = sigOf(sign(hygraph, { body, secrets: [SECRET], timestamp: 1_772_446_500, headers: { env: 'staging' } }));
    expect(signature).toMatch(/, env=staging, t=1772446500000$/);
    expect(verifyWebhookSignature({ rawPayload: body, signature, secret: SECRET })).toBe(true);
    // The environment is signed: changing it breaks the signature.
    expect(verify(hygraph, { body, headers: { 'gcms-signature': signature.replace('env=staging', 'env=master') }, secrets: [SECRET], now: 1_772_446_500 }).reason).toBe('no_match');
  });
});

describe('hygraph: the Python signer and the stored vectors', () => {
  const vectors = (JSON.parse(readFileSync(root('test/providers/vectors/hygraph.json'), 'utf8')) as { cases: Array<{ secret: string; body: string; timestamp: number; requestHeaders?: Record<string, string>; headers: Record<string, string> }> }).cases;
  it.each(vectors.map((c, i) => [i + 1, c] as const))('vector %i: Python, the utils and whk agree', (_i, c) => {
    expect(python({ secret: c.secret, body: c.body, timestamp: c.timestamp, headers: c.requestHeaders })).toEqual(c.headers);
    expect(verifyWebhookSignature({ rawPayload: c.body, signature: sigOf(c.headers), secret: c.secret })).toBe(true);
    expect(sign(hygraph, { body: c.body, secrets: [c.secret], timestamp: c.timestamp / 1000, headers: c.requestHeaders })).toEqual(c.headers);
    expect(verify(hygraph, { body: c.body, headers: c.headers, secrets: [c.secret], now: Math.floor(c.timestamp / 1000) + 1 })).toMatchObject({ valid: true });
  });
});

describe('hygraph: mutations', () => {
  const body = BODIES[0]!;
  const T = 1_772_446_447;
  const good = sigOf(sign(hygraph, { body, secrets: [SECRET], timestamp: T + 0.5 }));
  it.each([
    ['tampered body', { body: body.replace('PUBLISHED', 'PUBLISHEd') }, 'no_match'],
    ['tampered signature', { headers: { 'gcms-signature': good.replace(/sign=./, (m) => (m.endsWith('A') ? 'sign=B' : 'sign=A')) } }, 'no_match'],
    ['tampered timestamp (signed)', { headers: { 'gcms-signature': good.replace(/t=(\d+)/, (_m, t: string) => `t=${Number(t) + 1}`) } }, 'no_match'],
    ['wrong secret', { secrets: ['rCNwyiloY3oJYYkxgpBXaleIiUv5MYlX'] }, 'no_match'],
    ['missing header', { headers: {} }, 'missing_header'],
    ['malformed (no env)', { headers: { 'gcms-signature': good.replace(/, env=[^,]*/, '') } }, 'malformed_header'],
    ['malformed (hex signature)', { headers: { 'gcms-signature': `sign=${'ab'.repeat(32)}, env=master, t=${T}000` } }, 'malformed_header'],
    ['stale: 301 s old', { now: T + 301 }, 'timestamp_too_old'],
    ['future: 301 s ahead', { now: T - 301 }, 'timestamp_in_future'],
  ] as const)('%s', (_what, change, reason) => {
    const v = verify(hygraph, { body, headers: { 'gcms-signature': good }, secrets: [SECRET], now: T, ...change } as Parameters<typeof verify>[1]);
    expect(v.reason).toBe(reason);
  });

  it('pairs in another order, or ", " replaced by ",", still parse', () => {
    const p = parseSignature(good)!;
    expect(verify(hygraph, { body, headers: { 'gcms-signature': `t=${p.t},sign=${p.sign},env=${p.env}` }, secrets: [SECRET], now: T }).valid).toBe(true);
  });

  it('a body with <, > or &: the envelope the utils build; Go-style escapes are accepted too, and said', () => {
    const html = BODIES[3]!;
    const signature = sigOf(sign(hygraph, { body: html, secrets: [SECRET], timestamp: T }));
    expect(verify(hygraph, { body: html, headers: { 'gcms-signature': signature }, secrets: [SECRET], now: T })).toMatchObject({ valid: true, matched: 'JSON envelope of the raw body' });
    const p = parseSignature(signature)!;
    const goEnvelope = JSON.stringify({ Body: html, EnvironmentName: 'master', TimeStamp: p.t }).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
    const goSig = `sign=${createHmac('sha256', SECRET).update(goEnvelope).digest('base64')}, env=master, t=${p.t}`;
    expect(verify(hygraph, { body: html, headers: { 'gcms-signature': goSig }, secrets: [SECRET], now: T })).toMatchObject({ valid: true, matched: expect.stringMatching(/Go-style/) });
  });

  it('property: random header values never throw, always an invalid verdict with a known reason', () => {
    const piece = fc.oneof(fc.string(), fc.constantFrom('sign=', 'env=', 't=', ', ', ',', '=', 'master'), fc.string({ unit: fc.constantFrom(...'ABCabc0123+/='), maxLength: 50 }));
    const value = fc.array(piece, { maxLength: 8 }).map((p) => p.join(''));
    fc.assert(fc.property(fc.record({ 'gcms-signature': value }, { requiredKeys: [] }), fc.string(), (h, b) => {
      const v = verify(hygraph, { body: b, headers: h, secrets: [SECRET], now: T });
      expect(v.valid).toBe(false);
      expect(REASONS).toContain(v.reason);
    }), { numRuns: 300 });
  });
});

describe('hygraph: the CLI', () => {
  it('whk sign, then whk verify (alias graphcms); the wrong secret exits 1', async () => {
    const body = BODIES[0]!;
    const s = await whk(['sign', '--scheme', 'hygraph', '--secret', SECRET, '--body', body, '--timestamp', '1772446447']);
    expect(s.stdout.trim()).toMatch(/^gcms-signature: sign=[A-Za-z0-9+/]{43}=, env=master, t=1772446447000$/);
    const header = s.stdout.trim();
    expect(verifyWebhookSignature({ rawPayload: body, signature: header.slice('gcms-signature: '.length), secret: SECRET })).toBe(true);
    const ok = await whk(['verify', '--scheme', 'graphcms', '--secret', SECRET, '--body', body, '--header', header, '--now', '1772446450']);
    expect([ok.code, ok.stdout.trim()]).toEqual([0, '✓ valid (hygraph, JSON envelope of the raw body, timestamp 3 s old)']);
    const bad = await whk(['verify', '--scheme', 'hygraph', '--secret', 'nope', '--body', body, '--header', header, '--now', '1772446450']);
    expect(bad.code).toBe(1);
  });
});

describe('hygraph: send -> listen, probe', () => {
  let l: InProcess;
  let url: string;
  beforeAll(async () => {
    l = startInProcess(['listen', '--port', '0', '--json', '--scheme', 'hygraph', '--secret', SECRET]);
    url = JSON.parse(await l.waitFor(/"type":"ready"/, 'stdout')).url;
  });
  afterAll(async () => {
    l.signal('SIGINT');
    await l.exited;
  });

  it('every sample is accepted (200); --wrong-secret is refused (401)', async () => {
    for (const args of [[], ['--event', 'update'], ['--event', 'create'], ['--wrong-secret']]) {
      const r = await whk(['send', url, '--scheme', 'hygraph', '--secret', SECRET, ...args]);
      expect([args, r.code]).toEqual([args, 0]);
    }
    await l.waitFor(/"status":401/, 'stdout');
    const got = l.stdoutLines.filter((x) => x.includes('"type":"event"')).map((x) => JSON.parse(x));
    expect(got.map((e) => [e.response.status, e.eventType])).toEqual([[200, 'publish'], [200, 'update'], [200, 'create'], [401, 'publish']]);
  });

  it('whk probe passes', async () => {
    const r = await whk(['probe', url, '--scheme', 'hygraph', '--secret', SECRET]);
    expect([r.code, r.stdout]).toEqual([0, expect.stringMatching(/0 fail/)]);
  });
});
