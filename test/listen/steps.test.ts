/**
 * The listener's steps on their own: request paths against --path, judging (auto-detection fixed
 * by the first valid delivery), the output sink (batches, backpressure, failed writes), secret
 * redaction, and the diagnosis budget.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { registry } from '../helpers/registry.js';
import { classify, describe as describeEvent, isFiltered, secretRedactor, type DescribeContext } from '../../src/listen/describe.js';
import { Dedupe } from '../../src/listen/dedupe.js';
import { parseEventFilter } from '../../src/filter.js';
import { Diagnoser } from '../../src/listen/diagnosis.js';
import { Judge } from '../../src/listen/judge.js';
import { checkRequestPath } from '../../src/listen/paths.js';
import { Sink } from '../../src/listen/sink.js';
import { sign } from '../../src/index.js';
import type { Verdict } from '../../src/schemes/types.js';

describe('checkRequestPath', () => {
  it.each([
    ['/hooks', '/hooks', '/hooks'],
    ['/hooks/', '/hooks', '/hooks/'],
    ['/hooks/a/./b', '/hooks', '/hooks/a/b'],
    ['/hooks/a/../b?x=1', '/hooks', '/hooks/b?x=1'],
    ['/hooks//a///b', '/hooks', '/hooks/a/b'],
    ['/hooks/a/%2E/b', '/hooks', '/hooks/a/b'],
    ['/anything/at/all', '', '/anything/at/all'],
    ['http://example.com/hooks/x?y', '/hooks', '/hooks/x?y'],
  ])('%s under %s -> %s', (target, prefix, want) => {
    expect(checkRequestPath(target, prefix)).toEqual({ ok: true, path: want });
  });

  it.each([
    ['/hooks/../admin', '/hooks', 400],
    ['/hooks/%2e%2e/%2e%2e/admin/db', '/hooks', 400],
    ['/hooks/.%2E/admin', '/hooks', 400],
    ['/hooks/%2fadmin', '/hooks', 400],
    ['/hooks/a%5c..%5cadmin', '/hooks', 400],
    ['/hooks/..;/admin', '/hooks', 400],
    ['/hooks/x/..%3B/admin', '/hooks', 400],
    ['/../etc/passwd', '', 400],
    ['*', '', 400],
    ['/admin', '/hooks', 404],
    ['/hooksx', '/hooks', 404],
  ])('%s under %s is refused with %i', (target, prefix, status) => {
    expect(checkRequestPath(target, prefix)).toMatchObject({ ok: false, status });
  });
});

describe('Judge', () => {
  const secret = 'judge-secret';
  const body = JSON.stringify({ id: 'wh-1', kind: 'wallet.created', timestampSent: 1_000_000 });
  const delivery = (headers: Record<string, string>, now = 1_000_000) => ({ body: Buffer.from(body), headers, now });
  const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
  const dfnsHeaders = lower(sign('dfns', { body, secrets: [secret] }));
  const githubHeaders = lower(sign('github', { body, secrets: [secret] }));

  it('auto: detects per delivery until the first valid one, then refuses other schemes (scheme_mismatch), once told', () => {
    const judge = new Judge({ registry, scheme: 'auto', secrets: [secret] });
    const pinned: string[] = [];
    expect(judge.judge(1, delivery({ 'x-hub-signature-256': 'sha256=00' }), (s) => pinned.push(s)).valid).toBe(false);
    expect(judge.scheme).toBeUndefined();
    expect(judge.judge(2, delivery(dfnsHeaders), (s) => pinned.push(s))).toMatchObject({ valid: true, scheme: 'dfns' });
    expect(judge.judge(3, delivery(githubHeaders), (s) => pinned.push(s))).toMatchObject({ valid: false, reason: 'scheme_mismatch', scheme: 'github' });
    expect(judge.judge(4, delivery(dfnsHeaders), (s) => pinned.push(s))).toMatchObject({ valid: true });
    // An hour later, as Dfns: stale.
    expect(judge.judge(5, delivery(dfnsHeaders, 1_003_600))).toMatchObject({ valid: false, reason: 'timestamp_too_old' });
    expect(pinned).toEqual(['dfns']);
  });

  it('auto, first delivery: a stale Dfns signature under X-Hub-Signature-256 is refused as a stale dfns delivery and pins nothing (was: accepted, pinned github)', () => {
    const judge = new Judge({ registry, scheme: 'auto', secrets: [secret] });
    const pinned: string[] = [];
    const sixYearsLater = 1_000_000 + 6 * 365 * 86_400;
    const v = judge.judge(1, delivery(githubHeaders, sixYearsLater), (s) => pinned.push(s));
    expect(v).toMatchObject({ valid: false, reason: 'timestamp_too_old', scheme: 'github' });
    expect(v.message).toMatch(/signed as github \(X-Hub-Signature-256\), but the same signature is dfns's.*pass --scheme github/);
    expect(judge.scheme).toBeUndefined();
    // A genuine, fresh Dfns delivery then pins dfns.
    expect(judge.judge(2, delivery(dfnsHeaders, sixYearsLater - 6 * 365 * 86_400), (s) => pinned.push(s))).toMatchObject({ valid: true, scheme: 'dfns' });
    expect(pinned).toEqual(['dfns']);
  });

  it('auto: a fresh twin is accepted but ambiguous, so it pins nothing; a GitHub body (no timestampSent) pins github', () => {
    const judge = new Judge({ registry, scheme: 'auto', secrets: [secret] });
    expect(judge.judge(1, delivery(githubHeaders))).toMatchObject({ valid: true, scheme: 'github' });
    expect(judge.scheme).toBeUndefined();
    const gh = '{"action":"opened"}';
    const ghHeaders = lower(sign('github', { body: gh, secrets: [secret] }));
    expect(judge.judge(2, { body: Buffer.from(gh), headers: ghHeaders, now: 5 })).toMatchObject({ valid: true, scheme: 'github' });
    expect(judge.scheme?.name).toBe('github');
  });

  it('a fixed scheme never pins and judges only by its own header', () => {
    const judge = new Judge({ registry, scheme: 'github', secrets: [secret] });
    expect(judge.judge(1, delivery(githubHeaders)).valid).toBe(true);
    expect(judge.judge(2, delivery(dfnsHeaders))).toMatchObject({ valid: false, reason: 'missing_header' });
    expect(judge.pinned).toBeUndefined();
  });

  it('the verdict comes without diagnosis; diagnosisCall carries what the diagnosis needs', () => {
    const judge = new Judge({ registry, scheme: 'github', secrets: [secret] });
    const d = { body: Buffer.from(`${body}\n`), headers: githubHeaders, now: 0 };
    const v = judge.judge(1, d);
    expect(v).toMatchObject({ valid: false, reason: 'no_match' });
    expect((v as { diagnosis?: string }).diagnosis).toBeUndefined();
    expect(judge.diagnosisCall(v, d)).toMatchObject({ scheme: 'github', input: { diagnose: true, secrets: [secret] } });
  });
});

/** A writable that keeps what it is given, with a settable backlog and failure. */
class FakeStream extends EventEmitter {
  written: string[] = [];
  writableLength = 0;
  fail: Error | undefined;
  write(chunk: string, cb?: (err?: Error | null) => void) {
    this.written.push(chunk);
    queueMicrotask(() => cb?.(this.fail ?? null));
    return this.writableLength === 0;
  }
}

describe('Sink', () => {
  it('writes the lines of one turn in one write', async () => {
    const s = new FakeStream();
    const sink = new Sink(s);
    sink.line('a\n');
    sink.line('b\n');
    await Promise.resolve();
    expect(s.written).toEqual(['a\nb\n']);
  });

  it('says full when the reader is behind, and drained when it caught up', async () => {
    const s = new FakeStream();
    const seen: string[] = [];
    const sink = new Sink(s, { onFull: () => seen.push('full'), onDrain: () => seen.push('drain') }, 10);
    s.writableLength = 100;
    sink.line('a line\n');
    sink.flush();
    expect(seen).toEqual(['full']);
    s.writableLength = 0;
    s.emit('drain');
    expect(seen).toEqual(['full', 'drain']);
  });

  it('a failed write is reported once and counts every line it lost', async () => {
    const s = new FakeStream();
    s.fail = Object.assign(new Error('broken pipe'), { code: 'EPIPE' });
    const errors: Error[] = [];
    const sink = new Sink(s, { onError: (e) => errors.push(e) });
    sink.line('1\n');
    sink.line('2\n');
    sink.flush();
    await new Promise((r) => setImmediate(r));
    sink.line('3\n');
    expect(errors).toHaveLength(1);
    expect(sink.lost).toBe(3);
    expect(sink.error).toBe(errors[0]);
  });
});

describe('classify, then describe (what routing reads before the answer, the record after it)', () => {
  const stats = () => ({ events: 0, valid: 0, invalid: 0, unverified: 0, duplicates: 0, filtered: 0, forwarded: 0, forwardFailed: 0, rejected: 0 });
  const ctx = (events?: string): DescribeContext => ({ registry, scheme: () => registry.get('github'), dedupe: new Dedupe(), events: events ? parseEventFilter(events) : undefined, redact: (h) => h, stats: stats() });
  const received = (seq: number) => ({ seq, receivedAt: Date.UTC(2026, 0, 1), method: 'POST', path: '/gh', headers: { 'x-github-event': 'push', 'x-github-delivery': 'd-1', 'content-type': 'application/json' }, body: Buffer.from('{"ref":"refs/heads/main"}') });
  const ok: Verdict = { valid: true, reason: 'ok', scheme: 'github', matched: 'raw body', secretIndex: 0, message: 'signature matches the raw body' };

  it('classify reads the scheme, type and id, and changes no counter and no duplicate memory', () => {
    const c0 = ctx('pull_request');
    const c = classify(c0, received(1), ok);
    expect(c).toMatchObject({ accepted: true, cut: false, scheme: 'github', eventType: 'push', eventId: 'd-1', parsed: { ref: 'refs/heads/main' } });
    expect(isFiltered(c0, c)).toBe(true);
    expect(c0.stats).toEqual(stats());
    expect(c0.dedupe.size).toBe(0);
  });

  it('describe with a classification gives the record describe gives alone', () => {
    const a = ctx('push');
    const b = ctx('push');
    for (const seq of [1, 2]) {
      const alone = describeEvent(a, received(seq), ok);
      const given = describeEvent(b, received(seq), ok, classify(b, received(seq), ok));
      expect(given.record).toEqual(alone.record);
    }
    expect(b.stats).toEqual(a.stats);
    expect(b.stats).toMatchObject({ events: 2, valid: 2, duplicates: 1, filtered: 0 });
  });
});

describe('secretRedactor', () => {
  const redact = secretRedactor(['abc', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'a-long-secret ']);
  it.each([
    ['abc', true],
    [' abc ', true],
    ['abcdef', false],
    ['Bearer whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', true],
    ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', true],
    ['x a-long-secret y', true],
    ['harmless', false],
  ])('%j redacted: %s', (value, redacted) => {
    expect(redact({ h: value }).h === '[redacted: contains the secret]').toBe(redacted);
  });
  it('no secret: headers as they are', () => {
    const h = { a: 'b' };
    expect(secretRedactor([])(h)).toBe(h);
  });
});

describe('Diagnoser (inline, where no worker can start)', () => {
  const verdict: Verdict = { valid: false, reason: 'no_match', scheme: 'github', message: 'no match' };
  const input = { body: '', headers: {}, secrets: ['s'] };
  const diagnosed: Verdict = { ...verdict, diagnosis: 'the secret has a trailing newline' };

  it('diagnoses, then stops when its CPU budget is spent', async () => {
    let calls = 0;
    const d = new Diagnoser({ inline: () => ((calls++), diagnosed), budgetMs: 0, refillMsPerSecond: 0 });
    const v = await d.diagnose(verdict, 'github', input);
    expect(v.valid === false && v.diagnosis).toMatch(/faster than the listener diagnoses them/);
    expect(calls).toBe(0);
    await d.close();
  });

  it('with budget left, the diagnosis of the inline run is kept', async () => {
    const d = new Diagnoser({ inline: () => diagnosed });
    // under vitest the worker file is not built: it falls back to inline
    const v = await d.diagnose(verdict, 'github', input);
    expect(v).toEqual(diagnosed);
    await d.close();
  });
});

describe('Diagnoser in the build (npm test builds first)', () => {
  it('the built listener finds its diagnosis worker beside it, and the worker diagnoses', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { Worker } = await import('node:worker_threads');
    // The file of the build that holds the Diagnoser starts the worker from where it sits.
    const dir = new URL('../../dist/bin/commands/', import.meta.url);
    const holder = readdirSync(dir).find((f) => readFileSync(new URL(f, dir), 'utf8').includes('new URL("./diagnose-worker.js", import.meta.url)'));
    expect(holder).toBeDefined();
    const worker = new Worker(new URL('./diagnose-worker.js', new URL(holder!, dir)));
    try {
      const body = '{"a":1}';
      const headers = Object.fromEntries(Object.entries(sign('github', { body, secrets: ['worker-secret'] })).map(([k, v]) => [k.toLowerCase(), v]));
      const answer = new Promise<{ verdict?: Verdict }>((resolve) => worker.once('message', resolve));
      worker.postMessage({ id: 1, scheme: 'github', input: { body: `${body}\n`, headers, secrets: ['worker-secret'] } });
      expect((await answer).verdict).toMatchObject({ valid: false, reason: 'no_match', diagnosis: expect.stringMatching(/without its trailing newline/) });
    } finally {
      await worker.terminate();
    }
  });
});
