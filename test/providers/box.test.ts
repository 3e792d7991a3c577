/**
 * Box (webhooks V2): BOX-SIGNATURE-PRIMARY / BOX-SIGNATURE-SECONDARY, base64 HMAC-SHA256 of the
 * body followed by BOX-DELIVERY-TIMESTAMP, one per key.
 * Independent checks: the SDKs' published test vectors (box-node-sdk test/lib/managers/webhooks-test.js
 * validateMessage, keys SamplePrimaryKey / SampleSecondaryKey; box-sdk-gen's escaping tests), kept
 * in test/providers/vectors/box.json, and test/providers/python/box.py, a signer written from
 * https://developer.box.com/guides/webhooks/v2/signatures-v2/ (the SDK is not a devDependency).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { box, boxTimestamp } from '../../src/providers/box.js';
import { sign, verify } from '../../src/index.js';
import { REASONS } from '../../src/schemes/types.js';
import { startInProcess, whk, type InProcess } from '../helpers/in-process.js';
import { python as signer } from './_python.js';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
interface Case { secret: string; secondary?: string; body: string; timestamp: string; id?: string; headers: Record<string, string> }
const vectors = (JSON.parse(readFileSync(root('test/providers/vectors/box.json'), 'utf8')) as { cases: Case[] }).cases;
const SDK = vectors[0]!;
/** The SDK test's timestamp is 2020-01-01T00:00:00-07:00: one minute later. */
const NOW = Date.parse('2020-01-01T00:01:00-07:00') / 1000;
const all = (c: Case): Record<string, string> => ({
  'BOX-SIGNATURE-VERSION': '1', 'BOX-SIGNATURE-ALGORITHM': 'HmacSHA256', 'BOX-DELIVERY-TIMESTAMP': c.timestamp, ...c.headers,
});

const python = (c: Omit<Case, 'headers'>) => signer('box', c);

describe('box: the SDK vectors', () => {
  it('the box-node-sdk validateMessage sample: valid with both keys, with either alone, in either order', () => {
    const headers = all(SDK);
    const at = (secrets: string[]) => verify(box, { body: SDK.body, headers, secrets, now: NOW });
    expect(at(['SamplePrimaryKey', 'SampleSecondaryKey'])).toMatchObject({ valid: true, secretIndex: 0, matched: 'raw body, BOX-SIGNATURE-PRIMARY', age: 60 });
    expect(at(['SampleSecondaryKey'])).toMatchObject({ valid: true, secretIndex: 0, matched: 'raw body, BOX-SIGNATURE-SECONDARY' });
    expect(at(['IncorrectKey', 'SampleSecondaryKey'])).toMatchObject({ valid: true, secretIndex: 1 });
    expect(at(['IncorrectKey'])).toMatchObject({ valid: false, reason: 'no_match' });
  });

  it('whk signs the SDK sample byte for byte (both keys)', () => {
    const ts = Date.parse(SDK.timestamp) / 1000;
    const out = sign(box, { body: SDK.body, secrets: [SDK.secret, SDK.secondary!], timestamp: ts });
    // whk writes the same instant in Pacific standard time (-08:00): its own signature, same rules.
    expect(out['BOX-DELIVERY-TIMESTAMP']).toBe('2019-12-31T23:00:00-08:00');
    expect(python({ ...SDK, timestamp: out['BOX-DELIVERY-TIMESTAMP']! })).toEqual({ ...out, 'BOX-DELIVERY-ID': SDK.id });
  });

  it.each(vectors.map((c, i) => [i + 1, c] as const))('vector %i verifies, and Python reproduces it', (_i, c) => {
    const now = Date.parse(c.timestamp) / 1000 + 1;
    expect(verify(box, { body: c.body, headers: all(c), secrets: [c.secret], now })).toMatchObject({ valid: true });
    const { note: _n, published: _p, headers, ...input } = c as Case & { note?: string; published?: boolean };
    const py = python(input);
    for (const [k, v] of Object.entries(headers)) expect([k, py[k]]).toEqual([k, v]);
  });

  it("the SDKs' fallback: a body whose non-ASCII and '/' were decoded still verifies, and the verdict says so", () => {
    for (const c of [vectors[1]!, vectors[2]!]) {
      const decoded = JSON.stringify(JSON.parse(c.body));
      expect(decoded).not.toBe(c.body);
      const v = verify(box, { body: decoded, headers: all(c), secrets: [c.secret], now: Date.parse(c.timestamp) / 1000 });
      expect(v).toMatchObject({ valid: true, matched: expect.stringMatching(/^body with non-ASCII and "\/" escaped as Box sends them/) });
    }
  });
});

describe('box: round trip and the Python signer', () => {
  const body = box.samples!.events[0]!.body({ id: 'eb0c4e06-751f-442c-86f8-fd5bb404dbec', delivery: 'd', now: 1_735_689_600, nowMs: 1_735_689_600_000, created: 'c', createdUnix: 1_735_689_600, attempt: 1, url: 'u' });
  it('one key: only BOX-SIGNATURE-PRIMARY; two keys: both headers', () => {
    const one = sign(box, { body, secrets: ['pRiMaRy'], timestamp: 1_735_689_600 });
    expect(Object.keys(one).sort()).toEqual(['BOX-DELIVERY-TIMESTAMP', 'BOX-SIGNATURE-ALGORITHM', 'BOX-SIGNATURE-PRIMARY', 'BOX-SIGNATURE-VERSION']);
    const two = sign(box, { body, secrets: ['pRiMaRy', 'sEcOnDaRy'], timestamp: 1_735_689_600 });
    expect(verify(box, { body, headers: two, secrets: ['sEcOnDaRy'], now: 1_735_689_600 })).toMatchObject({ valid: true, matched: 'raw body, BOX-SIGNATURE-SECONDARY' });
    expect(python({ secret: 'pRiMaRy', secondary: 'sEcOnDaRy', body, timestamp: two['BOX-DELIVERY-TIMESTAMP']! })).toEqual(two);
  });

  it('Python signs every sample, whk verifies', () => {
    for (const s of box.samples!.events) {
      const b = s.body({ id: 'x-1', delivery: 'd', now: 1_735_689_600, nowMs: 1_735_689_600_000, created: 'c', createdUnix: 1_735_689_600, attempt: 1, url: 'u' });
      expect(b).toMatch(/^[\x20-\x7e]*$/);
      const py = python({ secret: 'k1', secondary: 'k2', body: b, timestamp: boxTimestamp(1_735_689_600) });
      expect(verify(box, { body: b, headers: py, secrets: ['k2'], now: 1_735_689_600 })).toMatchObject({ valid: true });
    }
  });
});

describe('box: mutations', () => {
  const headers = all(SDK);
  const flip = (v: string) => v.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
  it.each([
    ['tampered body', { body: SDK.body.replace('Test', 'Tess') }, 'no_match'],
    ['tampered signatures', { headers: { ...headers, 'BOX-SIGNATURE-PRIMARY': flip(headers['BOX-SIGNATURE-PRIMARY']!), 'BOX-SIGNATURE-SECONDARY': flip(headers['BOX-SIGNATURE-SECONDARY']!) } }, 'no_match'],
    ['wrong secret', { secrets: ['SampleTertiaryKey'] }, 'no_match'],
    ['missing signature headers', { headers: { ...headers, 'BOX-SIGNATURE-PRIMARY': undefined, 'BOX-SIGNATURE-SECONDARY': undefined } }, 'missing_header'],
    ['malformed signature (hex), the only one', { headers: { ...headers, 'BOX-SIGNATURE-PRIMARY': 'e937de016dc0d4f0129206e8c71039cac1cd28ec05c8c5ae1179f2fc53c3e612', 'BOX-SIGNATURE-SECONDARY': undefined } }, 'malformed_header'],
    ['malformed primary beside a valid secondary', { headers: { ...headers, 'BOX-SIGNATURE-PRIMARY': 'e937de016dc0d4f0129206e8c71039cac1cd28ec05c8c5ae1179f2fc53c3e612' } }, 'ok'],
    ['missing BOX-SIGNATURE-VERSION', { headers: { ...headers, 'BOX-SIGNATURE-VERSION': undefined } }, 'missing_header'],
    ['BOX-SIGNATURE-VERSION 2', { headers: { ...headers, 'BOX-SIGNATURE-VERSION': '2' } }, 'malformed_header'],
    ['BOX-SIGNATURE-ALGORITHM HmacSHA512', { headers: { ...headers, 'BOX-SIGNATURE-ALGORITHM': 'HmacSHA512' } }, 'malformed_header'],
    ['missing timestamp', { headers: { ...headers, 'BOX-DELIVERY-TIMESTAMP': undefined } }, 'missing_timestamp'],
    ['malformed timestamp (Unix seconds)', { headers: { ...headers, 'BOX-DELIVERY-TIMESTAMP': '1577862000' } }, 'malformed_header'],
    ['tampered timestamp (signed)', { headers: { ...headers, 'BOX-DELIVERY-TIMESTAMP': '2020-01-01T00:00:30-07:00' } }, 'no_match'],
    ['stale: 601 s old', { now: Date.parse(SDK.timestamp) / 1000 + 601 }, 'timestamp_too_old'],
    ['future: 601 s ahead', { now: Date.parse(SDK.timestamp) / 1000 - 601 }, 'timestamp_in_future'],
  ] as const)('%s', (_what, change, reason) => {
    const v = verify(box, { body: SDK.body, headers, secrets: ['SamplePrimaryKey', 'SampleSecondaryKey'], now: NOW, ...change } as Parameters<typeof verify>[1]);
    expect(v.reason).toBe(reason);
  });

  it('at the edges: 600 s old and 600 s ahead are valid', () => {
    for (const now of [Date.parse(SDK.timestamp) / 1000 + 600, Date.parse(SDK.timestamp) / 1000 - 600]) {
      expect(verify(box, { body: SDK.body, headers, secrets: ['SamplePrimaryKey'], now }).valid).toBe(true);
    }
  });

  it('property: random header values never throw, always an invalid verdict with a known reason', () => {
    const b64 = fc.string({ unit: fc.constantFrom(...'ABCDEFabcdef0123456789+/='), maxLength: 50 });
    const value = fc.oneof(fc.string(), b64, fc.constantFrom('1', 'HmacSHA256', '2020-01-01T00:00:00-07:00', '2020-13-45T99:99:99Z'));
    const h = fc.record({ 'BOX-SIGNATURE-PRIMARY': value, 'BOX-SIGNATURE-SECONDARY': value, 'BOX-DELIVERY-TIMESTAMP': value, 'BOX-SIGNATURE-VERSION': value, 'BOX-SIGNATURE-ALGORITHM': value }, { requiredKeys: [] });
    fc.assert(fc.property(h, fc.string(), (hh, body) => {
      const v = verify(box, { body, headers: hh, secrets: ['SamplePrimaryKey', 'SampleSecondaryKey'], now: NOW });
      expect(v.valid).toBe(false);
      expect(REASONS).toContain(v.reason);
    }), { numRuns: 300 });
  });
});

describe('box: the CLI', () => {
  it('whk verify of the SDK sample with the two keys (--secret twice: primary, then secondary)', async () => {
    const args = Object.entries(all(SDK)).flatMap(([k, v]) => ['--header', `${k}: ${v}`]);
    const r = await whk(['verify', '--scheme', 'box', '--secret', 'SamplePrimaryKey', '--secret', 'SampleSecondaryKey', '--body', SDK.body, '--now', String(NOW), ...args]);
    expect([r.code, r.stdout.trim()]).toEqual([0, '✓ valid (box, raw body, BOX-SIGNATURE-PRIMARY, timestamp 60 s old)']);
    const stale = await whk(['verify', '--scheme', 'auto', '--secret', 'SamplePrimaryKey', '--body', SDK.body, '--now', String(NOW + 3600), ...args]);
    expect([stale.code, stale.stdout]).toEqual([1, expect.stringMatching(/timestamp is 3660 s old/)]);
  });

  it('whk sign with two keys prints both signatures', async () => {
    const r = await whk(['sign', '--scheme', 'box', '--secret', 'pk', '--secret', 'sk', '--body', '{}', '--timestamp', '1735689600']);
    expect(r.stdout.trim().split('\n').map((l) => l.split(':')[0])).toEqual(['BOX-DELIVERY-TIMESTAMP', 'BOX-SIGNATURE-ALGORITHM', 'BOX-SIGNATURE-VERSION', 'BOX-SIGNATURE-PRIMARY', 'BOX-SIGNATURE-SECONDARY']);
  });
});

describe('box: send -> listen, probe', () => {
  let l: InProcess;
  let url: string;
  beforeAll(async () => {
    l = startInProcess(['listen', '--port', '0', '--json', '--scheme', 'box', '--secret', 'box-primary-key', '--secret', 'box-secondary-key']);
    url = JSON.parse(await l.waitFor(/"type":"ready"/, 'stdout')).url;
  });
  afterAll(async () => {
    l.signal('SIGINT');
    await l.exited;
  });

  it('the samples are accepted (200), signed with the secondary key alone too; --wrong-secret is refused (401)', async () => {
    for (const args of [['--secret', 'box-primary-key', '--secret', 'box-secondary-key'], ['--secret', 'box-secondary-key', '--event', 'FILE.RENAMED'], ['--secret', 'box-primary-key', '--event', 'FOLDER.CREATED'], ['--secret', 'box-primary-key', '--wrong-secret']]) {
      const r = await whk(['send', url, '--scheme', 'box', ...args]);
      expect([args, r.code]).toEqual([args, 0]);
    }
    await l.waitFor(/"status":401/, 'stdout');
    const got = l.stdoutLines.filter((x) => x.includes('"type":"event"')).map((x) => JSON.parse(x));
    expect(got.map((e) => [e.response.status, e.eventType])).toEqual([[200, 'FILE.UPLOADED'], [200, 'FILE.RENAMED'], [200, 'FOLDER.CREATED'], [401, 'FILE.UPLOADED']]);
  });

  it('whk probe passes', async () => {
    const r = await whk(['probe', url, '--scheme', 'box', '--secret', 'box-primary-key']);
    expect([r.code, r.stdout]).toEqual([0, expect.stringMatching(/0 fail/)]);
  });
});
