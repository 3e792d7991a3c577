/**
 * Every scheme, one table row each (see CASES in _helpers.ts): a fixture builds a valid signed
 * delivery, and each test changes one thing and expects one reason. Clock and tolerance are
 * parameters; nothing reads the real clock.
 */
import { describe, expect, it } from 'vitest';
import { coreSchemes as schemes } from '../../src/providers/core.js';
import { sign, verify, type Secret, type VerifyInput } from '../../src/index.js';
import { CASES, NOW, flipByte, withHeaders, without, type SchemeCase, type TimeRule } from './_helpers.js';

/** A valid delivery signed at `ts` (seconds; where the scheme keeps it in the body, there). */
function deliver(c: SchemeCase, { ts = NOW, secrets = [c.secret] }: { ts?: number; secrets?: Secret[] } = {}) {
  const body = c.body(ts);
  const headers = sign(c.scheme, { body, secrets, timestamp: ts, id: 'msg_fixture', url: c.url });
  return { body, headers };
}

function check(c: SchemeCase, d: { body: string | Uint8Array; headers: Record<string, string> }, extra: Partial<VerifyInput> = {}) {
  return verify(c.scheme, { body: d.body, headers: d.headers, secrets: [c.verifyKey ?? c.secret], now: NOW, url: c.url, ...extra });
}

/** The rows of the timestamp table for one rule: [what, age in seconds, tolerance override, reason]. */
function timestampRows(t: TimeRule): Array<[string, number, number | undefined, string]> {
  const step = t.where === 'ms' ? 0.001 : 1;
  const lastOk = (tol: number) => (t.strict ? tol - step : tol);
  const firstBad = (tol: number) => (t.strict ? tol : tol + step);
  const T = t.tolerance;
  const rows: Array<[string, number, number | undefined, string]> = [
    ['fresh', 0, undefined, 'ok'],
    [`${lastOk(T)} s old (last valid second${t.strict ? ', strict <' : ''})`, lastOk(T), undefined, 'ok'],
    [`${firstBad(T)} s old (first stale)`, firstBad(T), undefined, 'timestamp_too_old'],
    ['a day old', 86_400, undefined, 'timestamp_too_old'],
    [`with tolerance 10: ${lastOk(10)} s old`, lastOk(10), 10, 'ok'],
    [`with tolerance 10: ${firstBad(10)} s old`, firstBad(10), 10, 'timestamp_too_old'],
  ];
  if (t.direction === 'both') {
    rows.push(
      [`${lastOk(T)} s in the future (last valid)`, -lastOk(T), undefined, 'ok'],
      [`${firstBad(T)} s in the future (first rejected)`, -firstBad(T), undefined, 'timestamp_in_future'],
      [`with tolerance 10: ${firstBad(10)} s in the future`, -firstBad(10), 10, 'timestamp_in_future'],
    );
  } else {
    rows.push(
      [`${firstBad(T)} s in the future (only too-old is rejected)`, -firstBad(T), undefined, 'ok'],
      ['a day in the future (only too-old is rejected)', -86_400, undefined, 'ok'],
    );
  }
  return rows;
}

describe('the table covers every registered scheme', () => {
  it('has one row per scheme', () => {
    expect(CASES.map((c) => c.scheme).sort()).toEqual(schemes.map((s) => s.name).sort());
  });
  it.each(CASES)('$scheme declares the timestamp rule of SCHEMES.md', (c) => {
    const s = schemes.find((x) => x.name === c.scheme)!;
    if (c.time === null) {
      expect(s.timestamp).toBeNull();
    } else {
      expect(s.timestamp).toMatchObject({ tolerance: c.time.tolerance, direction: c.time.direction });
      expect(Boolean(s.timestamp!.strict)).toBe(Boolean(c.time.strict));
    }
    expect(s.multipleSecrets).toBe(c.second !== undefined);
  });
});

describe.each(CASES.map((c) => [c.scheme, c] as const))('%s', (_name, c) => {
  it('accepts the delivery it signed', () => {
    const v = check(c, deliver(c));
    expect(v).toMatchObject({ valid: true, reason: 'ok', scheme: c.scheme, secretIndex: 0 });
    expect(v.message).toMatch(/\S/);
  });

  it('reads header names in any case', () => {
    const d = deliver(c);
    const upper = Object.fromEntries(Object.entries(d.headers).map(([k, v]) => [k.toUpperCase(), v]));
    const lower = Object.fromEntries(Object.entries(d.headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(check(c, { body: d.body, headers: upper }).reason).toBe('ok');
    expect(check(c, { body: d.body, headers: lower }).reason).toBe('ok');
  });

  it('without the signature header: missing_header', () => {
    const d = deliver(c);
    const v = check(c, { body: d.body, headers: without(d.headers, c.signatureHeaders) });
    expect(v).toMatchObject({ valid: false, reason: 'missing_header', scheme: c.scheme });
  });

  it('with one byte of the body flipped: no_match', () => {
    const d = deliver(c);
    expect(check(c, { body: flipByte(d.body), headers: d.headers }).reason).toBe('no_match');
  });

  it('with the body as bytes instead of a string: ok', () => {
    const d = deliver(c);
    expect(check(c, { body: new Uint8Array(Buffer.from(d.body)), headers: d.headers }).reason).toBe('ok');
  });

  it('with a secret that did not sign: no_match', () => {
    expect(check(c, deliver(c), { secrets: [c.wrong] }).reason).toBe('no_match');
  });

  it('with a malformed signature header: malformed_header', () => {
    const d = deliver(c);
    expect(check(c, { body: d.body, headers: withHeaders(d.headers, c.malformed) }).reason).toBe('malformed_header');
  });

  it('with several secrets, the wrong one first (rotation): ok, and says which matched', () => {
    const v = check(c, deliver(c), { secrets: [c.wrong, c.verifyKey ?? c.secret] });
    expect(v).toMatchObject({ valid: true, reason: 'ok', secretIndex: 1 });
  });

  if (c.second) it('signs with every secret it is given; the second alone verifies', () => {
    const d = deliver(c, { secrets: [c.secret, c.second!.sign] });
    expect(check(c, d, { secrets: [c.second!.verify] })).toMatchObject({ valid: true, secretIndex: 0 });
    expect(check(c, d, { secrets: [c.wrong] }).reason).toBe('no_match');
  });

  if (c.dropTimestamp) it(`without the timestamp: ${c.dropTimestamp.reason}`, () => {
    const t = c.dropTimestamp!;
    const d = deliver(c);
    if (t.headers) {
      expect(check(c, { body: d.body, headers: without(d.headers, t.headers) }).reason).toBe(t.reason);
    } else {
      const body = t.body!(NOW);
      const headers = sign(c.scheme, { body, secrets: [c.secret], url: c.url });
      expect(check(c, { body, headers }).reason).toBe(t.reason);
    }
  });

  if (c.time) {
    it.each(timestampRows(c.time))('timestamp signed %s (tolerance %s): %s', (_what, age, tolerance, reason) => {
      const v = check(c, deliver(c, { ts: NOW - age }), tolerance === undefined ? {} : { tolerance });
      expect(v.reason).toBe(reason);
      if (reason !== 'ok') expect(v.message).toMatch(/tolerance/);
      expect(v.age).toBeCloseTo(age, 6);
    });

    it('a stale delivery with a bad signature is reported as no_match, not as stale', () => {
      const d = deliver(c, { ts: NOW - 86_400 });
      expect(check(c, { body: flipByte(d.body), headers: d.headers }).reason).toBe('no_match');
    });
  } else {
    it('enforces no timestamp: a delivery verified ten years later still passes', () => {
      expect(check(c, deliver(c), { now: NOW + 10 * 365 * 86_400 }).reason).toBe('ok');
    });
  }
});
