/**
 * `whk replay` used to stop at the first request undici refused (a recorded header with a CR or
 * LF, a bad method): one line, no summary, the rest of the recording unsent, and exit 0. Now
 * every event gets a result, the run goes on, the summary always prints, and any failure is
 * exit 1 (3 when requests went out and none was answered).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/record.js';
import { sign } from '../../src/index.js';
import { Deliverer } from '../../src/send/deliver.js';
import { runWhk, startWhk } from '../helpers/cli.js';
import { deadPort, startReceiver, type Receiver } from '../send/_receiver.js';

const dir = mkdtempSync(join(tmpdir(), 'whk-replay-results-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const event = (seq: number, over: Partial<EventRecord> = {}): EventRecord => ({
  type: 'event', seq, receivedAt: '2024-05-01T10:00:00.000Z', method: 'POST', path: `/hooks?seq=${seq}`,
  headers: { 'content-type': 'application/json', 'x-seq': String(seq) }, body: `{"n":${seq}}`, bodyEncoding: 'utf8',
  scheme: null, verdict: null, eventType: 'thing.happened', eventId: `evt_${seq}`, duplicate: false, filtered: false, response: { status: 200 }, ...over,
});
const write = (name: string, lines: Array<EventRecord | string>) => {
  const file = join(dir, name);
  writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return file;
};

// Good events with every kind of bad one in between.
const mixed = write('mixed.ndjson', [
  JSON.stringify({ type: 'ready', url: 'http://127.0.0.1:4000/', publicUrl: null }),
  event(1),
  event(2, { headers: { 'content-type': 'application/json', 'x-note': 'one\r\nx-injected: yes' } }),
  event(3),
  event(4, { method: 'BAD METHOD' }),
  'this is not json',
  event(5),
  event(6, { headers: { 'x bad name': 'v' } }),
  event(7, { body: 'not*base64', bodyEncoding: 'base64' }),
  event(8),
]);
const GOOD = [1, 3, 5, 8];

let sink: Receiver;
beforeAll(async () => {
  sink = await startReceiver(() => 200);
});
afterAll(() => sink?.close());

describe('whk replay: one result per event, the run goes on', () => {
  it('bad records are reported and skipped; every good one is delivered; the summary; exit 1', async () => {
    const before = sink.got.length;
    const r = await runWhk(['replay', mixed, '--to', sink.url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(sink.got.slice(before).map((g) => g.headers['x-seq'])).toEqual(GOOD.map(String));
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[0]).toMatch(/^#1 POST http:\/\/127\.0\.0\.1:\d+\/hooks\?seq=1 {2}thing\.happened evt_1 → 200 OK/);
    expect(lines[1]).toMatch(/^#2 POST .* → not sent \(line 3\): bad_header: the header x-note has a line break \(CR or LF\) in its value: no HTTP client can send it as recorded$/);
    expect(lines[2]).toMatch(/^#3 POST .* → 200 OK/);
    expect(lines[3]).toMatch(/^#4 BAD METHOD .* → not sent \(line 5\): bad_method: the method "BAD METHOD" is not an HTTP method/);
    expect(lines[4]).toMatch(/^line 6 → not sent: unparseable_line: not a JSON line \(/);
    expect(lines[5]).toMatch(/^#5 POST .* → 200 OK/);
    expect(lines[6]).toMatch(/^#6 POST .* → not sent \(line 8\): bad_header: the header name "x bad name" is not a token/);
    expect(lines[7]).toMatch(/^#7 POST .* → not sent \(line 9\): bad_body: the body is not valid base64/);
    expect(lines[8]).toMatch(/^#8 POST .* → 200 OK/);
    expect(lines[9]).toBe('✗ replayed 9 events: 5 failed — 5 invalid in the recording, not sent (200 ×4 · bad body ×1 · bad header ×2 · bad method ×1 · unparseable line ×1)');
  });

  it('--json: a line per event with its result, then the extended summary', async () => {
    const r = await runWhk(['replay', mixed, '--to', sink.url, '--json', '--concurrency', '3']);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual([...Array(9).fill('replay'), 'summary']);
    expect(lines.slice(0, 9).map((l) => [l.seq, l.result, l.error?.code ?? null])).toEqual([
      [1, 'ok', null], [2, 'invalid', 'bad_header'], [3, 'ok', null], [4, 'invalid', 'bad_method'], [null, 'invalid', 'unparseable_line'],
      [5, 'ok', null], [6, 'invalid', 'bad_header'], [7, 'invalid', 'bad_body'], [8, 'ok', null],
    ]);
    expect(lines.slice(0, 9).map((l) => l.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(lines[9]).toEqual({
      type: 'summary', events: 9, ok: 4, failed: 5, statuses: { 200: 4 }, errors: {}, expect: '2xx', unparseable: 1, durationMs: expect.any(Number),
      outsideExpect: 0, incomplete: 0, noAnswer: 0, invalid: 5, invalidReasons: { bad_body: 1, bad_header: 2, bad_method: 1, unparseable_line: 1 }, skipped: 1,
    });
  });

  it('--only picks among the bad records too; a line that is not JSON is only counted then', async () => {
    const r = await runWhk(['replay', mixed, '--to', sink.url, '--only', '2-3', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`note: 1 line is not a JSON record in ${mixed}: not matched against --only\n`);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.result ?? l.type)).toEqual(['invalid', 'ok', 'summary']);
  });

  it('every event fine: exit 0, as before', async () => {
    const r = await runWhk(['replay', mixed, '--to', sink.url, '--only', GOOD.join(',')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ replayed 4 events: 4 within --expect 2xx \(200 ×4\)\n$/);
  });

  it('--resign: an event that cannot be re-signed is reported, the others are sent', async () => {
    const secret = 'dfns-s3cret';
    const dfns = (seq: number, body: string) => event(seq, {
      scheme: 'dfns', body,
      headers: { 'content-type': 'application/json', 'x-seq': String(seq), ...Object.fromEntries(Object.entries(sign('dfns', { body, secrets: [secret] })).map(([k, v]) => [k.toLowerCase(), v])) },
    });
    const file = write('resign.ndjson', [
      dfns(1, '{"id":"wh-1","kind":"ping","timestampSent":1700000000}'),
      dfns(2, '{"id":"wh-2","kind":"ping"}'),
      event(3),
      dfns(4, '{"id":"wh-4","kind":"ping","timestampSent":1700000000}'),
    ]);
    const before = sink.got.length;
    const r = await runWhk(['replay', file, '--to', sink.url, '--resign', '--secret', secret]);
    expect(r.code).toBe(1);
    expect(sink.got.slice(before).map((g) => g.headers['x-seq'])).toEqual(['1', '4']);
    expect(r.stdout).toMatch(/^#2 .* → not sent \(line 2\): no_body_timestamp: dfns keeps its timestamp in the body's timestampSent, and this body has none to re-sign$/m);
    expect(r.stdout).toMatch(/^#3 .* → not sent \(line 3\): no_scheme: recorded without a detected scheme: pass --scheme <name> to re-sign it$/m);
    expect(r.stdout).toMatch(/✗ replayed 4 events: 2 failed — 2 invalid in the recording, not sent/);
  });

  it('a receiver that is not there: every event tried, the summary, then the one line and exit 3', async () => {
    const port = await deadPort();
    const r = await runWhk(['replay', mixed, '--to', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(3);
    expect(r.stdout.match(/→ connection_refused: /g)).toHaveLength(4);
    expect(r.stdout).toMatch(/✗ replayed 9 events: 9 failed — 4 no answer, 5 invalid in the recording, not sent \(connection refused ×4 · /);
    expect(r.stderr).toBe(`whk: connection refused at http://127.0.0.1:${port} — is the receiver running?\n`);
  });

  it('a receiver that answers 500 to one and stalls the body of another: outside --expect, incomplete; the rest go on', async () => {
    const server: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const seq = req.headers['x-seq'];
        if (seq === '3') return void res.writeHead(500).end('boom');
        res.writeHead(200, { 'content-type': 'text/plain' });
        if (seq === '5') res.write('partial'); // and never ends it
        else res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const r = await runWhk(['replay', mixed, '--to', url, '--only', GOOD.join(','), '--timeout', '300ms', '--json']);
      expect(r.code).toBe(1);
      const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
      expect(lines.slice(0, 4).map((l) => [l.seq, l.status, l.result, l.error?.code ?? null])).toEqual([
        [1, 200, 'ok', null], [3, 500, 'outside_expect', null], [5, 200, 'incomplete', 'body_timeout'], [8, 200, 'ok', null],
      ]);
      expect(lines[2].error.message).toBe('the receiver answered 200 but its body did not finish within 300ms — answer at once, before any slow work (or raise --timeout)');
      expect(lines[4]).toMatchObject({ events: 4, ok: 2, failed: 2, outsideExpect: 1, incomplete: 1, noAnswer: 0, invalid: 0, statuses: { 200: 3, 500: 1 }, errors: { body_timeout: 1 } });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('Ctrl-C: the request in flight finishes, no new one starts, the summary, exit 130', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const secondArrived = new Promise<void>((resolve) => (arrived = resolve));
    const slow = await startReceiver(async (_r, i) => {
      if (i === 1) {
        arrived();
        await held;
      }
      return 200;
    });
    try {
      const w = startWhk(['replay', mixed, '--to', slow.url, '--only', GOOD.join(',')]);
      await secondArrived;
      w.child.kill('SIGINT');
      await w.waitFor(/^stopping after the 1 request in flight \(Ctrl-C again to abort it\)$/, 'stderr');
      release();
      const r = await w.exited;
      expect(r.code).toBe(130);
      expect(r.stdout.split('\n').filter((l) => l.startsWith('#')).map((l) => l.split(' ')[0])).toEqual(['#1', '#3']);
      expect(r.stdout).toMatch(/✓ replayed 2 events: 2 within --expect 2xx \(200 ×2\) — interrupted: the events after these were not sent$/);
      expect(slow.got).toHaveLength(2);
    } finally {
      release();
      await slow.close();
    }
  });
});

describe('Deliverer: a request undici refuses does not stall the ones after it', () => {
  it('one connection: a refused header, then a good request gets its answer', async () => {
    const d = new Deliverer(sink.url, { connections: 1, timeoutMs: 5000, keepBody: 16 });
    try {
      const ok1 = await d.send({ method: 'POST', path: '/a', headers: ['x-a', '1'], body: '{}' });
      expect(ok1).toMatchObject({ ok: true, status: 200 });
      const bad = await d.send({ method: 'POST', path: '/b', headers: ['x-a', 'a\r\nb'], body: '{}' });
      expect(bad).toMatchObject({ ok: false, refused: true, error: { code: 'request_refused', exitCode: 2 } });
      const badMethod = await d.send({ method: 'BAD METHOD', path: '/c', headers: [], body: '{}' });
      expect(badMethod).toMatchObject({ ok: false, refused: true });
      const ok2 = await d.send({ method: 'POST', path: '/d', headers: ['x-a', '2'], body: '{}' });
      expect(ok2).toMatchObject({ ok: true, status: 200 });
    } finally {
      await d.close();
    }
  });
});
