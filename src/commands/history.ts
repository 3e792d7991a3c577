import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { entries, findEntry, historyDir, listSessions, readSessionLine, type HistoryEntry, type HistoryFilter } from '../history/store.js';
import type { EventFilter } from '../filter.js';
import { eventJsonLine, renderEvent, renderWarning } from '../render/event.js';
import { renderHistoryLine, storedMessage } from '../render/history.js';
import { loadStyle, useColor } from '../render/style.js';
import { usage } from '../errors.js';
import type { IO } from '../io/input.js';

/** The filters of `whk history` and `whk history export`, parsed by commander (src/cli.ts). */
export interface HistoryFlags {
  limit?: number;
  /** ms: deliveries of the last this long. */
  since?: number;
  scheme?: string;
  type?: EventFilter;
  invalid?: boolean;
  json?: boolean;
  color?: boolean;
}

const filterOf = (f: HistoryFlags, now = Date.now()): HistoryFilter => ({
  since: f.since === undefined ? undefined : now - f.since,
  scheme: f.scheme,
  type: f.type,
  invalid: f.invalid,
});

const dir = () => historyDir();

/** `whk history`: the newest deliveries across sessions, one line each (NDJSON with --json). */
export async function historyCommand(flags: HistoryFlags, io: IO): Promise<number> {
  const style = flags.json ? undefined : await loadStyle(useColor(process.stdout, flags.color));
  const out = new Out(io);
  let n = 0;
  for await (const e of entries({ dir: dir(), filter: filterOf(flags), onWarning: (m) => io.err(renderWarning(m)) })) {
    if (!(await out.line(flags.json ? eventJsonLine(e) : `${renderHistoryLine(e, style!)}\n`))) break;
    if (++n >= (flags.limit ?? 50)) break;
  }
  if (n === 0) io.err(`whk: ${nothing(flags)}`);
  return out.done();
}

/** `whk history show <ref>`: one delivery in full, as the listener printed it (or its NDJSON line). */
export async function historyShowCommand(ref: string, flags: { json?: boolean; color?: boolean }, io: IO): Promise<number> {
  const e = await findEntry(ref, { dir: dir(), onWarning: (m) => io.err(renderWarning(m)) });
  if (!e) throw usage('not_found', `no delivery "${ref}" in the history (${dir()}): give a number, an event id or <session>:<seq> from whk history`);
  if (flags.json) {
    io.out(eventJsonLine(e));
    return 0;
  }
  const session = await readSessionLine(join(dir(), `${e.session}.ndjson`));
  io.out(renderEvent(storedMessage(e, session), await loadStyle(useColor(process.stdout, flags.color))));
  return 0;
}

/** `whk history export`: the deliveries as NDJSON, oldest first, for `whk replay`. */
export async function historyExportCommand(flags: HistoryFlags, io: IO): Promise<number> {
  const filter = filterOf(flags);
  const onWarning = (m: string) => io.err(renderWarning(m));
  const out = new Out(io);
  let n = 0;
  if (flags.limit !== undefined) {
    // The newest n, in the order they came.
    const newest: HistoryEntry[] = [];
    for await (const e of entries({ dir: dir(), filter, onWarning })) if (newest.push(e) >= flags.limit) break;
    for (const e of newest.reverse()) if (!(await out.line(eventJsonLine(e)))) break;
    n = newest.length;
  } else {
    for await (const e of entries({ dir: dir(), filter, order: 'oldest', onWarning })) {
      if (!(await out.line(eventJsonLine(e)))) break;
      n++;
    }
  }
  if (n === 0) io.err(`whk: ${nothing(flags)}`);
  return out.done();
}

/** `whk history clear`: deletes every session file, after asking (a terminal) or with --yes. */
export async function historyClearCommand(flags: { yes?: boolean }, io: IO): Promise<number> {
  const d = dir();
  const sessions = await listSessions(d);
  if (sessions.length === 0) {
    io.err(`whk: the history is empty (${d})`);
    return 0;
  }
  const bytes = sessions.reduce((t, s) => t + s.size, 0);
  const what = `${sessions.length} session${sessions.length === 1 ? '' : 's'} (${mb(bytes)}) in ${d}`;
  if (!flags.yes) {
    if (!process.stdin.isTTY || !process.stderr.isTTY) throw usage('needs_yes', `history clear would delete ${what}: pass --yes to confirm (there is no terminal to ask on)`);
    if (!(await ask(`delete ${what}? [y/N] `))) {
      io.err('whk: nothing deleted');
      return 1;
    }
  }
  for (const s of sessions) rmSync(s.file, { force: true });
  io.err(`whk: deleted ${what}`);
  return 0;
}

const mb = (bytes: number) => (bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

const nothing = (f: HistoryFlags) =>
  f.since !== undefined || f.scheme || f.type || f.invalid ? 'no delivery in the history matches' : `the history is empty (${dir()})`;

async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.question(question, resolve);
      rl.once('close', () => resolve(''));
    });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/**
 * stdout with backpressure (an export of the whole history into a slow pipe stays bounded) and
 * its failure kept: `whk history | head` stops reading, not a stack trace; the exit says so.
 */
class Out {
  private error: Error | undefined;
  constructor(private readonly io: IO) {
    io.stdout?.on('error', (e: Error) => (this.error ??= e));
  }

  /** false once stdout is gone. */
  async line(text: string): Promise<boolean> {
    if (this.error) return false;
    const s = this.io.stdout;
    if (!s) {
      this.io.out(text);
      return true;
    }
    if (!s.write(text)) await new Promise<void>((resolve) => {
      const done = () => (s.off('drain', done), s.off('error', done), s.off('close', done), resolve());
      s.on('drain', done).on('error', done).on('close', done);
    });
    return this.error === undefined;
  }

  /** The exit code: 1 when a line could not be written (the closed pipe is said on stderr). */
  async done(): Promise<number> {
    const s = this.io.stdout;
    if (s && !this.error) await new Promise<void>((resolve) => s.write('', () => resolve()));
    if (!this.error) return 0;
    const code = (this.error as NodeJS.ErrnoException).code;
    if (code !== 'EPIPE') this.io.err(`whk: cannot write to stdout (${code ?? this.error.message})`);
    return 1;
  }
}
