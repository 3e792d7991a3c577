import type { IO } from '../commands/input.js';
import { eventJsonLine, readyJsonLine, rejectedJsonLine, renderEvent, renderReady, renderRejected, renderSummary, renderWarning, waitingText, type ReadyInfo } from '../render/event.js';
import type { Style } from '../render/style.js';
import { formatDuration } from '../units.js';
import type { ListenerEvent } from './events.js';
import { removeReadyFile, writeReadyFile } from './ready-file.js';
import type { Recorder } from './recorder.js';
import { renderCompact } from '../render/compact.js';
import type { EventRecord } from '../record.js';
import type { Listener } from './server.js';
import { Sink, type Writable } from './sink.js';

export interface Spinner {
  start(text?: string): unknown;
  stop(): unknown;
}

export interface SessionOptions {
  /** NDJSON on stdout (else pretty blocks in `style`). */
  json: boolean;
  style?: Style;
  errStyle: Style;
  spinner?: Spinner;
  /** Exit 0 after this many valid events; 1 at the first invalid one. */
  expect?: number;
  /** Stop after this long (ms). */
  timeoutMs?: number;
  recorder?: Recorder;
  /**
   * Opens the history journal once listening (its first line names the port): a journal that
   * could not be created comes back failed, and is told like a failed write.
   */
  openHistory?: (listener: Listener) => Journal;
  /** Every delivery, once written: the live feed (the inspector). */
  onRecord?: (record: EventRecord) => void;
  /** One line per delivery instead of a block (pretty mode only). */
  compact?: boolean;
  readyFile?: string;
  /** What the ready lines say, less the URLs. */
  ready: Omit<ReadyInfo, 'url' | 'publicUrl'>;
  /** The spinner's text while starting. */
  startingText?: string;
  /** The process's signals (tests pass an EventEmitter). */
  signals?: NodeJS.EventEmitter;
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

/**
 * One run of `whk listen`, from ready line to summary: output (NDJSON with backpressure, or
 * pretty blocks), --record, --expect and --timeout, signals, the ready file. Resolves with the
 * exit code, which always follows what happened: the count of valid events against --expect,
 * writes that failed, the signal that stopped it. Never exits the process itself.
 */
export async function runSession(start: (emit: (e: ListenerEvent) => void) => Promise<Listener>, o: SessionOptions, io: IO): Promise<number> {
  const signals = o.signals ?? process;
  let finish: (code: number) => void = () => undefined;
  let ended = false;
  const finished = new Promise<number>((resolve) => (finish = (code) => {
    if (ended) return;
    ended = true;
    resolve(code);
  }));
  let listener: Listener | undefined;
  let history: Journal | undefined;
  let validSeen = 0;
  const failures: string[] = [];
  // The result depends on the output when a script reads it or counts on it.
  const outputMatters = o.json || o.expect !== undefined || o.recorder !== undefined;
  let outputFailed = false;

  const stdout: Writable = io.stdout ?? { write: (t, cb) => (io.out(t), cb?.(), true), once: () => undefined };
  const sink = new Sink(stdout, {
    onFull: () => listener?.pause(),
    onDrain: () => listener?.resume(),
    onError: (e) => {
      outputFailed = true;
      failures.push(`cannot write to stdout (${errCode(e)}): stopping; the events after that were not written`);
      finish(1);
    },
  });
  let stderrFailed = false;
  const onStderrError = () => {
    stderrFailed = true;
  };
  io.stderr?.on('error', onStderrError);

  const withSpinner = (write: () => void) => {
    if (!o.spinner) return write();
    o.spinner.stop();
    write();
    if (listener) o.spinner.start(waitingText(listener.stats));
  };

  /** Appends a line to --record or the history; a failure is told once, and counts. */
  const append = (j: Journal, line: string) => {
    if (!j.write(line) && j.failure) tellFailure(j);
  };
  const tellFailure = (j: Journal) => {
    failures.push(j.failure!);
    withSpinner(() => io.err(renderWarning(j.failure!)));
    j.failure = undefined;
  };

  const onEvent = (e: ListenerEvent) => {
    if (e.kind === 'event') {
      // Recorded first: whatever happens to the display, the recording and the history have it.
      const line = o.json || o.recorder || history ? eventJsonLine(e.record) : '';
      if (line) e.line = line;
      if (o.recorder) append(o.recorder, line);
      if (history) append(history, line);
      if (o.json) sink.line(line);
      o.onRecord?.(e.record);
      if (!o.json) withSpinner(() => (sink.line(`${o.compact ? renderCompact(e, o.style!) : renderEvent(e, o.style!)}\n`), sink.flush()));
      if (o.json && e.forward?.error) io.err(renderWarning(`#${e.record.seq} ${e.forward.error}`));
      if (o.expect !== undefined && !e.record.filtered && e.verdict) {
        if (!e.verdict.valid) {
          failures.push(`invalid event #${e.record.seq}: ${e.verdict.reason} — ${e.verdict.message}`);
          finish(1);
        } else if (++validSeen >= o.expect) {
          finish(0);
        }
      }
    } else if (e.kind === 'rejected') {
      if (o.json) sink.line(rejectedJsonLine(e.record));
      else withSpinner(() => (sink.line(`${renderRejected(e.record, o.style!)}\n`), sink.flush()));
    } else {
      withSpinner(() => io.err(renderWarning(e.message)));
    }
  };

  o.spinner?.start(o.startingText ?? 'starting');
  try {
    listener = await start(onEvent);
  } finally {
    o.spinner?.stop();
  }

  // The history before anyone knows the URL: no delivery comes before its session line.
  history = o.openHistory?.(listener);

  // The ready file first: whoever waits for the ready line may read it at once. It is removed on
  // every way out, a crash included (process 'exit' runs synchronous handlers).
  const url = listener.url;
  const cleanup = () => {
    if (o.readyFile) removeReadyFile(o.readyFile, url);
  };
  if (o.readyFile) {
    try {
      writeReadyFile(o.readyFile, url);
    } catch (e) {
      await listener.close(0);
      throw e;
    }
    process.once('exit', cleanup);
  }
  io.err(renderReady({ ...o.ready, url, publicUrl: listener.publicUrl }, o.errStyle));
  if (history?.failure) tellFailure(history);
  if (o.json) sink.line(readyJsonLine(url, listener.publicUrl, o.ready.inspectUrl ?? null));
  o.spinner?.start(waitingText(listener.stats));

  // Ways out: --expect reached or failed (above), --timeout, a signal, stdout gone (above).
  let timedOut = false;
  const timer = o.timeoutMs === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    finish(o.expect !== undefined ? 1 : listener!.stats.invalid > 0 ? 1 : 0);
  }, o.timeoutMs);
  let signal: keyof typeof SIGNALS | undefined;
  const handlers = Object.keys(SIGNALS).map((name) => {
    const h = () => {
      signal ??= name as keyof typeof SIGNALS;
      finish(SIGNALS[name as keyof typeof SIGNALS]);
    };
    signals.on(name, h);
    return [name, h] as const;
  });

  let code = await finished;

  if (timer) clearTimeout(timer);
  o.spinner?.stop();
  // Every answered request is still emitted (and written) by close().
  await listener.close(signal ? 200 : 1000);
  for (const [name, h] of handlers) signals.off(name, h);
  sink.flush();
  o.recorder?.close();
  history?.close();
  cleanup();
  process.off('exit', cleanup);
  io.stderr?.off('error', onStderrError);

  if (o.expect !== undefined && validSeen < o.expect && code === 0) code = 1;
  for (const f of failures) io.err(renderWarning(f));
  if (sink.lost > 0 && !outputFailed) io.err(`whk: ${sink.lost} line${sink.lost === 1 ? '' : 's'} could not be written to stdout (${errCode(sink.error)})`);
  if (timedOut && o.expect !== undefined) {
    io.err(`whk: timed out after ${formatDuration(o.timeoutMs!)}: received ${validSeen} of ${o.expect} expected events`);
  } else if (timedOut) {
    io.err(`whk: stopped after ${formatDuration(o.timeoutMs!)}`);
  } else if (o.expect !== undefined) {
    io.err(`whk: received ${validSeen} of ${o.expect} expected event${o.expect === 1 ? '' : 's'}`);
  }
  io.err(renderSummary(listener.stats));
  // A write that failed makes the run fail when its result depends on the output; a signal's code stands.
  if (code === 0 && outputMatters && (sink.error || stderrFailed || o.recorder?.failed || history?.failed)) code = 1;
  return code;
}

const errCode = (e: Error | undefined) => (e as NodeJS.ErrnoException | undefined)?.code ?? e?.message ?? 'unknown error';
