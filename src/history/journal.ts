/**
 * The listener's side of the history: the limits (WHK_HISTORY_MAX, WHK_HISTORY_DAYS), pruning
 * old sessions when a listener starts, and the session file it appends to: created 0600 in a
 * 0700 folder, a session line first, then one write per delivery (O_APPEND: a line is never
 * split, and no other listener writes to the file anyway).
 */
import { chmodSync, closeSync, fstatSync, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { usage } from '../errors.js';
import { parseSize } from '../units.js';
import { listSessions, listSessionsSync, sessionId, type SessionFile, type SessionLine, type StoppedLine } from './store.js';

export interface HistoryLimits {
  maxBytes: number;
  maxDays: number;
}

const DAY = 86_400_000;

const MB = 1024 ** 2;

/**
 * The limits from the environment; a usage error (exit 2) for a value that is not one. A size
 * needs its unit (`0.5` could mean 0.5 GB or half a byte) and is 1 MB at least: a smaller cap
 * would delete every earlier session at the next start.
 */
export function historyLimits(env: Record<string, string | undefined> = process.env): HistoryLimits {
  const max = env.WHK_HISTORY_MAX?.trim();
  const days = env.WHK_HISTORY_DAYS?.trim();
  let maxBytes = 200 * MB;
  if (max) {
    const ok = /^\d+(\.\d+)?\s*(b|kb|k|mb|m|gb|g)$/i.test(max);
    maxBytes = ok ? parseSize(max, 'WHK_HISTORY_MAX') : 0;
    if (!ok) throw usage('bad_env', `WHK_HISTORY_MAX "${env.WHK_HISTORY_MAX}" is not a size: set it to e.g. 500mb or 1gb, with its unit (or unset it for 200mb)`);
    if (maxBytes < MB) throw usage('bad_env', `WHK_HISTORY_MAX "${env.WHK_HISTORY_MAX}" is below 1mb, which would delete the whole history: set it to 1mb or more (e.g. 500mb), or pass --no-history`);
  }
  let maxDays = 30;
  if (days) {
    maxDays = /^\d+$/.test(days) ? Number(days) : 0;
    if (!(maxDays >= 1)) throw usage('bad_env', `WHK_HISTORY_DAYS "${env.WHK_HISTORY_DAYS}" is not a number of days: set it to e.g. 7 (1 or more; unset for 30)`);
  }
  return { maxBytes, maxDays };
}

/**
 * The session files to delete: those whose last write is older than maxDays, and, newest first,
 * every file from the one that takes the total over maxBytes on. Pure.
 */
export function planPrune(files: readonly SessionFile[], limits: HistoryLimits, now: number): SessionFile[] {
  const byLastWrite = [...files].sort((a, b) => b.mtimeMs - a.mtimeMs);
  let total = 0;
  return byLastWrite.filter((f) => {
    total += f.size;
    return total > limits.maxBytes || now - f.mtimeMs > limits.maxDays * DAY;
  });
}

/** Deletes what planPrune says; returns how many files went. Files already gone are fine. */
export async function prune(dir: string, limits: HistoryLimits, now = Date.now()): Promise<number> {
  const doomed = planPrune(await listSessions(dir), limits, now);
  for (const f of doomed) rmSync(f.file, { force: true });
  return doomed.length;
}

/** The folder, created 0700 (and made 0700 if it exists with looser modes and is ours). */
export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const s = statSync(dir);
  if ((s.mode & 0o077) !== 0 && s.uid === process.getuid?.()) chmodSync(dir, 0o700);
}

/**
 * One listener session's file, written straight to the file descriptor. The lines of the
 * deliveries answered in one turn of the event loop go in one write at its end, and under load at
 * most one write every `COALESCE_MS`: one delivery at a time is on disk at the end of its turn, as
 * before; 10,000 a second go in ~100-line writes instead of one write (and one fstat) per turn,
 * which cost the listener ~4 µs a delivery. A failed write stops it and is told once.
 *
 * WHK_HISTORY_MAX holds while it writes: a line that would take the history over it first deletes
 * older sessions (oldest last write first); when this session alone would pass it, the journal
 * writes a `{"type":"stopped"}` line, stops, and says so once (`failure`, without `failed`: the
 * deliveries go on, only the history of them stops). A file deleted under it (`whk history clear`,
 * an rm) is created again, with its session line, at the next write.
 */
export class SessionJournal {
  private fd: number | undefined;
  readonly id: string;
  readonly file: string;
  /** Set when a write failed or the history filled up, until reported. */
  failure: string | undefined;
  /** Whether any write failed (stays set). */
  failed = false;
  private readonly sessionLine: string;
  /** Bytes of this session's file, pending lines included. */
  private written = 0;
  /** Bytes of the other sessions' files when last looked at. */
  private others = 0;
  private pending: string[] = [];
  /** When the last write was made (performance.now()). */
  private lastFlush = -Infinity;

  /** Throws (a plain Error naming the file) when the folder or the file cannot be created. */
  constructor(private readonly dir: string, session: Omit<SessionLine, 'type' | 'session'>, private readonly maxBytes = Infinity) {
    this.id = sessionId(new Date(session.startedAt), session.pid);
    this.file = join(dir, `${this.id}.ndjson`);
    this.sessionLine = `${JSON.stringify({ type: 'session', session: this.id, ...session } satisfies SessionLine)}\n`;
    try {
      this.open();
    } catch (e) {
      throw new Error(`cannot write the history in ${dir}: ${reason(e)}`, { cause: e });
    }
    if (maxBytes !== Infinity) this.others = otherSessions(dir, this.file).reduce((t, f) => t + f.size, 0);
    this.write(this.sessionLine);
    this.flush();
  }

  private open(): void {
    ensureDir(this.dir);
    this.fd = openSync(this.file, 'a', 0o600);
  }

  /**
   * Appends one line (ending in \n), written at the end of this turn; false once the journal has
   * failed or stopped at WHK_HISTORY_MAX (`failure` then says why, once).
   */
  write(line: string): boolean {
    if (this.fd === undefined) return false;
    if (this.maxBytes !== Infinity && !this.fits(Buffer.byteLength(line))) {
      this.stop();
      return false;
    }
    if (this.pending.push(line) === 1) this.schedule();
    return true;
  }

  /** The next write: at the end of this turn, or `COALESCE_MS` after the last write if that is later. */
  private schedule(): void {
    const wait = this.lastFlush + COALESCE_MS - performance.now();
    if (wait <= 0) setImmediate(() => this.flush());
    else setTimeout(() => this.flush(), wait);
  }

  /** Whether `bytes` more keep the history within WHK_HISTORY_MAX, older sessions deleted as needed; counts them if so. */
  private fits(bytes: number): boolean {
    if (this.written + bytes + this.others > this.maxBytes && this.written + bytes <= this.maxBytes) {
      const files = otherSessions(this.dir, this.file);
      for (const f of planPrune(files, { maxBytes: this.maxBytes - this.written - bytes, maxDays: Infinity }, Date.now())) rmSync(f.file, { force: true });
      this.others = otherSessions(this.dir, this.file).reduce((t, f) => t + f.size, 0);
    }
    if (this.written + bytes + this.others > this.maxBytes) return false;
    this.written += bytes;
    return true;
  }

  /** This session alone reached WHK_HISTORY_MAX: the last line says so, and the journal closes. */
  private stop(): void {
    const max = `${+(this.maxBytes / 1024 ** 2).toFixed(1)}mb`;
    const why = `it reached WHK_HISTORY_MAX (${max}) on its own; later deliveries are not in the history (raise WHK_HISTORY_MAX, or keep a long capture with --record <file>)`;
    this.pending.push(`${JSON.stringify({ type: 'stopped', at: new Date().toISOString(), reason: why } satisfies StoppedLine)}\n`);
    this.close();
    this.failure = `history stopped for this session: ${why}`;
  }

  /** Writes what is pending, now: into a new file (session line first) if this one was deleted meanwhile. */
  flush(): void {
    if (this.fd === undefined || this.pending.length === 0) return;
    const text = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
    this.lastFlush = performance.now();
    try {
      if (fstatSync(this.fd).nlink === 0) this.reopen(Buffer.byteLength(text));
      writeSync(this.fd, text);
    } catch (e) {
      this.failed = true;
      this.failure = `history stopped: cannot write ${this.file}: ${reason(e)}`;
      this.close();
    }
  }

  /** The file was deleted under the journal: a new one, with the session line (then `pendingBytes`). */
  private reopen(pendingBytes: number): void {
    closeSync(this.fd!);
    this.fd = undefined;
    this.open();
    writeSync(this.fd!, this.sessionLine);
    this.written = Buffer.byteLength(this.sessionLine) + pendingBytes;
  }

  close(): void {
    this.flush();
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already gone
    }
    this.fd = undefined;
  }
}

/** Under load, the journal writes at most this often (ms); a close writes what is pending at once. */
const COALESCE_MS = 10;

/** The session files of `dir` but `own`. */
const otherSessions = (dir: string, own: string): SessionFile[] => listSessionsSync(dir).filter((f) => f.file !== own);

const reason = (e: unknown) => {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOSPC' ? 'no space left on the device' : code === 'ENOTDIR' ? 'a file is in the way of the folder' : (e as Error).message;
};

/** A URL without its credentials (for the session line). */
export function withoutCredentials(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return null;
  }
}
