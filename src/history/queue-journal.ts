import { closeSync, fstatSync, openSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { usage } from '../errors.js';
import { ensureDir } from './journal.js';
import { stateDir } from './store.js';

/**
 * The forwarding queue on disk (`whk listen --queue`): one append-only file,
 * `$WHK_HOME/queue/queue.ndjson`, of records, each written before what it says is acted on:
 *   {"t":"put", "id", "at", ...the delivery: method, path, headers, body (base64), targets}
 *   {"t":"try", "id", "target", "at", "attempt", "status"|"error", "next"}   a failed attempt
 *   {"t":"done", "id", "target", "at", "attempt", "status", "ms"}           delivered
 *   {"t":"failed", "id", "target", "at", "why"}                             given up (kept)
 *   {"t":"retry"|"drop", "id", "target"?, "at"}                            whk queue retry / drop
 * A delivery is marked done for a target before the next one is sent to it, so after a crash only
 * the one in flight can arrive twice. What is kept in memory is an index (states, attempts and
 * where each put record is): bodies are read back from the file when sent.
 */
export interface QueueTarget {
  base: string;
  listenPath: string;
}

export interface PutRecord {
  t: 'put';
  id: string;
  /** ms since the epoch: when it was received. */
  at: number;
  seq: number;
  mount: string | null;
  route: string | null;
  scheme: string | null;
  eventType: string | null;
  eventId: string | null;
  method: string;
  /** The normalized path and query, what is forwarded. */
  path: string;
  /** As received, names lower-cased. */
  headers: Record<string, string>;
  /** base64 */
  body: string;
  /** Each target: its base URL and the listening path below which the request's path is appended. */
  targets: QueueTarget[];
}

export type StateRecord =
  | { t: 'try'; id: string; target: number; at: number; attempt: number; status?: number; error?: string; next: number }
  | { t: 'done'; id: string; target: number; at: number; attempt: number; status: number; ms: number }
  | { t: 'failed'; id: string; target: number; at: number; why: string }
  | { t: 'retry' | 'drop'; id: string; target?: number; at: number };

export type TargetState = 'pending' | 'delivered' | 'failed' | 'dropped';

/** One delivery as the index knows it. */
export interface Entry {
  id: string;
  at: number;
  seq: number;
  eventType: string | null;
  eventId: string | null;
  /** Where its put record is in the file. */
  offset: number;
  length: number;
  /**
   * Each target's delivery: `since` is when its current round began (0: when the delivery was
   * received; a retry starts a new round, with a fresh --queue-max-age and backoff).
   */
  targets: Array<QueueTarget & { state: TargetState; attempts: number; next: number; since: number; status: number | undefined; error: string | undefined }>;
}

export const queueDir = (env: NodeJS.ProcessEnv = process.env): string => join(stateDir(env), 'queue');

/**
 * A running deliverer rewrites the file once it holds at least this much of settled deliveries
 * (delivered or dropped to every target) and more of them than of live ones: each byte is then
 * rewritten at most about once, and a long run's file and index stay near what is live.
 */
export const SETTLED_BEFORE_COMPACTING = 8 * 1024 * 1024;
/** How much the file grows between two looks at how much of it is settled (bytes). */
const LOOK_EVERY = 1024 * 1024;

/** The queue's file, its index, and (for the listener) the lock that makes it the only deliverer. */
export class QueueJournal {
  readonly file: string;
  readonly entries = new Map<string, Entry>();
  private readonly strings = new Map<string, string>();
  private fd: number | undefined;
  /**
   * Lines that are not a record (bytes damaged on disk, an edit by hand): skipped when read, set
   * aside by compact() (never dropped in silence: a put among them is a delivery that cannot go out).
   */
  readonly damaged: Buffer[] = [];
  /** The file's size as this process last knew it: what others append is read from there. */
  private size = 0;
  private next = 1;
  /** The lock holder (whk listen --queue), the only one that rewrites the file; others check that they append to the file still named queue.ndjson. */
  private deliverer = false;
  /** The file size at which the deliverer next looks at how much of it is settled. */
  private nextLook = SETTLED_BEFORE_COMPACTING;

  constructor(readonly dir: string) {
    this.file = join(dir, 'queue.ndjson');
  }

  /** Reads the file into the index (a missing file is an empty queue). */
  load(): this {
    let text: Buffer;
    try {
      text = readFileSync(this.file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return this;
      throw usage('unreadable_input', `cannot read the queue ${this.file}: ${(e as Error).message}`);
    }
    this.apply(text, 0);
    return this;
  }

  /**
   * Opens the file for appending (creating the folder 0700 and the file 0600). `deliverer`: this
   * process holds the queue's lock (lockQueue) and compacts the file as it runs.
   */
  open(o: { deliverer?: boolean } = {}): this {
    this.deliverer = o.deliverer ?? this.deliverer;
    ensureDir(this.dir);
    this.fd = openSync(this.file, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
    // A line cut short by a crash is ended, so that the next record starts a line of its own.
    if (this.size > 0 && lastByte(this.file, this.size) !== 0x0a) {
      writeSync(this.fd, '\n');
      this.size += 1;
    }
    return this;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Journals a delivery (written when this returns). */
  put(d: Omit<PutRecord, 't' | 'id'>): Entry {
    const id = `q-${d.at.toString(36)}-${(this.next++).toString(36)}`;
    const record: PutRecord = { t: 'put', id, ...d };
    const offset = this.size;
    const length = this.append(record);
    return this.index(record, offset, length);
  }

  /** Journals what happened to a delivery for a target (or a user's retry/drop), then applies it. */
  mark(r: StateRecord): void {
    this.append(r);
    this.update(r);
  }

  /** The put record of an entry, read back from the file. */
  read(e: Entry): PutRecord {
    const fd = openSync(this.file, 'r');
    try {
      return JSON.parse(putLine(fd, e)) as PutRecord;
    } finally {
      closeSync(fd);
    }
  }

  /** Records other processes appended since this one last looked (whk queue retry, drop). */
  catchUp(): StateRecord[] {
    if (this.fd === undefined) return [];
    const size = fstatSync(this.fd).size;
    if (size <= this.size) return [];
    const fd = openSync(this.file, 'r');
    let buf: Buffer;
    try {
      buf = readFrom(fd, this.size, size);
    } finally {
      closeSync(fd);
    }
    const seen = this.apply(buf, this.size);
    this.size = size;
    return seen;
  }

  private append(record: PutRecord | StateRecord): number {
    if (this.fd === undefined) throw new Error('the queue is not open');
    const line = Buffer.from(`${JSON.stringify(record)}\n`);
    writeSync(this.fd, line);
    this.size += line.length;
    // Another process (whk queue retry, drop): the deliverer may have just put a compacted file
    // in place of the one this wrote to. Then it is written again, to the file as it is named now
    // (the deliverer also copies what reached the old file: a retry or a drop read twice is the same).
    if (!this.deliverer && fstatSync(this.fd).ino !== inodeOf(this.file)) {
      this.close();
      this.open();
      writeSync(this.fd!, line);
      this.size += line.length;
    }
    return line.length - 1;
  }

  /**
   * The deliverer, between deliveries: compacts the file once it holds SETTLED_BEFORE_COMPACTING
   * of settled deliveries and more of them than of live ones; the index then holds only the live
   * ones. Records another process appended meanwhile are kept. True when it compacted (the
   * entries are then new objects: look them up again by id).
   */
  compactIfWasteful(): boolean {
    if (!this.deliverer || this.fd === undefined || this.size < this.nextLook) return false;
    let live = 0;
    for (const e of this.entries.values()) if (isLive(e)) live += e.length + 1;
    this.nextLook = this.size + LOOK_EVERY;
    if (this.size - live < Math.max(SETTLED_BEFORE_COMPACTING, live)) return false;
    this.catchUp();
    // The file as it is now, read again after the rename: what others appended to it meanwhile.
    const old = openSync(this.file, 'r');
    try {
      const known = this.size;
      this.close();
      this.compact();
      this.open();
      this.adopt(readFrom(old, known));
    } finally {
      closeSync(old);
    }
    this.nextLook = this.size + SETTLED_BEFORE_COMPACTING;
    return true;
  }

  /** Records others appended to the file before it was compacted away: written again, and applied. */
  private adopt(tail: Buffer): void {
    for (const { line } of linesOf(tail)) {
      const r = recordOf(line);
      // Only the deliverer puts: what others append is a state record (a retry, a drop).
      if (r !== undefined && r.t !== 'put') this.mark(r);
    }
  }

  /** Applies the records of `buf` (read at `base` in the file); returns the state records seen. */
  private apply(buf: Buffer, base: number): StateRecord[] {
    const seen: StateRecord[] = [];
    let end = 0;
    for (const { line, at } of linesOf(buf)) {
      const r = recordOf(line);
      if (r === undefined) {
        if (line.length > 0) this.damaged.push(Buffer.from(line));
      } else if (r.t === 'put') this.index(r, base + at, line.length);
      else {
        this.update(r);
        seen.push(r);
      }
      end = at + line.length + 1;
    }
    if (base === 0) this.size = end;
    return seen;
  }

  private index(r: PutRecord, offset: number, length: number): Entry {
    const e: Entry = {
      id: r.id, at: r.at, seq: r.seq, eventType: r.eventType, eventId: r.eventId, offset, length,
      targets: r.targets.map((t) => newTarget(this.intern(t.base), this.intern(t.listenPath))),
    };
    this.entries.set(r.id, e);
    const n = Number.parseInt(r.id.split('-')[2] ?? '', 36);
    if (n >= this.next) this.next = n + 1;
    return e;
  }

  /** One copy of each target's strings, however many deliveries name it (read back from the file, each would be its own). */
  private intern(text: string): string {
    let kept = this.strings.get(text);
    if (kept === undefined) this.strings.set(text, (kept = text));
    return kept;
  }

  private update(r: StateRecord): void {
    const e = this.entries.get(r.id);
    if (!e) return;
    const targets = r.target === undefined ? e.targets : [e.targets[r.target]].filter((t) => t !== undefined);
    for (const t of targets) applyState(t, r);
  }

  /**
   * Rewrites the file with only what is still pending or failed (the lock holder only: at start,
   * and as it runs, through compactIfWasteful): a long-running queue does not keep every
   * delivered body forever.
   */
  compact(): { setAside: number; file: string } | undefined {
    const live = [...this.entries.values()].filter(isLive);
    if (live.length === this.entries.size && this.damaged.length === 0) return undefined;
    const aside = this.damaged.length > 0 ? this.setAside() : undefined;
    const lines: string[] = [];
    // The put records copied as they are (not parsed and written again), the file opened once.
    const fd = live.length > 0 ? openSync(this.file, 'r') : undefined;
    try {
      for (const e of live) {
        lines.push(putLine(fd!, e));
        e.targets.forEach((t, i) => lines.push(...stateLines(e.id, i, t)));
      }
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    const tmp = `${this.file}.tmp-${process.pid}`;
    writeFileSync(tmp, lines.length > 0 ? `${lines.join('\n')}\n` : '', { mode: 0o600 });
    renameSync(tmp, this.file);
    this.entries.clear();
    this.damaged.length = 0;
    this.load();
    return aside;
  }

  /** Appends the damaged lines, as they were, to queue.damaged.ndjson beside the journal (0600). */
  private setAside(): { setAside: number; file: string } {
    const file = join(this.dir, 'queue.damaged.ndjson');
    const fd = openSync(file, 'a', 0o600);
    try {
      for (const line of this.damaged) writeSync(fd, Buffer.concat([line, Buffer.from('\n')]));
    } finally {
      closeSync(fd);
    }
    return { setAside: this.damaged.length, file };
  }
}

/** What to tell the user of damaged lines in the journal (`aside`: where they were set aside, if they were). */
export function damagedQueueLines(count: number, journal: string, aside?: string): string {
  const lines = `${count} line${count === 1 ? '' : 's'} of the queue (${journal}) ${count === 1 ? 'is' : 'are'} damaged (not a record whk wrote)`;
  return aside
    ? `${lines}: set aside in ${aside}; a delivery among them will not be sent (read them there, and replay what you need)`
    : `${lines}: skipped; the next whk listen --queue sets them aside (a delivery among them will not be sent)`;
}

/** The record a journal line holds; undefined for a line that is not one (not JSON, or without the fields every reader needs). */
function recordOf(line: Buffer): PutRecord | StateRecord | undefined {
  let r: unknown;
  try {
    r = JSON.parse(line.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof r !== 'object' || r === null) return undefined;
  const o = r as Omit<Partial<PutRecord>, 't'> & { t?: unknown; target?: unknown };
  if (typeof o.id !== 'string' || typeof o.at !== 'number') return undefined;
  if (o.t === 'put') {
    const targets = o.targets;
    const ok = Array.isArray(targets) && targets.every((t: Partial<QueueTarget> | null) => typeof t?.base === 'string' && typeof t.listenPath === 'string');
    return ok && typeof o.body === 'string' && typeof o.seq === 'number' ? (o as PutRecord) : undefined;
  }
  const known = (['try', 'done', 'failed', 'retry', 'drop'] as unknown[]).includes(o.t);
  return known && (o.target === undefined || Number.isInteger(o.target)) ? (o as unknown as StateRecord) : undefined;
}

/** An entry some target still has to get, or that failed and is kept. */
const isLive = (e: Entry) => e.targets.some((t) => t.state === 'pending' || t.state === 'failed');

/** An entry's put record as the file holds it (without its newline). */
function putLine(fd: number, e: Entry): string {
  const buf = Buffer.alloc(e.length);
  readSync(fd, buf, 0, e.length, e.offset);
  return buf.toString('utf8');
}

/** The inode the path names now (-1 when there is none). */
function inodeOf(file: string): number {
  try {
    return statSync(file).ino;
  } catch {
    return -1;
  }
}

/** What an open file holds from `offset` to `end` (default: its end now). */
function readFrom(fd: number, offset: number, end = fstatSync(fd).size): Buffer {
  if (end <= offset) return Buffer.alloc(0);
  const buf = Buffer.alloc(end - offset);
  readSync(fd, buf, 0, buf.length, offset);
  return buf;
}

/** The complete lines of `buf`, each with where it starts (a last one without its newline is still being written). */
function* linesOf(buf: Buffer): Generator<{ line: Buffer; at: number }> {
  for (let at = 0, nl = buf.indexOf(0x0a); nl !== -1; at = nl + 1, nl = buf.indexOf(0x0a, at)) yield { line: buf.subarray(at, nl), at };
}

function lastByte(file: string, size: number): number {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, size - 1);
    return b[0]!;
  } finally {
    closeSync(fd);
  }
}

type TargetEntry = Entry['targets'][number];

/**
 * A target's state, every field present from the start and set in place: tens of thousands of
 * queued deliveries share one hidden class instead of one each (22 MB at 10,000 deliveries × 10
 * targets).
 */
function newTarget(base: string, listenPath: string): TargetEntry {
  return { base, listenPath, state: 'pending', attempts: 0, next: 0, since: 0, status: undefined, error: undefined };
}

function applyState(t: TargetEntry, r: StateRecord): void {
  switch (r.t) {
    case 'try':
      t.attempts = r.attempt;
      t.next = r.next;
      t.status = r.status;
      t.error = r.error;
      break;
    case 'done':
      t.state = 'delivered';
      t.attempts = r.attempt;
      t.status = r.status;
      t.error = undefined;
      break;
    case 'failed':
      // Giving up is about a pending delivery: one a user dropped meanwhile (whk queue drop, in
      // the file before the listener's record) stays dropped.
      if (t.state !== 'pending') break;
      t.state = 'failed';
      t.error = r.why;
      break;
    case 'retry':
      if (t.state === 'failed' || t.state === 'pending') {
        t.state = 'pending';
        t.next = 0;
        t.attempts = 0;
        t.since = r.at;
      }
      break;
    case 'drop':
      if (t.state !== 'delivered') t.state = 'dropped';
      break;
  }
}

/** The state records that bring a target back to where it is (after compaction). */
function stateLines(id: string, target: number, t: TargetEntry): string[] {
  if (t.state === 'failed') return [JSON.stringify({ t: 'failed', id, target, at: Date.now(), why: t.error ?? 'given up' })];
  if (t.state === 'delivered') return [JSON.stringify({ t: 'done', id, target, at: Date.now(), attempt: t.attempts, status: t.status ?? 0, ms: 0 })];
  if (t.state === 'dropped') return [JSON.stringify({ t: 'drop', id, target, at: Date.now() })];
  // Pending: the retry that began its round (if one did), then where that round is.
  const lines = t.since > 0 ? [JSON.stringify({ t: 'retry', id, target, at: t.since })] : [];
  if (t.attempts > 0) lines.push(JSON.stringify({ t: 'try', id, target, at: Date.now(), attempt: t.attempts, status: t.status, error: t.error, next: t.next }));
  return lines;
}

/**
 * The lock that makes one listener the queue's deliverer: `queue.lock` holds its pid, created
 * exclusively; a lock whose process is gone is taken over. A second listener with --queue is a
 * usage error naming the first.
 */
export function lockQueue(dir: string): () => void {
  ensureDir(dir);
  const lock = join(dir, 'queue.lock');
  for (let i = 0; i < 2; i++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx', mode: 0o600 });
      return () => {
        try {
          unlinkSync(lock);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw usage('queue_locked', `cannot lock the queue in ${dir}: ${(e as Error).message}`);
      const pid = Number(readFileSync(lock, 'utf8'));
      if (alive(pid)) throw usage('queue_locked', `another whk listen (pid ${pid}) is delivering the queue in ${dir}: stop it, or run this one without --queue`);
      unlinkSync(lock);
    }
  }
  throw usage('queue_locked', `cannot lock the queue in ${dir}`);
}

function alive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return pid !== process.pid;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
