/**
 * The listener's side of the history: the limits (WHK_HISTORY_MAX, WHK_HISTORY_DAYS), pruning
 * old sessions when a listener starts, and the session file it appends to: created 0600 in a
 * 0700 folder, a session line first, then one write per delivery (O_APPEND: a line is never
 * split, and no other listener writes to the file anyway).
 */
import { chmodSync, closeSync, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { usage } from '../errors.js';
import { parseSize } from '../units.js';
import { listSessions, sessionId, type SessionFile, type SessionLine } from './store.js';

export interface HistoryLimits {
  maxBytes: number;
  maxDays: number;
}

const DAY = 86_400_000;

/** The limits from the environment; a usage error (exit 2) for a value that is not one. */
export function historyLimits(env: Record<string, string | undefined> = process.env): HistoryLimits {
  const max = env.WHK_HISTORY_MAX?.trim();
  const days = env.WHK_HISTORY_DAYS?.trim();
  let maxBytes = 200 * 1024 ** 2;
  if (max) {
    const ok = /^\d+(\.\d+)?\s*(b|kb|k|mb|m|gb|g)?$/i.test(max);
    maxBytes = ok ? parseSize(max, 'WHK_HISTORY_MAX') : 0;
    if (!(maxBytes > 0)) throw usage('bad_env', `WHK_HISTORY_MAX "${env.WHK_HISTORY_MAX}" is not a size: set it to e.g. 500mb or 1gb (or unset it for 200mb)`);
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
 * One listener session's file. Like the --record Recorder (src/listen/recorder.ts): straight to
 * the file descriptor, no buffering in the process beyond the current turn of the event loop: the
 * lines of the deliveries answered in one turn go in one write at its end (one write per delivery
 * when they come one at a time; a few per write under load, where a syscall per line cost the
 * listener 17% of its throughput). A failed write stops it and is told once.
 */
export class SessionJournal {
  private fd: number | undefined;
  readonly id: string;
  readonly file: string;
  /** Set when a write failed, until reported. */
  failure: string | undefined;
  /** Whether any write failed (stays set). */
  failed = false;

  /** Throws (a plain Error naming the file) when the folder or the file cannot be created. */
  constructor(dir: string, session: Omit<SessionLine, 'type' | 'session'>) {
    this.id = sessionId(new Date(session.startedAt), session.pid);
    this.file = join(dir, `${this.id}.ndjson`);
    try {
      ensureDir(dir);
      this.fd = openSync(this.file, 'a', 0o600);
    } catch (e) {
      throw new Error(`cannot write the history in ${dir}: ${reason(e)}`);
    }
    this.write(`${JSON.stringify({ type: 'session', session: this.id, ...session } satisfies SessionLine)}\n`);
    this.flush();
  }

  private pending: string[] = [];

  /** Appends one line (ending in \n), written at the end of this turn; false once the journal has failed. */
  write(line: string): boolean {
    if (this.fd === undefined) return false;
    if (this.pending.push(line) === 1) setImmediate(() => this.flush());
    return true;
  }

  /** Writes what is pending, now. */
  flush(): void {
    if (this.fd === undefined || this.pending.length === 0) return;
    const text = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
    try {
      writeSync(this.fd, text);
    } catch (e) {
      this.failed = true;
      this.failure = `history stopped: cannot write ${this.file}: ${reason(e)}`;
      this.close();
    }
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
