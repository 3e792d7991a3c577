import type { IO } from '../io/input.js';
import { formatDuration } from '../units.js';
import type { DeliveryRecord, EventMessage, ListenerEvent, ListenerStats, ReadyInfo, RejectedRecord, TunnelRecord } from './events.js';
import { removeReadyFile, writeReadyFile } from './ready-file.js';
import type { Recorder } from './recorder.js';
import type { EventRecord } from '../record.js';
import type { Listener } from './server.js';
import { Sink, type Writable } from './sink.js';

export interface Spinner {
  start(text?: string): unknown;
  stop(): unknown;
}

/**
 * How the session's output reads: the renderers it is given (src/render/session.ts makes them),
 * plain data in, text out.
 */
export interface SessionRenderer {
  /** A delivery on stdout: its NDJSON line (`--json`), or a block or a line for a terminal. */
  event(m: EventMessage): string;
  rejected(r: RejectedRecord): string;
  /** What the queue did with a delivery (--queue): a line for a terminal, or its NDJSON line. */
  delivery(r: DeliveryRecord): string;
  deliveryLine(r: DeliveryRecord): string;
  /** The tunnel came back after a drop (--tunnel): its NDJSON line (`--json`). */
  tunnelLine(r: TunnelRecord): string;
  /** The record's NDJSON line (with its newline), for --record and the history. */
  eventLine(m: EventMessage): string;
  /** The ready lines for stderr; `readyLine`: the {"type":"ready"} record for stdout (--json). */
  ready(info: ReadyInfo): string;
  readyLine(info: ReadyInfo & { pid: number }): string;
  warning(message: string): string;
  summary(stats: ListenerStats): string;
  /** The spinner's text between events. */
  waiting(stats: ListenerStats): string;
}

export interface SessionOptions {
  /** NDJSON on stdout (else what `render.event` makes for a terminal). */
  json: boolean;
  render: SessionRenderer;
  spinner?: Spinner;
  /** Exit 0 after this many valid events; 1 at the first invalid one. */
  expect?: number;
  /** Stop after this long (ms). */
  timeoutMs?: number;
  /** How long a shutdown waits for the requests in flight (ms, default 10 s); a second signal ends the wait. */
  shutdownGraceMs?: number;
  recorder?: Recorder;
  /**
   * Opens the history journal once listening (its first line names the port): a journal that
   * could not be created comes back failed, and is told like a failed write.
   */
  openHistory?: (listener: Listener) => Journal;
  /** Every delivery, once written: the live feed (the inspector). */
  onRecord?: (record: EventRecord) => void;
  readyFile?: string;
  /** What the ready lines say, less the URLs. */
  ready: Omit<ReadyInfo, 'url' | 'publicUrl'>;
  /** The spinner's text while starting. */
  startingText?: string;
  /** The process's signals (tests pass an EventEmitter). */
  signals?: NodeJS.EventEmitter;
  /** Where uncaught errors are reported (default: the process): the last-resort handler listens there. */
  crashes?: NodeJS.EventEmitter;
  /** Stack traces for internal errors (--debug, WHK_DEBUG=1). */
  debug?: boolean;
}

/** Where delivery lines are appended: --record (src/listen/recorder.ts), the history (src/history/journal.ts). */
export interface Journal {
  write(line: string): boolean;
  failure: string | undefined;
  failed: boolean;
  close(): void;
}

/** Exit codes for signals: 128 + the signal's number. */
const SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type SignalName = keyof typeof SIGNALS;

/**
 * One run of `whk listen`, from ready line to summary: output (NDJSON with backpressure, or
 * pretty blocks), --record, --expect and --timeout, signals and a graceful shutdown, the ready
 * file, a last-resort handler for our own bugs. Resolves with the exit code, which always follows
 * what happened: the count of valid events against --expect, writes that failed, the signal that
 * stopped it. Never exits the process itself.
 */
export async function runSession(start: (emit: (e: ListenerEvent) => void) => Promise<Listener>, o: SessionOptions, io: IO): Promise<number> {
  const run = new Session(o, io);
  o.spinner?.start(o.startingText ?? 'starting');
  let listener: Listener;
  try {
    listener = await start((e) => run.onEvent(e));
  } finally {
    o.spinner?.stop();
  }
  await run.begin(listener);
  const code = await run.finished;
  return run.end(code);
}

class Session {
  listener: Listener | undefined;
  history: Journal | undefined;
  readonly finished: Promise<number>;
  private finish: (code: number) => void = () => undefined;
  private ended = false;
  private validSeen = 0;
  /** What went wrong and was not said yet: said once, before the summary. */
  private readonly untold: string[] = [];
  private writeFailed = false;
  private crashed = false;
  private signal: SignalName | undefined;
  private timedOut = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly sink: Sink;
  private stderrFailed = false;
  private readonly outputMatters: boolean;
  private readonly unlisten: Array<() => void> = [];

  constructor(private readonly o: SessionOptions, private readonly io: IO) {
    this.finished = new Promise<number>((resolve) => (this.finish = (code) => {
      if (this.ended) return;
      this.ended = true;
      resolve(code);
    }));
    // The result depends on the output when a script reads it or counts on it.
    this.outputMatters = o.json || o.expect !== undefined || o.recorder !== undefined;
    const stdout: Writable = io.stdout ?? { write: (t, cb) => (io.out(t), cb?.(), true), once: () => undefined };
    this.sink = new Sink(stdout, {
      onFull: () => this.listener?.pause(),
      onDrain: () => this.listener?.resume(),
      onError: (e) => {
        if (this.outputMatters) this.writeFailed = true;
        this.untold.push(`cannot write to stdout (${errCode(e)}): stopping; the events after that were not written`);
        this.finish(1);
      },
    });
  }

  /** Listening: the history, the ready file and lines, then the ways out. */
  async begin(listener: Listener): Promise<void> {
    const { o, io } = this;
    this.listener = listener;
    const onStderrError = () => (this.stderrFailed = true);
    io.stderr?.on('error', onStderrError);
    this.unlisten.push(() => io.stderr?.off('error', onStderrError));
    this.watchCrashes();
    // The history before anyone knows the URL: no delivery comes before its session line.
    this.history = o.openHistory?.(listener);
    // The ready file first: whoever waits for the ready line may read it at once. It is removed on
    // every way out, a crash included (process 'exit' runs synchronous handlers).
    if (o.readyFile) {
      try {
        writeReadyFile(o.readyFile, listener.url);
      } catch (e) {
        await listener.close(0);
        for (const off of this.unlisten) off();
        throw e;
      }
      const cleanup = () => removeReadyFile(o.readyFile!, listener.url);
      process.once('exit', cleanup);
      this.unlisten.push(() => (cleanup(), process.off('exit', cleanup)));
    }
    const ready = { ...o.ready, url: listener.url, publicUrl: listener.publicUrl, pid: process.pid };
    io.err(o.render.ready(ready));
    if (this.history?.failure) this.tellFailure(this.history);
    if (o.json) this.sink.line(o.render.readyLine(ready));
    o.spinner?.start(o.render.waiting(listener.stats));
    this.waysOut();
  }

  /** --timeout and the signals: the first signal ends the run, the next ones end the shutdown's wait. */
  private waysOut(): void {
    const { o } = this;
    if (o.timeoutMs !== undefined) {
      this.timer = setTimeout(() => {
        this.timedOut = true;
        this.finish(o.expect !== undefined ? 1 : this.listener!.stats.invalid > 0 ? 1 : 0);
      }, o.timeoutMs);
    }
    const signals = o.signals ?? process;
    for (const name of Object.keys(SIGNALS) as SignalName[]) {
      const h = () => {
        if (this.signal !== undefined || this.ended) return this.listener?.hurry();
        this.signal = name;
        this.finish(SIGNALS[name]);
      };
      signals.on(name, h);
      this.unlisten.push(() => signals.off(name, h));
    }
  }

  /**
   * The last resort: an error nothing else handled (a bug of ours) is one line, the run ends with
   * its summary and exit 1; never a stack trace unless --debug.
   */
  private watchCrashes(): void {
    const crashes = this.o.crashes ?? process;
    const h = (e: unknown) => {
      if (!this.crashed) {
        const err = e instanceof Error ? e : new Error(String(e));
        this.io.err(`whk: internal error: ${err.message}${this.o.debug ? `\n${err.stack}` : ' (run with --debug for the stack)'}`);
      }
      this.crashed = true;
      this.listener?.hurry();
      this.finish(1);
    };
    crashes.on('uncaughtException', h);
    crashes.on('unhandledRejection', h);
    this.unlisten.push(() => (crashes.off('uncaughtException', h), crashes.off('unhandledRejection', h)));
  }

  onEvent(e: ListenerEvent): void {
    if (e.kind === 'event') return this.onDelivery(e);
    if (e.kind === 'rejected') {
      if (this.o.json) this.sink.line(this.o.render.rejected(e.record));
      else this.withSpinner(() => (this.sink.line(this.o.render.rejected(e.record)), this.sink.flush()));
      return;
    }
    if (e.kind === 'delivery') {
      if (this.o.json) this.sink.line(this.o.render.deliveryLine(e.record));
      else if (e.record.state !== 'retrying' || isPowerOfTwo(e.record.attempt)) this.withSpinner(() => (this.sink.line(this.o.render.delivery(e.record)), this.sink.flush()));
      return;
    }
    if (e.kind === 'tunnel') {
      if (this.o.json) this.sink.line(this.o.render.tunnelLine(e.record));
      return this.withSpinner(() => this.io.err(this.o.render.warning(tunnelText(e.record))));
    }
    this.withSpinner(() => this.io.err(this.o.render.warning(e.message)));
  }

  private onDelivery(e: EventMessage): void {
    const { o } = this;
    // Recorded first: whatever happens to the display, the recording and the history have it.
    const line = o.json || o.recorder || this.history ? o.render.eventLine(e) : '';
    if (line) e.line = line;
    // whk's own tunnel self-check is shown, never kept: replaying it would send it again.
    const kept = !e.record.tunnelCheck;
    if (o.recorder && kept) this.append(o.recorder, line);
    if (this.history && kept) this.append(this.history, line);
    if (o.json) this.sink.line(line);
    o.onRecord?.(e.record);
    if (!o.json) this.withSpinner(() => (this.sink.line(o.render.event(e)), this.sink.flush()));
    if (o.json && e.forward?.error) this.io.err(o.render.warning(`#${e.record.seq} ${e.forward.error}`));
    if (o.expect === undefined || e.record.filtered || !e.verdict) return;
    if (!e.verdict.valid) {
      this.untold.push(`invalid event #${e.record.seq}: ${e.verdict.reason} — ${e.verdict.message}`);
      this.finish(1);
    } else if (++this.validSeen >= o.expect) {
      this.finish(0);
    }
  }

  /** Appends a line to --record or the history; a failure is said once. */
  private append(j: Journal, line: string): void {
    if (!j.write(line) && j.failure) this.tellFailure(j);
  }

  /** Says once what went wrong with a journal; a write that failed makes the run fail (a cap reached does not). */
  private tellFailure(j: Journal): void {
    if (j.failed) this.writeFailed = true;
    this.withSpinner(() => this.io.err(this.o.render.warning(j.failure!)));
    j.failure = undefined;
  }

  private withSpinner(write: () => void): void {
    const { spinner } = this.o;
    if (!spinner) return write();
    spinner.stop();
    write();
    if (this.listener && !this.ended) spinner.start(this.o.render.waiting(this.listener.stats));
  }

  /** The shutdown: what was admitted finishes (up to the grace), every event is written, then the summary. */
  async end(code: number): Promise<number> {
    const { o, io } = this;
    const listener = this.listener!;
    if (this.timer) clearTimeout(this.timer);
    o.spinner?.stop();
    const graceMs = o.shutdownGraceMs ?? 10_000;
    if (this.signal && listener.inFlight > 0) {
      const n = listener.inFlight;
      io.err(`whk: stopping: ${n} request${n === 1 ? '' : 's'} in flight get${n === 1 ? 's' : ''} up to ${formatDuration(graceMs)} to finish (send the signal again to stop now)`);
    }
    await listener.close(graceMs);
    this.sink.flush();
    o.recorder?.close();
    this.history?.close();
    for (const off of this.unlisten) off();
    if (o.expect !== undefined && this.validSeen < o.expect && code === 0) code = 1;
    this.summary();
    // A failed write makes the run fail whatever ended it (a signal's code would hide it).
    if (this.writeFailed || this.crashed || o.recorder?.failed || this.history?.failed || (code === 0 && this.outputMatters && (this.sink.error || this.stderrFailed))) code = 1;
    return code;
  }

  private summary(): void {
    const { o, io, sink } = this;
    for (const f of this.untold) io.err(o.render.warning(f));
    if (sink.lost > 0 && !this.untold.some((u) => u.startsWith('cannot write to stdout'))) {
      io.err(`whk: ${sink.lost} line${sink.lost === 1 ? '' : 's'} could not be written to stdout (${errCode(sink.error)})`);
    }
    if (this.timedOut && o.expect !== undefined) {
      io.err(`whk: timed out after ${formatDuration(o.timeoutMs!)}: received ${this.validSeen} of ${o.expect} expected events`);
    } else if (this.timedOut) {
      io.err(`whk: stopped after ${formatDuration(o.timeoutMs!)}`);
    } else if (o.expect !== undefined) {
      io.err(`whk: received ${this.validSeen} of ${o.expect} expected event${o.expect === 1 ? '' : 's'}`);
    }
    io.err(o.render.summary(this.listener!.stats));
  }
}

/** A queue that keeps failing is said at its 1st, 2nd, 4th, 8th... attempt on a terminal (NDJSON has every one). */
const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0;

const errCode = (e: Error | undefined) => (e as NodeJS.ErrnoException | undefined)?.code ?? e?.message ?? 'unknown error';

/** What a person reads when the tunnel came back: the public URL, and whether the provider's must change. */
export const tunnelText = (r: TunnelRecord): string => (r.changed
  ? `${r.tunnel} is back on a new public URL: ${r.publicUrl} (it changed: update the webhook URL at your provider)`
  : `${r.tunnel} is back on the same public URL: ${r.publicUrl}`);
