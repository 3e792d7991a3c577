/**
 * Meta (Facebook, Instagram, WhatsApp, Messenger): X-Hub-Signature-256 (sha256=hex) and the
 * legacy X-Hub-Signature (sha1=hex) over the raw body, keyed with the App Secret.
 * Independent check: test/providers/python/meta.py, a signer written from
 * https://developers.facebook.com/docs/graph-api/webhooks/getting-started#event-notifications
 * (no official Node SDK verifies these signatures).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meta as scheme } from '../../src/providers/meta.js';
import { sign, verify } from '../../src/index.js';
import { detectScheme, getScheme } from '../../src/index.js';
import { REASONS } from '../../src/schemes/types.js';
import { startInProcess, whk, type InProcess } from '../helpers/in-process.js';
import { python as signer } from './_python.js';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const BODY = '{"object":"page","entry":[{"id":"112233445566778","time":1735689600,"messaging":[{"sender":{"id":"6789012345678901"},"recipient":{"id":"112233445566778"},"timestamp":1735689599123,"message":{"mid":"m_AbCdEf123","text":"Hello, is this available?"}}]}]}';

/** The Python signer's headers for a case (stdin JSON -> headers JSON). */
const python = (c: { secret: string; body: string }) => signer('meta', c);


describe('meta: sign and verify', () => {
  it('round trip, under every alias', () => {
    const headers = sign('meta', { body: BODY, secrets: [SECRET] });
    expect(Object.keys(headers)).toEqual(['X-Hub-Signature-256', 'X-Hub-Signature']);
    for (const name of ['meta', 'facebook', 'instagram', 'whatsapp', 'messenger']) {
      expect(getScheme(name)).toBe(scheme);
      expect(verify(name, { body: BODY, headers, secrets: [SECRET] })).toMatchObject({ valid: true, scheme: 'meta', matched: 'raw body' });
    }
  });

  it('the legacy X-Hub-Signature (sha1) alone verifies, and says so', () => {
    const { 'X-Hub-Signature': sha1 } = sign(scheme, { body: BODY, secrets: [SECRET] });
    expect(verify(scheme, { body: BODY, headers: { 'X-Hub-Signature': sha1 }, secrets: [SECRET] })).toMatchObject({ valid: true, matched: 'raw body (legacy SHA-1 header)' });
  });

  it('with both headers, the SHA-256 one decides (a bad SHA-256 is not rescued by a good SHA-1)', () => {
    const good = sign(scheme, { body: BODY, secrets: [SECRET] });
    const v = verify(scheme, { body: BODY, headers: { ...good, 'X-Hub-Signature-256': `sha256=${'0'.repeat(64)}` }, secrets: [SECRET] });
    expect(v.reason).toBe('no_match');
  });
});

describe('meta: independent check (Python signer from the docs text)', () => {
  const vectors = JSON.parse(readFileSync(root('test/providers/vectors/meta.json'), 'utf8')) as { cases: Array<{ secret: string; body: string; headers: Record<string, string> }> };

  it.each(vectors.cases.map((c, i) => [i + 1, c] as const))('vector %i: Python reproduces it, whk signs it byte for byte and verifies it', (_i, c) => {
    expect(python(c)).toEqual(c.headers);
    expect(sign(scheme, { body: c.body, secrets: [c.secret] })).toEqual(c.headers);
    expect(verify(scheme, { body: c.body, headers: c.headers, secrets: [c.secret] })).toMatchObject({ valid: true });
  });

  it('every sample event: Python signs, whk verifies; whk signs, Python agrees', () => {
    for (const s of scheme.samples!.events) {
      const ctx = { id: scheme.samples!.newId(), delivery: 'd', now: 1_735_689_600, nowMs: 1_735_689_600_123, created: '2025-01-01T00:00:00.000Z', createdUnix: 1_735_689_600, attempt: 1, url: 'http://x/' };
      const body = s.body(ctx);
      const py = python({ secret: SECRET, body });
      expect(verify(scheme, { body, headers: py, secrets: [SECRET] })).toMatchObject({ valid: true });
      expect(sign(scheme, { body, secrets: [SECRET] })).toEqual(py);
    }
  });
});

describe('meta: mutations', () => {
  const good = sign(scheme, { body: BODY, secrets: [SECRET] });
  it.each([
    ['tampered body', BODY.replace('available', 'Available'), good, SECRET, 'no_match'],
    ['tampered signature', BODY, { ...good, 'X-Hub-Signature-256': good['X-Hub-Signature-256']!.replace(/.$/, (c) => (c === '0' ? '1' : '0')) }, SECRET, 'no_match'],
    ['wrong secret', BODY, good, 'not-the-app-secret', 'no_match'],
    ['missing headers', BODY, {}, SECRET, 'missing_header'],
    ['malformed (base64 where hex belongs)', BODY, { 'X-Hub-Signature-256': 'sha256=3qGH9nMEV1Xp7eXzt8hk4E1iWzGZXkdRWHc5ZzbXLS0=' }, SECRET, 'malformed_header'],
    ['malformed (upper-case hex)', BODY, { 'X-Hub-Signature-256': good['X-Hub-Signature-256']!.toUpperCase() }, SECRET, 'malformed_header'],
    ['malformed (no prefix)', BODY, { 'X-Hub-Signature-256': good['X-Hub-Signature-256']!.slice(7) }, SECRET, 'malformed_header'],
  ] as const)('%s', (_what, body, headers, secret, reason) => {
    expect(verify(scheme, { body, headers, secrets: [secret] }).reason).toBe(reason);
  });

  it('a body re-serialized with raw UTF-8 (Meta sends \\u escapes) fails: what was signed is the escaped text', () => {
    const c = JSON.parse(readFileSync(root('test/providers/vectors/meta.json'), 'utf8')).cases[1] as { secret: string; body: string; headers: Record<string, string> };
    const decoded = JSON.stringify(JSON.parse(c.body));
    expect(decoded).not.toBe(c.body);
    expect(verify(scheme, { body: decoded, headers: c.headers, secrets: [c.secret] }).reason).toBe('no_match');
  });

  it('property: random header values never throw, always an invalid verdict with a known reason', () => {
    const value = fc.oneof(fc.string(), fc.constantFrom('sha256=', 'sha1=').chain((p) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF=+/ '), maxLength: 70 }).map((s) => p + s)));
    fc.assert(fc.property(fc.record({ 'X-Hub-Signature-256': value, 'X-Hub-Signature': value }, { requiredKeys: [] }), fc.string(), (h, body) => {
      const v = verify(scheme, { body, headers: h, secrets: [SECRET] });
      expect(v.valid).toBe(false);
      expect(REASONS).toContain(v.reason);
    }), { numRuns: 300 });
  });
});

describe('meta and GitHub share their headers', () => {
  it('auto-detection lists github first, then meta; a GitHub delivery is verified as github', () => {
    const headers = { ...sign('github', { body: BODY, secrets: [SECRET] }), 'X-GitHub-Event': 'push' };
    const found = detectScheme(headers);
    expect(found[0]).toBe('github');
    expect(found).toContain('meta');
    expect(verify('auto', { body: BODY, headers, secrets: [SECRET] })).toMatchObject({ valid: true, scheme: 'github' });
  });

  it('a Meta delivery under auto is valid (same algorithm) and named github; --scheme meta names it', () => {
    const headers = sign(scheme, { body: BODY, secrets: [SECRET] });
    expect(verify('auto', { body: BODY, headers, secrets: [SECRET] })).toMatchObject({ valid: true, scheme: 'github' });
    expect(verify('facebook', { body: BODY, headers, secrets: [SECRET] })).toMatchObject({ valid: true, scheme: 'meta' });
  });

  it('eventInfo: <object>.<field> and the id of what the event is about', () => {
    const ctx = { id: '17890000000000001', delivery: 'd', now: 1, nowMs: 1000, created: 'c', createdUnix: 1, attempt: 1, url: 'u' };
    const [wa, page, ig] = scheme.samples!.events.map((s) => scheme.eventInfo!({}, JSON.parse(s.body(ctx))));
    expect(wa).toEqual({ type: 'whatsapp_business_account.messages', id: 'wamid.HBgLMTYzMTU1NTExODEVAgASGBQ17890000000000001A==' });
    expect(page).toEqual({ type: 'page.messages', id: 'm_17890000000000001' });
    expect(ig).toEqual({ type: 'instagram.comments', id: '17890000000000001' });
    expect(scheme.samples!.events.map((s) => s.event)).toEqual([wa!.type, page!.type, ig!.type]);
  });

  it('samples are what Meta sends: compact, non-ASCII and "/" escaped', () => {
    const ctx = { id: '1', delivery: 'd', now: 1, nowMs: 1000, created: 'c', createdUnix: 1, attempt: 1, url: 'u' };
    for (const s of scheme.samples!.events) {
      const body = s.body(ctx);
      expect(body).toMatch(/^[\x20-\x7e]*$/);
      expect(body).not.toMatch(/(?<!\\)\//);
      expect(JSON.stringify(JSON.parse(body))).toBe(body.replace(/\\\//g, '/').replace(/\\u([0-9a-f]{4})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))));
    }
  });
});

describe('meta: the CLI', () => {
  it('whk sign then whk verify (alias whatsapp), and a wrong secret exits 1', async () => {
    const signed = await whk(['sign', '--scheme', 'meta', '--secret', SECRET, '--body', BODY]);
    expect(signed.code).toBe(0);
    const headers = signed.stdout.trim().split('\n').flatMap((l) => ['--header', l]);
    expect(signed.stdout).toContain(`X-Hub-Signature-256: ${sign(scheme, { body: BODY, secrets: [SECRET] })['X-Hub-Signature-256']}`);
    const ok = await whk(['verify', '--scheme', 'whatsapp', '--secret', SECRET, '--body', BODY, ...headers]);
    expect([ok.code, ok.stdout]).toEqual([0, expect.stringMatching(/valid \(meta/)]);
    const bad = await whk(['verify', '--scheme', 'meta', '--secret', 'nope', '--body', BODY, ...headers]);
    expect(bad.code).toBe(1);
  });
});

describe('meta: send -> listen, probe', () => {
  let l: InProcess;
  let url: string;
  beforeAll(async () => {
    l = startInProcess(['listen', '--port', '0', '--json', '--scheme', 'meta', '--secret', SECRET]);
    url = JSON.parse(await l.waitFor(/"type":"ready"/, 'stdout')).url;
  });
  afterAll(async () => {
    l.signal('SIGINT');
    await l.exited;
  });
  const events = () => l.stdoutLines.filter((x) => x.includes('"type":"event"')).map((x) => JSON.parse(x));

  it('every sample is accepted (200); --wrong-secret is refused (401)', async () => {
    for (const event of scheme.samples!.events.map((s) => s.event)) {
      const r = await whk(['send', url, '--scheme', 'meta', '--secret', SECRET, '--event', event]);
      expect([event, r.code]).toEqual([event, 0]);
    }
    const r = await whk(['send', url, '--scheme', 'meta', '--secret', SECRET, '--wrong-secret']);
    expect(r.code).toBe(0);
    await l.waitFor(/"status":401/, 'stdout');
    const got = events();
    expect(got.map((e) => e.response.status)).toEqual([200, 200, 200, 401]);
    expect(got.slice(0, 3).map((e) => [e.scheme, e.eventType])).toEqual(scheme.samples!.events.map((s) => ['meta', s.event]));
  });

  it('whk probe passes', async () => {
    const r = await whk(['probe', url, '--scheme', 'meta', '--secret', SECRET]);
    expect([r.code, r.stdout]).toEqual([0, expect.any(String)]);
  });
});

describe('meta: whk listen in auto mode', () => {
  it('a GitHub delivery is still verified as github; the hub.challenge GET handshake is answered, unverified', async () => {
    const l = startInProcess(['listen', '--port', '0', '--json', '--secret', SECRET]);
    try {
      const url = JSON.parse(await l.waitFor(/"type":"ready"/, 'stdout')).url as string;
      const r = await whk(['send', url, '--scheme', 'github', '--secret', SECRET]);
      expect(r.code).toBe(0);
      const ev = JSON.parse(await l.waitFor(/"type":"event"/, 'stdout'));
      expect([ev.scheme, ev.verdict.valid]).toEqual(['github', true]);
      // Meta's verification request, as Meta sends it (User-Agent facebookplatform/1.0).
      const g = await fetch(`${url}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock`, { headers: { 'user-agent': 'facebookplatform/1.0 (+http://developers.facebook.com)' } });
      expect(g.status).toBe(200);
      await g.text();
      await l.waitFor(/hub\.challenge=1158201444/, 'stdout');
      const handshake = l.stdoutLines.map((x) => JSON.parse(x)).find((x) => x.type === 'event' && x.method === 'GET');
      expect(handshake.verdict).toBeNull();
    } finally {
      l.signal('SIGINT');
      await l.exited;
    }
  });
});

// whk schemes --json: the docs page and how the provider is checked.
it('meta is listed with its docs and how it is checked', async () => {
  const r = await whk(['schemes', '--json']);
  const row = (JSON.parse(r.stdout) as Array<{ name: string; docs?: string; checkedBy?: string }>).find((x) => x.name === 'meta');
  expect(row).toMatchObject({ docs: scheme.docs, checkedBy: expect.stringMatching(/^docs text/) });
});
