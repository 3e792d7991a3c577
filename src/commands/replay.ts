import { closeSync, createReadStream, fstatSync, openSync } from 'node:fs';
import { refusedRequest } from '../net-errors.js';
import { usage } from '../errors.js';
import { nowSeconds } from '../schemes/hmac.js';
import type { Registry } from '../schemes/registry.js';
import { termSafeLine } from '../render/safe.js';
import { loadStyle, useColor } from '../render/style.js';
import { renderReplayItem, renderReplaySummary } from '../render/send.js';
import type { Outcome } from '../send/deliver.js';
import type { ReplayItem, ReplaySummary } from '../send/report.js';
import type { Expect } from '../send/expect.js';
import { nothingSelected, onlyMatcher, parseLine, prepare, readLines, type Prepared, type Resign, type Who } from '../send/replay.js';
import { checkSecrets, readSecrets, type IO } from '../io/input.js';

export interface ReplayFlags {
  /** Required: checked with the file, so that one line names everything missing. */
  to?: string;
  resign?: boolean;
  scheme?: string;
  secret?: string[];
  secretFile?: string;
  signedUrl?: string;
  only?: string;
  concurrency: number;
  expect: Expect;
  /** ms, to each answer's headers. */
  timeout: number;
  json?: boolean;
  color?: boolean;
  /** The run's schemes (src/cli.ts builds it: src/run-schemes.ts). */
  registry: Registry;
}

/**
 * `whk replay`: sends recorded events again, byte for byte (or re-signed with --resign), and
 * reports each one: answered (within --expect or not), answered with a body that did not finish,
 * no answer, or invalid in the recording (not sent). The recording is read line by line with at
 * most --concurrency requests in flight, so its size does not matter; results are printed in
 * file order, then a summary, always. Exit 0 every event within --expect, 1 any other result,
 * 2 usage (and a recording with no event, or none matching --only), 3 requests were sent and
 * none got an answer (the receiver is unreachable), 130 Ctrl-C (after the summary).
 */
export async function replayCommand(file: string | undefined, flags: ReplayFlags, io: IO): Promise<number> {
  const missing = [file === undefined ? 'the recording (a file, or - for stdin)' : '', flags.to === undefined ? '--to <url>' : ''].filter(Boolean);
  if (file === undefined || flags.to === undefined) throw usage('missing_argument', `missing ${missing.join(' and ')}: whk replay <file> --to <url>`);
  let to: URL;
  try {
    to = new URL(flags.to);
  } catch {
    throw usage('bad_url', `--to "${flags.to}" is not a URL: give e.g. http://127.0.0.1:3000/webhooks`);
  }
  if (to.protocol !== 'http:' && to.protocol !== 'https:') throw usage('bad_url', `--to ${flags.to}: only http:// and https:// URLs`);
  const { expect, timeout: timeoutMs, concurrency } = flags;
  if (!flags.resign && (flags.scheme || flags.secret || flags.secretFile)) {
    throw usage('conflicting_flags', '--scheme and --secret are for --resign: without it, events are replayed with their recorded signatures');
  }
  let resign: Resign | undefined;
  if (flags.resign) {
    resign = {
      registry: flags.registry,
      scheme: flags.scheme ? flags.registry.get(flags.scheme) : undefined,
      secrets: readSecrets(flags),
      now: nowSeconds,
      signUrl: flags.signedUrl,
    };
    // A secret the scheme cannot use is a usage error before anything is sent, not a failure per event.
    if (resign.scheme) checkSecrets([resign.scheme], resign.secrets, 'sign');
  }
  const match = flags.only === undefined ? undefined : onlyMatcher(flags.only);
  const input = openRecording(file);

  const style = await loadStyle(useColor(process.stdout, flags.color));
  const { Deliverer } = await import('../send/deliver.js');
  const deliverer = new Deliverer(to.origin, { connections: concurrency, timeoutMs, keepBody: 256, hint: 'is the receiver running?', preciseTimeout: true });

  // Results leave in file order: a queue of slots, each filled when its event is done, printed
  // from the front. Requests in flight are bounded by --concurrency, and the slots waiting
  // behind a slow one by `window`, so memory does not grow with the recording.
  const window = Math.max(256, concurrency * 4);
  const queue: Array<{ item?: ReplayItem }> = [];
  let head = 0;
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const until = async (ready: () => boolean) => {
    while (!ready()) await new Promise<void>((resolve) => (wake = resolve));
  };

  const n = { events: 0, ok: 0, outsideExpect: 0, incomplete: 0, noAnswer: 0, invalid: 0 };
  // Counts, not lists: a recording can hold millions of events.
  const statuses = tally();
  const errors = tally();
  const invalidReasons = tally();
  let firstNoAnswer: string | undefined;
  const emit = (item: ReplayItem) => {
    n.events++;
    if (item.result === 'ok') n.ok++;
    else if (item.result === 'outside_expect') n.outsideExpect++;
    else if (item.result === 'incomplete') n.incomplete++;
    else if (item.result === 'no_answer') n.noAnswer++;
    else n.invalid++;
    if (item.status !== null) statuses.add(item.status);
    if (item.error && item.result === 'invalid') invalidReasons.add(item.error.code);
    else if (item.error) errors.add(item.error.code);
    if (item.result === 'no_answer') firstNoAnswer ??= item.error!.message;
    io.out(flags.json ? replayJson(item) : renderReplayItem(item, style));
  };
  const flush = () => {
    while (head < queue.length && queue[head]!.item) emit(queue[head++]!.item!);
    if (head > 1024 && head * 2 > queue.length) queue.splice(0, head), (head = 0);
  };
  // One object shape for every result, keys in their JSON order.
  const item = (line: number, who: Who | undefined, method: string | null, url: string | null, status: number | null, statusText: string | undefined,
    ms: number, error: ReplayItem['error'], result: ReplayItem['result'], resigned: string | null = null, bodyEdit: string | null = null): ReplayItem => ({
    seq: who?.seq ?? null, id: who?.eventId ?? null, eventType: who?.eventType ?? null, method, url, status, statusText, ms, error,
    withinExpect: result === 'ok', resigned, bodyEdit, result, line,
  });
  const invalid = (line: number, who: Who | undefined, method: string | null, url: string | null, problem: { code: string; message: string }) =>
    item(line, who, method, url, null, undefined, 0, { code: problem.code, message: problem.message }, 'invalid');
  const sent = (line: number, who: Who, p: Extract<Prepared, { ok: true }>, o: Outcome): ReplayItem => {
    const [req, url] = [p.req, p.url.href];
    if (o.ok) {
      const result = expect.matches(o.status) ? 'ok' : 'outside_expect';
      return item(line, who, req.method, url, o.status, o.response?.statusText, o.ms, null, result, req.resigned ?? null, req.bodyEdit ?? null);
    }
    const error = { code: o.error.code, message: o.error.message };
    const result = o.refused ? 'invalid' : o.status !== undefined ? 'incomplete' : 'no_answer';
    return item(line, who, req.method, url, result === 'incomplete' ? o.status! : null, result === 'incomplete' ? o.response?.statusText : undefined, o.ms, error, result, req.resigned ?? null, req.bodyEdit ?? null);
  };
  const push = (slot: { item?: ReplayItem }) => {
    queue.push(slot);
    flush();
  };

  let recorded = 0;
  let selected = 0;
  let unparseable = 0;
  let skipped = 0;
  const types = new Set<string>();
  let interrupts = 0;
  const onSigint = () => {
    // Stop reading; the requests in flight finish (a second Ctrl-C aborts them), then the summary.
    if (++interrupts > 1) void deliverer.destroy();
    else io.err(`stopping after the ${inFlight} request${inFlight === 1 ? '' : 's'} in flight (Ctrl-C again to abort ${inFlight === 1 ? 'it' : 'them'})`);
    signal();
  };
  process.on('SIGINT', onSigint);
  let readError: string | undefined;
  let lastLine = 0;
  const started = performance.now();
  try {
    try {
      for await (const raw of readLines(input)) {
        if (interrupts > 0) break;
        lastLine = raw.no;
        if (raw.text === undefined) {
          unparseable++;
          if (!match) push({ item: invalid(raw.no, undefined, null, null, { code: 'line_too_long', message: `a line of ${raw.bytes} bytes: longer than any record whk reads (256 MiB)` }) });
        } else {
          const l = parseLine(raw.text);
          if (l.kind === 'blank') continue;
          if (l.kind === 'other') {
            skipped++;
            continue;
          }
          if (l.kind === 'unparseable') {
            // Nothing identifies it, so --only cannot pick it: counted then, reported otherwise.
            unparseable++;
            if (!match) push({ item: invalid(raw.no, undefined, null, null, l.problem) });
          } else {
            recorded++;
            if (l.who.eventType && types.size < 8) types.add(l.who.eventType);
            if (match && !match(l.who)) continue;
            selected++;
            if (l.kind === 'invalid') {
              push({ item: invalid(raw.no, l.who, l.method, null, l.problem) });
            } else {
              const p = prepare(l.record, to, resign);
              if (!p.ok) {
                push({ item: invalid(raw.no, l.who, p.method, p.url?.href ?? null, p.problem) });
              } else {
                await until(() => interrupts > 0 || (inFlight < concurrency && queue.length - head < window));
                if (interrupts > 0) break;
                const slot: { item?: ReplayItem } = {};
                push(slot);
                inFlight++;
                const line = raw.no;
                const who = l.who;
                void deliverer.send(p.req)
                  .catch((e: unknown): Outcome => ({ ok: false, error: refusedRequest(e), ms: 0, refused: true }))
                  .then((o) => {
                    slot.item = sent(line, who, p, o);
                    inFlight--;
                    flush();
                    signal();
                  });
              }
            }
          }
        }
        // A slow reader of stdout holds the replay back instead of the lines piling up in memory.
        const room = outputRoom();
        if (room) await room;
        await until(() => queue.length - head < window || interrupts > 0);
      }
    } catch (e) {
      readError = `reading ${file} failed after line ${lastLine}: ${(e as Error).message}`;
    }
    await until(() => inFlight === 0);
    flush();
  } finally {
    process.off('SIGINT', onSigint);
    await deliverer.close().catch(() => undefined);
  }

  const summary: ReplaySummary = {
    events: n.events,
    ok: n.ok,
    failed: n.events - n.ok,
    statuses: statuses.counts(),
    errors: errors.counts(),
    expect: expect.text,
    unparseable,
    durationMs: Math.round((performance.now() - started) * 100) / 100,
    outsideExpect: n.outsideExpect,
    incomplete: n.incomplete,
    noAnswer: n.noAnswer,
    invalid: n.invalid,
    invalidReasons: invalidReasons.counts(),
    skipped,
    ...(interrupts > 0 ? { interrupted: true as const } : {}),
  };
  const printSummary = () => io.out(flags.json ? JSON.stringify({ type: 'summary', ...summary }) : renderReplaySummary(summary, style));
  if (match && unparseable > 0) {
    io.err(`note: ${unparseable} line${unparseable === 1 ? ' is' : 's are'} not a JSON record in ${file}: not matched against --only`);
  }
  if (interrupts > 0) {
    printSummary();
    return 130;
  }
  if (readError) {
    printSummary();
    io.err(`whk: ${readError}`);
    return 1;
  }
  if (recorded === 0 || (match && selected === 0)) {
    if (n.events > 0) printSummary();
    if (recorded === 0) throw usage('empty_recording', `${file} holds no recorded events (lines with "type":"event", as whk listen --record writes)`);
    throw nothingSelected(flags.only!, recorded, [...types].map((t) => termSafeLine(t)));
  }
  printSummary();
  if (n.noAnswer > 0 && n.ok + n.outsideExpect + n.incomplete === 0) {
    // Requests went out and none was answered: the receiver is unreachable (exit 3, one line).
    io.err(`whk: ${firstNoAnswer}`);
    return 3;
  }
  return summary.failed > 0 ? 1 : 0;
}

/** Counts by key; `counts()` in ascending key order, as `histogram` (src/send/stats.ts) gives them. */
function tally() {
  const m = new Map<string, number>();
  return {
    add: (k: string | number) => void m.set(String(k), (m.get(String(k)) ?? 0) + 1),
    counts: (): Record<string, number> => Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))),
  };
}

/** One `{"type":"replay"}` line: the keys of before in their order, then the new ones. */
function replayJson(i: ReplayItem): string {
  return JSON.stringify({
    type: 'replay', seq: i.seq, id: i.id, eventType: i.eventType, method: i.method, url: i.url, status: i.status, statusText: i.statusText,
    ms: Math.round(i.ms * 100) / 100, error: i.error, withinExpect: i.withinExpect, resigned: i.resigned, bodyEdit: i.bodyEdit, result: i.result, line: i.line,
  });
}

/** The recording as a byte stream ("-": stdin); a usage error when it cannot be opened. */
function openRecording(file: string): AsyncIterable<Buffer> {
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

/**
 * Resolves once stdout has room again: undefined (go on) unless more than 1 MiB waits for a
 * reader that is behind; then at its 'drain' (or when it closes). Waiting at every full pipe
 * buffer instead would leave the connections idle for nothing. (What `io` writes to is stdout;
 * IO has no way to say it is full yet.)
 */
const OUTPUT_BACKLOG = 1024 * 1024;
function outputRoom(): Promise<void> | undefined {
  const s = process.stdout;
  if (s.writableLength < OUTPUT_BACKLOG || !s.writableNeedDrain || s.destroyed) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      s.off('drain', done);
      s.off('close', done);
      s.off('error', done);
      resolve();
    };
    s.on('drain', done);
    s.on('close', done);
    s.on('error', done);
  });
}
