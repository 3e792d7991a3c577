/**
 * `whk replay` used to read the whole recording into memory (742 MB peak RSS for `--only 1` on a
 * 200 MB file; a 630 MB one crashed). Now it reads line by line with bounded requests in flight:
 * memory does not follow the file's size, lines of any length and a last line without a line
 * break are read, and stdin works.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/record.js';
import { runWhk, WHK } from '../helpers/cli.js';
import { startReceiver, type Receiver } from '../send/_receiver.js';

const dir = mkdtempSync(join(tmpdir(), 'whk-replay-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const event = (seq: number, body: string): EventRecord => ({
  type: 'event', seq, receivedAt: '2024-05-01T10:00:00.000Z', method: 'POST', path: '/hooks',
  headers: { 'content-type': 'application/json', 'x-seq': String(seq) }, body, bodyEncoding: 'utf8',
  scheme: 'dfns', verdict: null, eventType: 'wallet.transfer.confirmed', eventId: `wh-${seq}`, duplicate: false, filtered: false, response: { status: 200 },
});
const body = (seq: number) => JSON.stringify({ id: `wh-${seq}`, kind: 'wallet.transfer.confirmed', data: { memo: 'Grüße 🚀 '.repeat(120) }, timestampSent: 1714557600 });

let sink: Receiver;
beforeAll(async () => {
  sink = await startReceiver(() => 200);
});
afterAll(() => sink?.close());

/**
 * Runs whk with a preload that writes the process's peak RSS (KiB) as it exits. --liftoff-only
 * keeps V8 from recompiling undici's WebAssembly HTTP parser in the background: that takes
 * ~35 MB at a moment that depends on timing, not on the recording, and would blur the comparison.
 */
async function peakRss(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; peakKiB: number }> {
  const preload = join(dir, 'peak-rss.cjs');
  const out = join(dir, `rss-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(preload, "process.on('exit', () => require('fs').writeFileSync(process.env.WHK_TEST_RSS_OUT, String(process.resourceUsage().maxRSS)));\n");
  const child = spawn(process.execPath, ['--liftoff-only', '--require', preload, WHK, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', WHK_TEST_RSS_OUT: out },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr, peakKiB: Number(readFileSync(out, 'utf8')) };
}

describe('whk replay reads the recording line by line', () => {
  it('--only 1 on a 128 MB recording: read to its end, memory unrelated to its size', async () => {
    // Events 1..n, then event 1 again (recordings are appended to): --only 1 must reach the last line.
    const big = join(dir, 'big.ndjson');
    const target = 128 * 1024 * 1024;
    const w = createWriteStream(big);
    let size = 0;
    let seq = 0;
    while (size < target) {
      let chunk = '';
      for (let i = 0; i < 500; i++) chunk += `${JSON.stringify(event(++seq, body(seq)))}\n`;
      size += Buffer.byteLength(chunk);
      if (!w.write(chunk)) await new Promise<void>((resolve) => w.once('drain', () => resolve()));
    }
    const last = JSON.stringify(event(1, body(1)));
    size += Buffer.byteLength(last);
    await new Promise<void>((resolve, reject) => w.end(last, () => resolve()).on('error', reject));

    const small = join(dir, 'small.ndjson');
    writeFileSync(small, `${JSON.stringify(event(1, body(1)))}\n`);
    // The same replay of a one-line file: what whk needs whatever the recording (node, undici, one request).
    const baseline = await peakRss(['replay', small, '--to', sink.url, '--only', '1']);
    expect(baseline.code).toBe(0);

    const before = sink.got.length;
    const r = await peakRss(['replay', big, '--to', sink.url, '--only', '1', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).line ?? 'summary')).toEqual([1, seq + 1, 'summary']);
    expect(sink.got.slice(before).map((g) => g.headers['x-seq'])).toEqual(['1', '1']);
    rmSync(big);
    // Before: 3.7 times the file. Now some 20 MB above the baseline (young garbage, read
    // chunks), however big the file; the bounds are generous.
    const why = `peak RSS ${r.peakKiB} KiB, baseline ${baseline.peakKiB} KiB, file ${size} bytes`;
    expect((r.peakKiB - baseline.peakKiB) * 1024, why).toBeLessThan(size * 0.5);
    expect(r.peakKiB * 1024, why).toBeLessThan(size);
  }, 120_000);

  it('a line longer than many read chunks, and a last line without a line break', async () => {
    const huge = JSON.stringify({ kind: 'big', data: 'é'.repeat(1_500_000) }); // 3 MB of UTF-8
    const file = join(dir, 'long-lines.ndjson');
    writeFileSync(file, `${JSON.stringify(event(1, huge))}\n${JSON.stringify(event(2, body(2)))}`);
    const before = sink.got.length;
    const r = await runWhk(['replay', file, '--to', sink.url]);
    expect(r.code).toBe(0);
    const got = sink.got.slice(before);
    expect(got.map((g) => g.headers['x-seq'])).toEqual(['1', '2']);
    expect(got[0]!.body.toString()).toBe(huge);
    expect(got[1]!.body.toString()).toBe(body(2));
  });

  it('replay - reads the recording from stdin', async () => {
    const before = sink.got.length;
    const r = await runWhk(['replay', '-', '--to', sink.url], { input: [1, 2, 3].map((s) => JSON.stringify(event(s, body(s)))).join('\n') });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ replayed 3 events: 3 within --expect 2xx/);
    expect(sink.got.slice(before).map((g) => g.headers['x-seq'])).toEqual(['1', '2', '3']);
  });

  it('--json to a slow reader, --concurrency 8: every event, in file order, then the summary', async () => {
    const n = 3000;
    const file = join(dir, 'many.ndjson');
    writeFileSync(file, Array.from({ length: n }, (_, i) => JSON.stringify(event(i + 1, `{"n":${i + 1}}`))).join('\n'));
    const child = spawn(process.execPath, [WHK, 'replay', file, '--to', sink.url, '--json', '--concurrency', '8'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // A reader that takes its time over each chunk: whk's writes back up behind it.
    child.stdout.on('data', (d) => {
      stdout += d;
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 5);
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(n + 1);
    expect(lines.slice(0, n).map((l) => l.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(lines[n]).toMatchObject({ type: 'summary', events: n, ok: n, failed: 0 });
  });
});
