/**
 * Properties (fast-check) of header parsing, for every scheme: whatever arrives in the headers and
 * the body, verify() returns a verdict with a known reason and never throws; what sign() produces,
 * verify() accepts, for any body; any single edit of a signed header is judged, not thrown.
 * Only misuse (no secret, missing URL) may throw, and then only a WhkError.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coreSchemes as schemes } from '../../src/providers/core.js';
import { sign, verify, WhkError, type Verdict } from '../../src/index.js';
import { CASES, NOW, REASONS, type SchemeCase } from './_helpers.js';

/** More runs locally with WHK_FC_RUNS=5000. */
const RUNS = { numRuns: Number(process.env.WHK_FC_RUNS ?? 150) };

const chars = (alphabet: string, min = 0, max = 100) => fc.string({ unit: fc.constantFrom(...alphabet), minLength: min, maxLength: max });
const hex = chars('0123456789abcdefABCDEF', 0, 140);
const base64 = chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=', 0, 100);
const digits = chars('0123456789-. ', 0, 16);
const token = fc.constantFrom('t=', 'ts=', 'v1=', 'v0=', 'h1=', 'v1,', 'v1a,', 'v2,', 'sha256=', 'sha1=', ',', ';', ' ', '=', '  ', '\t', 'whsec_', '%', '\u0000', '\uffff');

/** Header values: arbitrary text, and text made of the pieces real headers are made of. */
const headerValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.array(fc.oneof(token, hex, base64, digits), { maxLength: 8 }).map((parts) => parts.join('')),
);
const headerField = fc.oneof({ weight: 5, arbitrary: headerValue }, { weight: 1, arbitrary: fc.array(headerValue, { maxLength: 3 }) });

const body = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.json(),
  fc.uint8Array({ maxLength: 200 }),
  fc.record({ timestampSent: fc.oneof(fc.integer(), fc.double(), fc.string()), webhookTimestamp: fc.oneof(fc.integer(), fc.double(), fc.string()), data: fc.jsonValue() }).map((o) => JSON.stringify(o)),
);

function expectVerdict(v: Verdict, scheme: string) {
  expect(REASONS).toContain(v.reason);
  expect(v.valid).toBe(v.reason === 'ok');
  expect(typeof v.message).toBe('string');
  expect(v.message.length).toBeGreaterThan(0);
  expect(v.scheme).toBe(scheme);
}

/** Every header name the scheme reads, and the Standard Webhooks id/timestamp names. */
const namesOf = (scheme: string) => {
  const s = schemes.find((x) => x.name === scheme)!;
  return [...new Set([...s.headers, 'webhook-id', 'webhook-timestamp', 'svix-id', 'svix-timestamp'])];
};

const verifyKeyOf = (c: SchemeCase) => c.verifyKey ?? c.secret;

describe.each(CASES.map((c) => [c.scheme, c] as const))('%s', (name, c) => {
  it('arbitrary headers and body: a verdict with a known reason, never an exception', () => {
    const headers = fc.record(Object.fromEntries(namesOf(name).map((h) => [h, headerField])), { requiredKeys: [] });
    fc.assert(fc.property(headers, body, (h, b) => {
      expectVerdict(verify(name, { body: b, headers: h, secrets: [verifyKeyOf(c)], now: NOW, url: c.url }), name);
    }), RUNS);
  });

  it('any single edit of a signed header value is judged, not thrown; no edit: ok', () => {
    const d = { body: c.body(NOW), headers: sign(name, { body: c.body(NOW), secrets: [c.secret], timestamp: NOW, id: 'msg_p', url: c.url }) };
    const keys = Object.keys(d.headers);
    const edit = fc.record({
      key: fc.constantFrom(...keys),
      at: fc.nat(),
      cut: fc.nat({ max: 8 }),
      insert: fc.oneof(fc.constant(''), headerValue),
    });
    fc.assert(fc.property(edit, ({ key, at, cut, insert }) => {
      const old = d.headers[key]!;
      const i = at % (old.length + 1);
      const value = old.slice(0, i) + insert + old.slice(i + cut);
      const v = verify(name, { body: d.body, headers: { ...d.headers, [key]: value }, secrets: [verifyKeyOf(c)], now: NOW, url: c.url });
      expectVerdict(v, name);
      if (value === old) expect(v.reason).toBe('ok');
    }), RUNS);
  });

  it('verify(sign(body)) is ok for any body, string or bytes', () => {
    // Dfns and Linear keep their timestamp in a JSON body: wrap the arbitrary text in one.
    const wrap = (x: string | Uint8Array) => (c.time?.where === 's' || c.time?.where === 'ms'
      ? c.body(NOW).replace('whk-test', () => JSON.stringify(typeof x === 'string' ? x : Buffer.from(x).toString('latin1')).slice(1, -1))
      : x);
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 200 })), (raw) => {
      const b = wrap(raw);
      const headers = sign(name, { body: b, secrets: [c.secret], timestamp: NOW, id: 'msg_rt', url: c.url });
      const v = verify(name, { body: b, headers, secrets: [verifyKeyOf(c)], now: NOW, url: c.url });
      expect(v.reason).toBe('ok');
    }), RUNS);
  });

  it('arbitrary secrets: a verdict, or a WhkError for misuse, never another exception', () => {
    const d = { body: c.body(NOW), headers: sign(name, { body: c.body(NOW), secrets: [c.secret], timestamp: NOW, id: 'msg_s', url: c.url }) };
    const secret = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.uint8Array({ maxLength: 80 }),
      fc.constantFrom('', ' ', 'whsec_', 'whsk_', 'whpk_', 'whsec_!!', '-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----', 'a'.repeat(64), 'A'.repeat(128)));
    fc.assert(fc.property(fc.array(secret, { minLength: 1, maxLength: 3 }), (secrets) => {
      try {
        expectVerdict(verify(name, { ...d, secrets, now: NOW, url: c.url }), name);
      } catch (e) {
        expect(e).toBeInstanceOf(WhkError);
      }
    }), RUNS);
  });
});

describe('auto-detection', () => {
  it('arbitrary header names and values: a verdict with a known reason, never an exception', () => {
    const known = [...new Set(schemes.flatMap((s) => s.headers))];
    const name = fc.oneof(fc.constantFrom(...known, ...known.map((h) => h.toUpperCase()), 'webhook-id', 'svix-id', 'content-type'), fc.string({ minLength: 1, maxLength: 20 }));
    const headers = fc.dictionary(name, headerField, { maxKeys: 6 });
    fc.assert(fc.property(headers, body, (h, b) => {
      const v = verify('auto', { body: b, headers: h, secrets: ['s3cret'], now: NOW, url: 'https://example.com/hook' });
      expect(REASONS).toContain(v.reason);
      expect(v.valid).toBe(v.reason === 'ok');
    }), { numRuns: 300 });
  });
});
