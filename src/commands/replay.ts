import { usage } from '../errors.js';
import { nowSeconds } from '../schemes/hmac.js';
import type { Registry } from '../schemes/registry.js';
import { termSafeLine } from '../render/safe.js';
import { loadStyle, useColor, type Style } from '../render/style.js';
import { renderReplayItem, renderReplaySummary, replayJson, replayStoppingLine } from '../render/send.js';
import type { Expect } from '../send/expect.js';
import { nothingSelected, onlyMatcher, type Resign } from '../send/replay.js';
import { openRecording, replayRun, type ReplayEnd } from '../send/replay-run.js';
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
 * no answer, or invalid in the recording (not sent). The engine (src/send/replay-run.ts) reads the
 * recording line by line with at most --concurrency requests in flight, so its size does not
 * matter; results are printed in file order, then a summary, always. Exit 0 every event within
 * --expect, 1 any other result, 2 usage (and a recording with no event, or none matching --only),
 * 3 requests were sent and none got an answer (the receiver is unreachable), 130 Ctrl-C (after
 * the summary).
 */
export async function replayCommand(file: string | undefined, flags: ReplayFlags, io: IO): Promise<number> {
  if (file === undefined || flags.to === undefined) throw missingArguments(file, flags.to);
  const to = replayTarget(flags.to, flags);
  const resign = resignOptions(flags);
  const only = flags.only === undefined ? undefined : onlyMatcher(flags.only);
  const input = openRecording(file);
  const style = await loadStyle(useColor(process.stdout, flags.color));
  let end: ReplayEnd | undefined;
  const run = replayRun({ input, file, to, resign, only, concurrency: flags.concurrency, expect: flags.expect, timeoutMs: flags.timeout });
  for await (const e of run) {
    if (e.type === 'stopping') io.err(replayStoppingLine(e.inFlight));
    else if (e.type === 'end') end = e.end;
    else {
      io.out(flags.json ? replayJson(e.item) : renderReplayItem(e.item, style));
      // A slow reader of stdout holds the replay back instead of the lines piling up in memory.
      const room = outputRoom();
      if (room) await room;
    }
  }
  return finish(file, flags, end!, io, style);
}

/** One line naming everything missing: the recording, --to, or both. */
function missingArguments(file: string | undefined, to: string | undefined) {
  const missing = [file === undefined ? 'the recording (a file, or - for stdin)' : '', to === undefined ? '--to <url>' : ''].filter(Boolean);
  return usage('missing_argument', `missing ${missing.join(' and ')}: whk replay <file> --to <url>`);
}

/** --to as an http(s) URL; --scheme and --secret only with --resign. */
function replayTarget(text: string, flags: ReplayFlags): URL {
  let to: URL;
  try {
    to = new URL(text);
  } catch {
    throw usage('bad_url', `--to "${text}" is not a URL: give e.g. http://127.0.0.1:3000/webhooks`);
  }
  if (to.protocol !== 'http:' && to.protocol !== 'https:') throw usage('bad_url', `--to ${text}: only http:// and https:// URLs`);
  if (!flags.resign && (flags.scheme || flags.secret || flags.secretFile)) {
    throw usage('conflicting_flags', '--scheme and --secret are for --resign: without it, events are replayed with their recorded signatures');
  }
  return to;
}

/** What --resign signs with, or undefined without it. */
function resignOptions(flags: ReplayFlags): Resign | undefined {
  if (!flags.resign) return undefined;
  const resign: Resign = {
    registry: flags.registry,
    scheme: flags.scheme ? flags.registry.get(flags.scheme) : undefined,
    secrets: readSecrets(flags),
    now: nowSeconds,
    signUrl: flags.signedUrl,
  };
  // A secret the scheme cannot use is a usage error before anything is sent, not a failure per event.
  if (resign.scheme) checkSecrets([resign.scheme], resign.secrets, 'sign');
  return resign;
}

/** The summary (when there is one to print), the closing lines on stderr, and the exit code. */
function finish(file: string, flags: ReplayFlags, end: ReplayEnd, io: IO, style: Style): number {
  const { summary: s } = end;
  const printSummary = () => io.out(flags.json ? JSON.stringify({ type: 'summary', ...s }) : renderReplaySummary(s, style));
  if (flags.only !== undefined && s.unparseable > 0) {
    io.err(`note: ${s.unparseable} line${s.unparseable === 1 ? ' is' : 's are'} not a JSON record in ${file}: not matched against --only`);
  }
  if (s.interrupted) {
    printSummary();
    return 130;
  }
  if (end.readError) {
    printSummary();
    io.err(`whk: ${end.readError}`);
    return 1;
  }
  if (end.recorded === 0 || (flags.only !== undefined && end.selected === 0)) {
    if (s.events > 0) printSummary();
    if (end.recorded === 0) throw usage('empty_recording', `${file} holds no recorded events (lines with "type":"event", as whk listen --record writes)`);
    throw nothingSelected(flags.only!, end.recorded, end.types.map((t) => termSafeLine(t)));
  }
  printSummary();
  if (s.noAnswer > 0 && s.ok + s.outsideExpect + s.incomplete === 0) {
    // Requests went out and none was answered: the receiver is unreachable (exit 3, one line).
    io.err(`whk: ${end.firstNoAnswer}`);
    return 3;
  }
  return s.failed > 0 ? 1 : 0;
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
