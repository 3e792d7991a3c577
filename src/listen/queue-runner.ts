import type { Entry, QueueJournal, QueueTarget } from '../history/queue-journal.js';
import type { DeliveryRecord } from './events.js';

/** A queued delivery as the inspector shows it. */
export interface QueueEntryView {
  id: string;
  seq: number;
  targets: Array<{ url: string; state: string; attempts: number; status: number | null; error: string | null; next: string | null }>;
}
import type { ForwardResult, Forwarder } from './forward.js';
import type { Queue, QueuedDelivery } from './queue.js';
import { maskedUrl } from './urls.js';
import { forwardUrl } from '../send/target.js';

/**
 * The forwarding queue at work (`whk listen --queue`): each target has its own worker that
 * delivers its deliveries from the journal in order, one at a time; a failure is retried with
 * exponential backoff and jitter until --queue-max-age, then marked failed and kept. A delivery is
 * marked delivered in the journal before the next one is sent to that target: at least once, and
 * twice only for the one in flight at a crash (it keeps the provider's event id).
 */
export interface QueueRunnerOptions {
  journal: QueueJournal;
  forward: Forwarder;
  /** A delivery older than this is given up for a target and kept as failed (ms; --queue-max-age). */
  maxAgeMs: number;
  /** The first retry's wait and the longest (ms). */
  backoff?: { firstMs: number; maxMs: number };
  /** How often records other processes append (whk queue retry, drop) are read (ms). */
  pollMs?: number;
  onOutcome: (o: DeliveryRecord) => void;
  now?: () => number;
  random?: () => number;
}

const keyOf = (t: QueueTarget) => `${t.listenPath}\n${t.base}`;

export class QueueRunner implements Queue {
  /** Per target: the ids it still has to deliver, in order. */
  private readonly lines = new Map<string, string[]>();
  private readonly wakers = new Map<string, () => void>();
  private readonly running = new Set<Promise<void>>();
  /** The targets that have a worker. */
  private readonly workers = new Set<string>();
  private readonly stop = new AbortController();
  /** A shutdown began: no delivery starts. */
  private closing = false;
  private poller: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly o: QueueRunnerOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Resumes what the journal holds pending (a restart), then watches for others' records. */
  start(): void {
    for (const e of this.o.journal.entries.values()) {
      // A new listener tries what is pending now: the last run's backoff is its own.
      for (const t of e.targets) if (t.state === 'pending') t.next = 0;
      this.line(e);
    }
    for (const key of this.lines.keys()) this.worker(key);
    this.poller = setInterval(() => this.catchUp(), this.o.pollMs ?? 1000);
    this.poller.unref();
  }

  enqueue(d: QueuedDelivery): { ok: true; id: string } | { ok: false; error: string } {
    let e: Entry;
    try {
      e = this.o.journal.put({
        at: Date.parse(d.receivedAt), seq: d.seq, mount: d.mount, route: d.route, scheme: d.scheme, eventType: d.eventType, eventId: d.eventId,
        method: d.method, path: d.path, headers: d.headers, body: d.body.toString('base64'), targets: d.targets,
      });
    } catch (err) {
      return { ok: false, error: `the queue cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
    }
    this.line(e);
    for (const t of e.targets) this.wake(keyOf(t));
    return { ok: true, id: e.id };
  }

  /** One delivery as the inspector shows it: each target's state, attempts and last answer. */
  view(id: string): QueueEntryView | undefined {
    const e = this.o.journal.entries.get(id);
    if (!e) return undefined;
    return { id: e.id, seq: e.seq, targets: e.targets.map((t) => ({ url: maskedUrl(forwardUrl(t.base, t.listenPath, '/')), state: t.state, attempts: t.attempts, status: t.status ?? null, error: t.error ?? null, next: t.state === 'pending' && t.next > 0 ? new Date(t.next).toISOString() : null })) };
  }

  /** `whk queue retry` / `drop` from the inspector: journaled, then the workers see it at once. */
  act(action: 'retry' | 'drop', id: string): boolean {
    if (!this.o.journal.entries.has(id)) return false;
    this.o.journal.mark({ t: action, id, at: this.now() });
    this.relineAll();
    return true;
  }

  /** Deliveries still pending, one per target (failed ones aside). */
  get pending(): number {
    let n = 0;
    for (const ids of this.lines.values()) n += ids.length;
    return n;
  }

  /**
   * Stops the workers: none starts another delivery. One in flight may finish within `graceMs`
   * (or until `hurried` settles): its answer is then marked, so a graceful stop sends nothing
   * twice. Past that it is cut off and stays pending (sent again on the next start).
   */
  async close(graceMs = 0, hurried?: Promise<void>): Promise<void> {
    clearInterval(this.poller);
    this.closing = true;
    for (const w of this.wakers.values()) w();
    if (graceMs > 0 && this.running.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([Promise.all(this.running), graceOver, ...(hurried ? [hurried] : [])]);
      clearTimeout(timer);
    }
    this.stop.abort('shutdown');
    await Promise.all(this.running);
  }

  /** Puts an entry's pending targets in their lines (and starts a worker for a new target). */
  private line(e: Entry): void {
    for (const t of e.targets) {
      if (t.state !== 'pending') continue;
      const key = keyOf(t);
      const ids = this.lines.get(key);
      if (ids) ids.push(e.id);
      else {
        this.lines.set(key, [e.id]);
        if (this.poller) this.worker(key);
      }
    }
  }

  private worker(key: string): void {
    if (this.workers.has(key)) return;
    this.workers.add(key);
    const run = this.deliverAll(key).finally(() => this.running.delete(run));
    this.running.add(run);
  }

  private async deliverAll(key: string): Promise<void> {
    while (!this.closing) {
      const head = this.head(key);
      if (!head) {
        await this.sleep(key, Infinity);
        continue;
      }
      const { entry, index } = head;
      const t = entry.targets[index]!;
      const wait = t.next - this.now();
      if (wait > 0) {
        await this.sleep(key, wait);
        continue;
      }
      // --queue-max-age counts from when the delivery was received, or retried (whk queue retry);
      // each round has at least one attempt (a delivery found old after a restart, or retried).
      if (t.attempts > 0 && this.now() - Math.max(entry.at, t.since) > this.o.maxAgeMs) {
        this.settle(entry, index, { t: 'failed', why: `not delivered within --queue-max-age (${t.attempts} attempts; last: ${t.error ?? t.status ?? 'none'})` });
        continue;
      }
      await this.attempt(entry, index);
    }
  }

  /** The first of a target's line still pending for it. */
  private head(key: string): { entry: Entry; index: number } | undefined {
    const ids = this.lines.get(key) ?? [];
    while (ids.length > 0) {
      const entry = this.o.journal.entries.get(ids[0]!);
      const index = entry ? entry.targets.findIndex((t) => keyOf(t) === key && t.state === 'pending') : -1;
      if (entry && index !== -1) return { entry, index };
      ids.shift();
    }
    return undefined;
  }

  private async attempt(entry: Entry, index: number): Promise<void> {
    const t = entry.targets[index]!;
    const put = this.o.journal.read(entry);
    const r = await this.o.forward({ to: t, method: put.method, path: put.path, headers: put.headers, body: Buffer.from(put.body, 'base64'), signal: this.stop.signal });
    if (this.stop.signal.aborted) return;
    await drain(r);
    const attempt = t.attempts + 1;
    if (r.ok && r.status >= 200 && r.status < 300) {
      this.settle(entry, index, { t: 'done', attempt, status: r.status, ms: r.ms });
      return;
    }
    const next = this.now() + this.backoff(attempt);
    const why = r.ok ? { status: r.status } : { status: r.status, error: r.error };
    this.o.journal.mark({ t: 'try', id: entry.id, target: index, at: this.now(), attempt, ...why, next });
    this.o.onOutcome({ ...this.outcome(entry, index, 'retrying', attempt), ...why, next: new Date(next).toISOString() });
  }

  /** Marks a target's delivery done or failed in the journal, then says so. */
  private settle(entry: Entry, index: number, r: { t: 'done'; attempt: number; status: number; ms: number } | { t: 'failed'; why: string }): void {
    const t = entry.targets[index]!;
    this.o.journal.mark({ ...r, id: entry.id, target: index, at: this.now() });
    this.lines.get(keyOf(t))?.shift();
    if (r.t === 'done') this.o.onOutcome({ ...this.outcome(entry, index, 'delivered', r.attempt), status: r.status, ms: r.ms });
    else this.o.onOutcome({ ...this.outcome(entry, index, 'failed', t.attempts), error: r.why });
    // A long run's journal keeps to what is live: rewritten once mostly settled (its index too).
    if (this.o.journal.compactIfWasteful()) this.relineAll();
  }

  private outcome(entry: Entry, index: number, state: DeliveryRecord['state'], attempt: number): DeliveryRecord {
    const t = entry.targets[index]!;
    return { type: 'delivery', id: entry.id, seq: entry.seq, target: maskedUrl(forwardUrl(t.base, t.listenPath, '/')), state, attempt };
  }

  /** Exponential backoff with full jitter: up to firstMs·2^(n-1), at most maxMs. */
  private backoff(attempt: number): number {
    const { firstMs, maxMs } = this.o.backoff ?? { firstMs: 500, maxMs: 5 * 60_000 };
    const ceiling = Math.min(maxMs, firstMs * 2 ** Math.min(attempt - 1, 30));
    return Math.max(firstMs / 2, Math.round((this.o.random ?? Math.random)() * ceiling));
  }

  private sleep(key: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakers.set(key, done);
    });
  }

  private wake(key: string): void {
    this.wakers.get(key)?.();
  }

  /** Others' retry and drop records: a retried delivery goes back in its target's line, in order. */
  private catchUp(): void {
    if (this.o.journal.catchUp().length > 0) this.relineAll();
  }

  /** Every target's line made again from the journal's states (after a retry or a drop), its worker woken. */
  private relineAll(): void {
    this.lines.clear();
    for (const e of this.o.journal.entries.values()) this.line(e);
    for (const key of this.lines.keys()) {
      this.worker(key);
      this.wake(key);
    }
  }
}

/** A target's answer read to its end, so that its connection serves the next delivery. */
async function drain(r: ForwardResult): Promise<void> {
  if (!r.ok) return;
  try {
    for await (const chunk of r.body) void chunk;
  } catch {
    // its status is what counts
  }
}
