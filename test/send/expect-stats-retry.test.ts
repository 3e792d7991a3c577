import { describe, expect, it } from 'vitest';
import { WhkError } from '../../src/errors.js';
import type { Outcome } from '../../src/send/deliver.js';
import { parseExpect } from '../../src/send/expect.js';
import { deliveryPlan } from '../../src/send/load.js';
import { backoffMs, retryReason, withRetries } from '../../src/send/retry.js';
import { histogram, latencySummary, percentile } from '../../src/send/stats.js';

describe('parseExpect', () => {
  it.each([
    ['2xx', [200, 204, 299], [199, 300, 404, 500]],
    ['200', [200], [201, 204]],
    ['4xx', [400, 401, 499], [200, 500]],
    ['200,201,4xx', [200, 201, 401], [202, 500]],
    ['200-204', [200, 204], [205]],
    [' 2XX , 404 ', [200, 404], [403]],
  ])('%s', (text, yes, no) => {
    const e = parseExpect(text);
    for (const s of yes) expect(e.matches(s), `${s}`).toBe(true);
    for (const s of no) expect(e.matches(s), `${s}`).toBe(false);
  });

  it('normalizes its text for reports', () => {
    expect(parseExpect(' 2XX , 404 ').text).toBe('2xx,404');
  });

  it.each(['', 'ok', '2x', '6xx', '99', '1000', '200,', '204-200', '2xx;4xx'])('"%s" is a usage error (exit 2) naming the flag', (text) => {
    let err: unknown;
    try {
      parseExpect(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WhkError);
    expect((err as WhkError).exitCode).toBe(2);
    expect((err as WhkError).message).toMatch(/--expect/);
  });
});

describe('percentile (nearest rank) and latencySummary', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);
  it.each([[50, 50], [90, 90], [99, 99], [100, 100], [0, 1], [1, 1], [99.5, 100]])('p%s of 1..100 is %s', (p, want) => {
    expect(percentile(oneToHundred, p)).toBe(want);
  });

  it('small samples: p50 of [10, 20] is 10, p99 of one sample is that sample', () => {
    expect(percentile([10, 20], 50)).toBe(10);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summary sorts unsorted samples and rounds to 0.01 ms', () => {
    expect(latencySummary([5, 1, 3.33333, 2, 4])).toEqual({ min: 1, mean: 3.07, p50: 3.33, p90: 5, p99: 5, max: 5 });
    expect(latencySummary([])).toBeNull();
  });

  it('histogram counts, keys in numeric order', () => {
    expect(Object.entries(histogram([500, 200, 200, 404, 200]))).toEqual([['200', 3], ['404', 1], ['500', 1]]);
  });
});

describe('retries', () => {
  const ok = (status: number): Outcome => ({ ok: true, status, ms: 1 });
  const refused: Outcome = { ok: false, error: new WhkError('connection_refused', 'connection refused at x', 3), ms: 1 };

  it('backoff doubles from 200 ms', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n))).toEqual([200, 400, 800, 1600]);
    expect(backoffMs(3, 10)).toBe(40);
  });

  it('retries network errors and 5xx, not 4xx or 2xx', () => {
    expect(retryReason(refused)).toBe('connection refused');
    expect(retryReason(ok(503))).toBe('5xx');
    expect(retryReason(ok(429))).toBeUndefined();
    expect(retryReason(ok(200))).toBeUndefined();
  });

  it('stops at the first answer that needs no retry; announces each retry with its delay', async () => {
    const answers = [ok(500), refused, ok(200), ok(200)];
    const slept: number[] = [];
    const said: string[] = [];
    const attempts: number[] = [];
    const outcomes = await withRetries(async (n) => (attempts.push(n), answers[n - 1]!), {
      retries: 5,
      sleep: async (ms) => void slept.push(ms),
      onRetry: (n, max, why, delay) => said.push(`retry ${n}/${max} after ${why} in ${delay}`),
    });
    expect(outcomes.map((o) => (o.ok ? o.status : o.error.code))).toEqual([500, 'connection_refused', 200]);
    expect(attempts).toEqual([1, 2, 3]);
    expect(slept).toEqual([200, 400]);
    expect(said).toEqual(['retry 1/5 after 5xx in 200', 'retry 2/5 after connection refused in 400']);
  });

  it('gives up after --retries, the last outcome deciding', async () => {
    const outcomes = await withRetries(async () => ok(502), { retries: 2, sleep: async () => undefined });
    expect(outcomes).toHaveLength(3);
  });

  it('no retries by default', async () => {
    expect(await withRetries(async () => ok(500), { retries: 0 })).toHaveLength(1);
  });
});

describe('deliveryPlan (load mode order)', () => {
  let seed = 42;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);

  it('plain: every event once, in order', () => {
    expect([...deliveryPlan(5, 0, false, random)]).toEqual([0, 1, 2, 3, 4]);
  });

  it('shuffle: every event once, in another order', () => {
    const p = [...deliveryPlan(50, 0, true, random)];
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(p).not.toEqual([...p].sort((a, b) => a - b));
  });

  it.each([[0.1, 100, 10], [0.5, 7, 4], [1, 20, 20], [0.001, 100, 0]])('rate %s of %s: exactly round(rate × n) = %s duplicates, each after its original', (rate, n, dups, ) => {
    for (const shuffle of [false, true]) {
      const p = [...deliveryPlan(n, rate, shuffle, random)];
      const originals = p.filter((v) => v >= 0);
      const duplicates = p.filter((v) => v < 0).map((v) => -v - 1);
      expect(originals.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(duplicates).toHaveLength(dups);
      expect(new Set(duplicates).size).toBe(dups);
      for (const d of duplicates) expect(p.indexOf(-(d + 1))).toBeGreaterThan(p.indexOf(d));
    }
  });
});
