/**
 * The replay engine behind `whk replay`: reads a recording line by line, sends its events with at
 * most `concurrency` requests in flight, and yields what became of each one in file order, then
 * the end of the run (its summary, and what the command needs to choose an exit code). Ctrl-C
 * stops the reading: the requests in flight finish (a second Ctrl-C aborts them), then the end.
 * Nothing here renders or writes: the command (src/commands/replay.ts) renders what it is given,
 * and a consumer that reads slowly holds the reading back.
 */
import { closeSync, createReadStream, fstatSync, openSync } from 'node:fs';
import { usage } from '../errors.js';
import { refusedRequest } from '../net-errors.js';
import type { Deliverer, Outcome } from './deliver.js';
import type { Expect } from './expect.js';
import type { ReplayItem, ReplaySummary } from './report.js';
import { parseLine, prepare, readLines, type Prepared, type Problem, type RawLine, type Resign, type Who } from './replay.js';

export interface ReplayOptions {
  /** The recording's bytes (see `openRecording`). */
  input: AsyncIterable<Buffer>;
  /** The recording's name, for messages. */
  file: string;
  /** Where the events go: its origin and path, each recorded path appended. */
  to: URL;
  /** Re-sign each event (--resign), or send it with its recorded signature. */
  resign?: Resign;
  /** --only: the events to send; without it, every event (and every line that is not one is reported). */
  only?: (who: Who) => boolean;
  concurrency: number;
  expect: Expect;
  /** ms, to each answer's headers (then as much again for its body). */
  timeoutMs: number;
}

/** What the engine yields: each result in file order, a notice at the first Ctrl-C, then the end. */
export type ReplayElement =
  | { type: 'result'; item: ReplayItem }
  | { type: 'stopping'; inFlight: number }
  | { type: 'end'; end: ReplayEnd };

export interface ReplayEnd {
  summary: ReplaySummary;
  /** Events in the recording, and how many of them --only picked. */
  recorded: number;
  selected: number;
  /** Up to 8 event types seen, to name when --only picks none. */
  types: string[];
  /** The first "no answer" error, the one line of an unreachable receiver. */
  firstNoAnswer?: string;
  /** Reading the recording failed part way: what and where. */
  readError?: string;
}

/** Sends the recording's events to `o.to` and yields what became of them (see ReplayElement). */
export async function* replayRun(o: ReplayOptions): AsyncGenerator<ReplayElement> {
  const { Deliverer } = await import('./deliver.js');
  const deliverer = new Deliverer(o.to.origin, { connections: o.concurrency, timeoutMs: o.timeoutMs, keepBody: 256, hint: 'is the receiver running?', preciseTimeout: true });
  const run = new ReplayRun(o, deliverer);
  const onSigint = () => run.interrupt();
  process.on('SIGINT', onSigint);
  const started = performance.now();
  try {
    void run.read();
    for (let e = await run.next(); e; e = await run.next()) yield e;
  } finally {
    process.off('SIGINT', onSigint);
    // A consumer that stopped early (an error while rendering): end what is still going on.
    if (!run.finished()) run.abandon();
    await deliverer.close().catch(() => undefined);
  }
  yield { type: 'end', end: run.end(Math.round((performance.now() - started) * 100) / 100) };
}

/** A result's place in file order, filled when its event is done. */
type Slot = { item?: ReplayItem };
type Ready = Extract<Prepared, { ok: true }>;

/**
 * One run's state. Results leave in file order: a queue of slots, each filled when its event is
 * done, handed out from the front. Requests in flight are bounded by the concurrency, and the
 * slots waiting behind a slow one (or a slow consumer) by `window`, so memory does not grow with
 * the recording.
 */
class ReplayRun {
  private readonly queue: Slot[] = [];
  private head = 0;
  private inFlight = 0;
  private interrupts = 0;
  /** The in-flight count to report at the first Ctrl-C, until it is handed out. */
  private stopping: number | undefined;
  private readingDone = false;
  private readonly window: number;
  private readonly changes = new Changes();
  private readonly counts = new Counts();
  private readonly found = { recorded: 0, selected: 0, unparseable: 0, skipped: 0, types: new Set<string>(), readError: undefined as string | undefined };

  constructor(private readonly o: ReplayOptions, private readonly deliverer: Deliverer) {
    this.window = Math.max(256, o.concurrency * 4);
  }

  /** Reads the recording to its end or to Ctrl-C. Never rejects: a failed read is kept for the end. */
  async read(): Promise<void> {
    let lastLine = 0;
    try {
      for await (const raw of readLines(this.o.input)) {
        if (this.interrupts > 0) break;
        lastLine = raw.no;
        await this.take(raw);
        if (this.interrupts > 0) break;
        await this.changes.until(() => this.backlog() < this.window || this.interrupts > 0);
      }
    } catch (e) {
      this.found.readError = `reading ${this.o.file} failed after line ${lastLine}: ${(e as Error).message}`;
    }
    this.readingDone = true;
    this.changes.notify();
  }

  /** One line of the recording: skipped, counted, reported as invalid, or sent. */
  private async take(raw: RawLine): Promise<void> {
    const { only } = this.o;
    const f = this.found;
    if (raw.text === undefined) {
      f.unparseable++;
      if (!only) this.push(invalidItem(raw.no, undefined, null, null, { code: 'line_too_long', message: `a line of ${raw.bytes} bytes: longer than any record whk reads (256 MiB)` }));
      return;
    }
    const l = parseLine(raw.text);
    if (l.kind === 'blank') return;
    if (l.kind === 'other') {
      f.skipped++;
      return;
    }
    if (l.kind === 'unparseable') {
      // Nothing identifies it, so --only cannot pick it: counted then, reported otherwise.
      f.unparseable++;
      if (!only) this.push(invalidItem(raw.no, undefined, null, null, l.problem));
      return;
    }
    f.recorded++;
    if (l.who.eventType && f.types.size < 8) f.types.add(l.who.eventType);
    if (only && !only(l.who)) return;
    f.selected++;
    if (l.kind === 'invalid') return this.push(invalidItem(raw.no, l.who, l.method, null, l.problem));
    const p = prepare(l.record, this.o.to, this.o.resign);
    if (!p.ok) return this.push(invalidItem(raw.no, l.who, p.method, p.url?.href ?? null, p.problem));
    await this.send(raw.no, l.who, p);
  }

  /** Sends one event once there is room; its slot is filled when it is answered (or not). */
  private async send(line: number, who: Who, p: Ready): Promise<void> {
    await this.changes.until(() => this.interrupts > 0 || (this.inFlight < this.o.concurrency && this.backlog() < this.window));
    if (this.interrupts > 0) return;
    const slot: Slot = {};
    this.queue.push(slot);
    this.inFlight++;
    void this.deliverer.send(p.req)
      .catch((e: unknown): Outcome => ({ ok: false, error: refusedRequest(e), ms: 0, refused: true }))
      .then((outcome) => {
        slot.item = sentItem(line, who, p, outcome, this.o.expect);
        this.inFlight--;
        this.changes.notify();
      });
  }

  private push(item: ReplayItem): void {
    this.queue.push({ item });
    this.changes.notify();
  }

  private backlog(): number {
    return this.queue.length - this.head;
  }

  /** Every line read and every result handed out. */
  finished(): boolean {
    return this.readingDone && this.inFlight === 0 && this.head === this.queue.length;
  }

  /** The next element, once there is one: the Ctrl-C notice, the result at the front; undefined when all are out. */
  async next(): Promise<ReplayElement | undefined> {
    await this.changes.until(() => this.stopping !== undefined || this.queue[this.head]?.item !== undefined || this.finished());
    if (this.stopping !== undefined) {
      const inFlight = this.stopping;
      this.stopping = undefined;
      return { type: 'stopping', inFlight };
    }
    const item = this.queue[this.head]?.item;
    if (!item) return undefined;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.counts.add(item);
    this.changes.notify();
    return { type: 'result', item };
  }

  /** Ctrl-C: stop reading; the requests in flight finish, or are aborted at the second. */
  interrupt(): void {
    if (++this.interrupts > 1) void this.deliverer.destroy().catch(() => undefined);
    else this.stopping = this.inFlight;
    this.changes.notify();
  }

  /** The consumer went away: stop reading and abort what is in flight. */
  abandon(): void {
    this.interrupts++;
    void this.deliverer.destroy().catch(() => undefined);
    this.changes.notify();
  }

  end(durationMs: number): ReplayEnd {
    const f = this.found;
    return {
      summary: this.counts.summary({ expect: this.o.expect.text, unparseable: f.unparseable, durationMs, skipped: f.skipped, interrupted: this.interrupts > 0 }),
      recorded: f.recorded,
      selected: f.selected,
      types: [...f.types],
      firstNoAnswer: this.counts.firstNoAnswer,
      readError: f.readError,
    };
  }
}

/** Lets the reader and the consumer wait until the run's state changes (a result, a free slot, Ctrl-C). */
class Changes {
  private waiting: Array<() => void> = [];

  notify(): void {
    if (this.waiting.length === 0) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }

  async until(ready: () => boolean): Promise<void> {
    while (!ready()) await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
}

/** The results handed out, counted (counts, not lists: a recording can hold millions of events). */
class Counts {
  private n = { events: 0, ok: 0, outsideExpect: 0, incomplete: 0, noAnswer: 0, invalid: 0 };
  private readonly statuses = tally();
  private readonly errors = tally();
  private readonly invalidReasons = tally();
  firstNoAnswer: string | undefined;

  add(item: ReplayItem): void {
    const n = this.n;
    n.events++;
    if (item.result === 'ok') n.ok++;
    else if (item.result === 'outside_expect') n.outsideExpect++;
    else if (item.result === 'incomplete') n.incomplete++;
    else if (item.result === 'no_answer') n.noAnswer++;
    else n.invalid++;
    if (item.status !== null) this.statuses.add(item.status);
    if (item.error && item.result === 'invalid') this.invalidReasons.add(item.error.code);
    else if (item.error) this.errors.add(item.error.code);
    if (item.result === 'no_answer') this.firstNoAnswer ??= item.error!.message;
  }

  summary(run: { expect: string; unparseable: number; durationMs: number; skipped: number; interrupted: boolean }): ReplaySummary {
    const n = this.n;
    return {
      events: n.events,
      ok: n.ok,
      failed: n.events - n.ok,
      statuses: this.statuses.counts(),
      errors: this.errors.counts(),
      expect: run.expect,
      unparseable: run.unparseable,
      durationMs: run.durationMs,
      outsideExpect: n.outsideExpect,
      incomplete: n.incomplete,
      noAnswer: n.noAnswer,
      invalid: n.invalid,
      invalidReasons: this.invalidReasons.counts(),
      skipped: run.skipped,
      ...(run.interrupted ? { interrupted: true as const } : {}),
    };
  }
}

/** Counts by key; `counts()` in ascending key order, as `histogram` (src/send/stats.ts) gives them. */
function tally() {
  const m = new Map<string, number>();
  return {
    add: (k: string | number) => void m.set(String(k), (m.get(String(k)) ?? 0) + 1),
    counts: (): Record<string, number> => Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))),
  };
}

type ItemFields = Pick<ReplayItem, 'method' | 'url' | 'status' | 'statusText' | 'ms' | 'error' | 'result'> & { resigned: string | undefined; bodyEdit: string | undefined };

/** One object shape for every result, keys in their JSON order. */
function resultItem(line: number, who: Who | undefined, r: ItemFields): ReplayItem {
  return {
    seq: who?.seq ?? null, id: who?.eventId ?? null, eventType: who?.eventType ?? null, method: r.method, url: r.url, status: r.status, statusText: r.statusText,
    ms: r.ms, error: r.error, withinExpect: r.result === 'ok', resigned: r.resigned ?? null, bodyEdit: r.bodyEdit ?? null, result: r.result, line,
  };
}

/** A line or event that is not sent: invalid in the recording. */
function invalidItem(line: number, who: Who | undefined, method: string | null, url: string | null, problem: Problem): ReplayItem {
  const error = { code: problem.code, message: problem.message };
  return resultItem(line, who, { method, url, status: null, statusText: undefined, ms: 0, error, result: 'invalid', resigned: undefined, bodyEdit: undefined });
}

/**
 * What became of a sent event: answered within --expect or outside it, answered with a body that
 * did not finish (`incomplete`), no answer, or refused by the HTTP client (`invalid`).
 */
function sentItem(line: number, who: Who, p: Ready, o: Outcome, expect: Expect): ReplayItem {
  const result: ReplayItem['result'] = o.ok ? (expect.matches(o.status) ? 'ok' : 'outside_expect')
    : o.refused ? 'invalid' : o.status !== undefined ? 'incomplete' : 'no_answer';
  const answered = result === 'ok' || result === 'outside_expect' || result === 'incomplete';
  return resultItem(line, who, {
    method: p.req.method, url: p.url.href, status: answered ? o.status! : null, statusText: answered ? o.response?.statusText : undefined, ms: o.ms,
    error: o.ok ? null : { code: o.error.code, message: o.error.message }, result, resigned: p.req.resigned, bodyEdit: p.req.bodyEdit,
  });
}

/** The recording as a byte stream ("-": stdin); a usage error when it cannot be opened. */
export function openRecording(file: string): AsyncIterable<Buffer> {
  if (file === '-') return process.stdin;
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    if (fstatSync(fd).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw usage('unreadable_file', `cannot read the recording ${file}: ${why}`);
  }
  // 64 KiB chunks: larger ones pile up as external memory between collections (1 MiB: +70 MB peak RSS).
  return createReadStream('', { fd, highWaterMark: 64 * 1024 });
}
