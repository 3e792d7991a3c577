/**
 * The history of received deliveries: where it lives and how it is read. One NDJSON file per
 * listener session in `<state>/history/`: a `{"type":"session",...}` line, then one line per
 * delivery in the `--record` format (src/record.ts). Reading streams line by line, newest first
 * (from the end of each file) or oldest first, merging sessions that ran at the same time.
 * No CLI or terminal code here: `whk history` and the inspector both read through this module.
 */
import { createReadStream, readdirSync, statSync, type Stats } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { EventRecord } from '../record.js';
import type { EventFilter } from '../filter.js';

/** The first line of a session file. */
export interface SessionLine {
  type: 'session';
  /** The session id: the file's name without `.ndjson`. */
  session: string;
  startedAt: string;
  url: string;
  host: string;
  port: number;
  path: string;
  pid: number;
  /** --forward-to, credentials removed; null without. */
  forwardTo: string | null;
  version: string;
}

/**
 * The last line of a session file whose journal stopped before the session ended (it reached
 * WHK_HISTORY_MAX on its own): when, and why, in words.
 */
export interface StoppedLine {
  type: 'stopped';
  at: string;
  reason: string;
}

/** A stored delivery: the record as `--record` writes it, plus the session it belongs to. */
export type HistoryEntry = EventRecord & { session: string };

export interface SessionFile {
  id: string;
  file: string;
  /** Parsed from the id (ms since the epoch). */
  startedAt: number;
  /** The last write (ms since the epoch): no delivery in the file is newer. */
  mtimeMs: number;
  size: number;
}

export interface HistoryFilter {
  /** Only deliveries received at or after this time (ms since the epoch). */
  since?: number;
  /** Only this scheme (case-insensitive). */
  scheme?: string;
  /** Only these event types (`wallet.*` globs: src/filter.ts). */
  type?: EventFilter;
  /** Only deliveries whose signature failed. */
  invalid?: boolean;
}

export interface ReadOptions {
  /** Default: historyDir(). */
  dir?: string;
  filter?: HistoryFilter;
  /** Default 'newest'. */
  order?: 'newest' | 'oldest';
  /** Told once per file that holds a line that is not a record (a torn last line after a crash). */
  onWarning?: (message: string) => void;
}

type Env = Record<string, string | undefined>;

/** `$WHK_HOME`, else `$XDG_STATE_HOME/whk`, else `~/.local/state/whk`. */
export function stateDir(env: Env = process.env, home: string = homedir()): string {
  if (env.WHK_HOME) return env.WHK_HOME;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'whk');
  return join(home, '.local', 'state', 'whk');
}

/** `<state>/history`: the session files. */
export const historyDir = (env: Env = process.env, home?: string): string => join(stateDir(env, home), 'history');

const SESSION_FILE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-(\d+)\.ndjson$/;

/** A session's id from its start and the listener's pid: `20250101T120000123Z-4242` (sorts by start). */
export const sessionId = (startedAt: Date, pid: number): string => `${startedAt.toISOString().replace(/[-:.]/g, '')}-${pid}`;

/** The session files, newest start first; other files in the folder are ignored. None when the folder is missing. */
export async function listSessions(dir: string = historyDir()): Promise<SessionFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: SessionFile[] = [];
  for (const name of names) {
    if (!SESSION_FILE.test(name)) continue;
    try {
      const f = sessionFile(dir, name, await stat(join(dir, name)));
      if (f) out.push(f);
    } catch {
      // removed meanwhile (pruned, cleared)
    }
  }
  return out.sort(newestStart);
}

/** listSessions, synchronously (for the journal, which prunes between two writes). */
export function listSessionsSync(dir: string): SessionFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: SessionFile[] = [];
  for (const name of names) {
    if (!SESSION_FILE.test(name)) continue;
    const f = sessionFile(dir, name, statSync(join(dir, name), { throwIfNoEntry: false }));
    if (f) out.push(f);
  }
  return out.sort(newestStart);
}

/** A session file of `dir` named `name`, or undefined when it is not one (or is gone). */
function sessionFile(dir: string, name: string, s: Stats | undefined): SessionFile | undefined {
  const m = SESSION_FILE.exec(name);
  if (!m || !s?.isFile()) return undefined;
  const startedAt = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!);
  return { id: name.slice(0, -'.ndjson'.length), file: join(dir, name), startedAt, mtimeMs: s.mtimeMs, size: s.size };
}

const newestStart = (a: SessionFile, b: SessionFile) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : -1);

/** The first line of a session file, or undefined when it has none (yet) or it is not one. */
export async function readSessionLine(file: string): Promise<SessionLine | undefined> {
  for await (const line of linesForward(file)) {
    const o = parse(line.text);
    return o?.type === 'session' ? (o as unknown as SessionLine) : undefined;
  }
  return undefined;
}

/** Whether a stored delivery passes the filter. */
export function matches(r: EventRecord, f: HistoryFilter = {}): boolean {
  if (f.since !== undefined && Date.parse(r.receivedAt) < f.since) return false;
  if (f.scheme !== undefined && (r.scheme ?? '').toLowerCase() !== f.scheme.toLowerCase()) return false;
  if (f.type !== undefined && !f.type.matches(r.eventType)) return false;
  if (f.invalid && !(r.verdict && !r.verdict.valid)) return false;
  return true;
}

/**
 * Every stored delivery that passes the filter, newest first (or oldest first), across sessions.
 * Streams: `--limit 50` over 100,000 deliveries reads the ends of the newest files only. Lines
 * that are not records (a torn last line) are skipped, told once per file through onWarning.
 */
export async function* entries(o: ReadOptions = {}): AsyncGenerator<HistoryEntry> {
  const newest = (o.order ?? 'newest') === 'newest';
  const f = o.filter ?? {};
  let files = await listSessions(o.dir ?? historyDir());
  // Newest first: a file may hold a delivery newer than what is in hand while its last write is not
  // older. Oldest first: while it started before what is in hand.
  if (newest) files.sort((a, b) => b.mtimeMs - a.mtimeMs);
  else files.reverse();
  if (f.since !== undefined) files = files.filter((s) => s.mtimeMs >= f.since!);
  const key = (s: SessionFile) => (newest ? s.mtimeMs : s.startedAt);
  const first = (a: number, b: number) => (newest ? a >= b : a <= b);

  interface Head { it: AsyncGenerator<HistoryEntry>; entry: HistoryEntry; t: number }
  const active: Head[] = [];
  const pull = async (h: Omit<Head, 'entry' | 't'>): Promise<void> => {
    const n = await h.it.next();
    if (!n.done) active.push({ it: h.it, entry: n.value, t: Date.parse(n.value.receivedAt) });
  };
  let next = 0;
  try {
    for (;;) {
      let best = pick(active, newest);
      while (next < files.length && (best === undefined || first(key(files[next]!), best.t))) {
        await pull({ it: sessionEntries(files[next++]!, newest, o.onWarning) });
        best = pick(active, newest);
      }
      if (best === undefined) return;
      if (newest && f.since !== undefined && best.t < f.since) return;
      if (matches(best.entry, f)) yield best.entry;
      // Advanced in place: a consumer that stops at the yield still closes every open file (finally).
      const n = await best.it.next();
      if (n.done) active.splice(active.indexOf(best), 1);
      else Object.assign(best, { entry: n.value, t: Date.parse(n.value.receivedAt) });
    }
  } finally {
    for (const h of active) await h.it.return(undefined);
  }
}

const pick = <H extends { t: number }>(heads: H[], newest: boolean): H | undefined =>
  heads.reduce<H | undefined>((b, h) => (b === undefined || (newest ? h.t > b.t : h.t < b.t) ? h : b), undefined);

/**
 * One delivery by reference: `12` (sequence number), an event id, or `<session>:<seq>`. Several
 * sessions count from 1: the newest match is the one.
 */
export async function findEntry(ref: string, o: Omit<ReadOptions, 'order' | 'filter'> = {}): Promise<HistoryEntry | undefined> {
  const m = /^(.+):(\d+)$/.exec(ref);
  const seq = /^\d+$/.test(ref) ? Number(ref) : undefined;
  for await (const e of entries({ ...o, order: 'newest' })) {
    if (m ? e.session === m[1] && e.seq === Number(m[2]) : seq !== undefined ? e.seq === seq : e.eventId === ref) return e;
  }
  // A number may also be an event id.
  if (seq !== undefined) {
    for await (const e of entries({ ...o, order: 'newest' })) if (e.eventId === ref) return e;
  }
  return undefined;
}

/** The deliveries of one session file, in the order asked. */
async function* sessionEntries(s: SessionFile, newest: boolean, warn?: (m: string) => void): AsyncGenerator<HistoryEntry> {
  let torn = false;
  try {
    for await (const line of newest ? linesBackward(s.file) : linesForward(s.file)) {
      const o = parse(line.text);
      if (o?.type === 'event' && typeof o.seq === 'number' && typeof o.receivedAt === 'string') {
        const e = o as unknown as HistoryEntry;
        e.session = s.id;
        yield e;
      } else if (o?.type === 'stopped') {
        warn?.(`session ${s.id} stopped keeping deliveries at ${String(o.at)}: ${String(o.reason)}`);
      } else if (o?.type !== 'session' && line.text.trim() !== '' && !torn) {
        torn = true;
        warn?.(`skipped a line of ${s.file} that is not a record (torn by a crash mid-write?)`);
      }
    }
  } catch (e) {
    // removed while read (pruned, cleared): what was read stands
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

const parse = (text: string): Record<string, unknown> | undefined => {
  try {
    const o = JSON.parse(text) as unknown;
    return o !== null && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

interface Line {
  text: string;
}

async function* linesForward(file: string): AsyncGenerator<Line> {
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  try {
    for await (const text of rl) yield { text };
  } finally {
    rl.close();
  }
}

const CHUNK = 64 * 1024;

/** The lines of a file, last first, read from its end in chunks (split on bytes: UTF-8 stays whole). */
export async function* linesBackward(file: string): AsyncGenerator<Line> {
  const fh = await open(file, 'r');
  try {
    let pos = (await fh.stat()).size;
    let rest: Buffer = Buffer.alloc(0);
    while (pos > 0) {
      const n = Math.min(CHUNK, pos);
      pos -= n;
      const buf = Buffer.alloc(n + rest.length);
      await fh.read(buf, 0, n, pos);
      rest.copy(buf, n);
      let end = buf.length;
      for (let i = buf.length - 1; i >= 0; i--) {
        if (buf[i] !== 0x0a) continue;
        if (i + 1 < end) yield { text: buf.toString('utf8', i + 1, end) };
        end = i;
      }
      rest = buf.subarray(0, end);
    }
    if (rest.length > 0) yield { text: rest.toString('utf8') };
  } finally {
    await fh.close();
  }
}
