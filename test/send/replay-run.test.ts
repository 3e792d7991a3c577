/**
 * The replay engine (src/send/replay-run.ts) on its own, as the command consumes it: typed
 * elements (each event's result in file order, the Ctrl-C notice, then the end of the run),
 * against real receivers on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/record.js';
import { parseExpect } from '../../src/send/expect.js';
import { onlyMatcher } from '../../src/send/replay.js';
import { replayRun, type ReplayElement, type ReplayOptions } from '../../src/send/replay-run.js';
import { startReceiver, type Receiver } from './_receiver.js';

const event = (seq: number, eventType = 'thing.happened'): EventRecord => ({
  type: 'event', seq, receivedAt: '2024-05-01T10:00:00.000Z', method: 'POST', path: `/hooks?seq=${seq}`,
  headers: { 'content-type': 'application/json', 'x-seq': String(seq) }, body: `{"n":${seq}}`, bodyEncoding: 'utf8',
  scheme: null, verdict: null, eventType, eventId: `evt_${seq}`, duplicate: false, filtered: false, response: { status: 200 },
});

async function* recording(lines: string[]): AsyncGenerator<Buffer> {
  yield Buffer.from(`${lines.join('\n')}\n`);
}

const options = (to: string, lines: string[], over: Partial<ReplayOptions> = {}): ReplayOptions => ({
  input: recording(lines), file: 'events.ndjson', to: new URL(to), concurrency: 4, expect: parseExpect('2xx'), timeoutMs: 5000, ...over,
});

async function all(run: AsyncIterable<ReplayElement>): Promise<ReplayElement[]> {
  const out: ReplayElement[] = [];
  for await (const e of run) out.push(e);
  return out;
}

let sink: Receiver;
beforeAll(async () => {
  sink = await startReceiver(() => 200);
});
afterAll(() => sink?.close());

describe('replayRun', () => {
  it('yields each result in file order though the first answer comes last, then the end', async () => {
    let releaseFirst!: () => void;
    const first = new Promise<void>((resolve) => (releaseFirst = resolve));
    // The first request is answered only once the fourth has arrived: with 4 in flight, it ends last.
    const late = await startReceiver(async (r) => {
      if (r.headers['x-seq'] === '4') releaseFirst();
      if (r.headers['x-seq'] === '1') await first;
      return r.headers['x-seq'] === '3' ? 503 : 200;
    });
    try {
      const lines = [JSON.stringify({ type: 'ready' }), ...[1, 2, 3, 4].map((s) => JSON.stringify(event(s))), 'not json'];
      const got = await all(replayRun(options(late.url, lines)));
      expect(late.got.map((g) => g.headers['x-seq'])).toEqual(['2', '3', '4', '1']);
      expect(got.slice(0, 5).map((e) => (e.type === 'result' ? [e.item.seq, e.item.line, e.item.result, e.item.status] : e.type))).toEqual([
        [1, 2, 'ok', 200], [2, 3, 'ok', 200], [3, 4, 'outside_expect', 503], [4, 5, 'ok', 200], [null, 6, 'invalid', null],
      ]);
      expect(got[0]).toMatchObject({ item: { method: 'POST', url: `${late.url}/hooks?seq=1`, id: 'evt_1', eventType: 'thing.happened', error: null } });
      expect(got).toHaveLength(6);
      expect(got[5]).toMatchObject({
        type: 'end',
        end: {
          recorded: 4, selected: 4, types: ['thing.happened'],
          summary: { events: 5, ok: 3, failed: 2, outsideExpect: 1, invalid: 1, statuses: { 200: 3, 503: 1 }, invalidReasons: { unparseable_line: 1 }, unparseable: 1, skipped: 1, expect: '2xx' },
        },
      });
    } finally {
      releaseFirst();
      await late.close();
    }
  });

  it('--only: the events picked are sent; the end counts those recorded and names their types', async () => {
    const before = sink.got.length;
    const lines = [event(1, 'a.one'), event(2, 'b.two'), event(3, 'a.one')].map((e) => JSON.stringify(e));
    const got = await all(replayRun(options(sink.url, lines, { only: onlyMatcher('a.one') })));
    expect(sink.got.slice(before).map((g) => g.headers['x-seq'])).toEqual(['1', '3']);
    expect(got.map((e) => e.type)).toEqual(['result', 'result', 'end']);
    expect(got[2]).toMatchObject({ end: { recorded: 3, selected: 2, types: ['a.one', 'b.two'], summary: { events: 2, ok: 2, failed: 0 } } });
  });

  it('Ctrl-C: a notice with the requests in flight, their results, no new request, the end marked interrupted', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const secondArrived = new Promise<void>((resolve) => (arrived = resolve));
    const slow = await startReceiver(async (r) => {
      if (r.headers['x-seq'] === '2') {
        arrived();
        await held;
      }
      return 200;
    });
    try {
      const lines = [1, 2, 3, 4].map((s) => JSON.stringify(event(s)));
      const run = replayRun(options(slow.url, lines, { concurrency: 1 }));
      expect((await run.next()).value).toMatchObject({ type: 'result', item: { seq: 1, result: 'ok' } });
      const next = run.next();
      await secondArrived;
      process.emit('SIGINT');
      expect((await next).value).toEqual({ type: 'stopping', inFlight: 1 });
      release();
      const rest = await all({ [Symbol.asyncIterator]: () => run });
      expect(rest.map((e) => (e.type === 'result' ? e.item.seq : e.type))).toEqual([2, 'end']);
      expect(rest[1]).toMatchObject({ end: { summary: { events: 2, ok: 2, failed: 0, interrupted: true } } });
      expect(slow.got.map((g) => g.headers['x-seq'])).toEqual(['1', '2']);
    } finally {
      release();
      await slow.close();
    }
  });
});
