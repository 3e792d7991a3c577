import type { Builder, OutRequest } from './build.js';
import type { Outcome } from './deliver.js';
import type { Expect } from './expect.js';
import { withRetries, type RetryOptions } from './retry.js';
import { histogram, latencySummary, type LatencySummary } from './stats.js';

/**
 * The order of deliveries: each entry is an event index (0..count-1), or `-(i + 1)` for a
 * duplicate of event i. Exactly round(rate × count) events are duplicated (so a test can count
 * them), each duplicate somewhere after its original. `shuffle` permutes the events first.
 */
export function deliveryPlan(count: number, duplicateRate: number, shuffle: boolean, random: () => number = Math.random): Int32Array {
  const order = Int32Array.from({ length: count }, (_, i) => i);
  if (shuffle) {
    for (let i = count - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
  }
  const dups = Math.min(count, Math.round(duplicateRate * count));
  if (dups === 0) return order;
  // Which positions get a duplicate: a partial Fisher-Yates draw without repetition.
  const positions = Int32Array.from({ length: count }, (_, i) => i);
  for (let k = 0; k < dups; k++) {
    const j = k + Math.floor(random() * (count - k));
    [positions[k], positions[j]] = [positions[j]!, positions[k]!];
  }
  // Each duplicate gets a slot strictly after its original's position; sort by slot.
  const slots: Array<[number, number]> = Array.from(order, (ev, pos) => [pos, ev]);
  for (let k = 0; k < dups; k++) {
    const pos = positions[k]!;
    slots.push([pos + 0.5 + random() * (count - pos - 0.5), -(order[pos]! + 1)]);
  }
  slots.sort((a, b) => a[0] - b[0]);
  return Int32Array.from(slots, ([, v]) => v);
}

export interface LoadOptions {
  count: number;
  concurrency: number;
  duplicateRate: number;
  shuffle: boolean;
  builder: Builder;
  deliver: (req: OutRequest) => Promise<Outcome>;
  /** The same without a promise per request, when the client has it (the hot path). */
  deliverCb?: (req: OutRequest, done: (o: Outcome) => void) => void;
  expect: Expect;
  retry: Omit<RetryOptions, 'stopped'>;
  /** Set to stop sending (Ctrl-C): deliveries in flight finish, no new ones start. */
  stop: { requested: boolean };
  /** Live counters, read by the progress line. */
  progress?: { done: number; total: number; failed: number };
}

export interface LoadSummary {
  /** Deliveries made, duplicates included, retries not. */
  requests: number;
  /** Distinct events. */
  events: number;
  duplicates: number;
  retries: number;
  concurrency: number;
  shuffled: boolean;
  durationMs: number;
  requestsPerSecond: number;
  latencyMs: LatencySummary | null;
  /** Final status of each delivery. */
  statuses: Record<string, number>;
  /** Network errors by code (and body_timeout, body_incomplete: see `incomplete`). */
  errors: Record<string, number>;
  /** Deliveries answered with a status whose body then did not arrive in full (counted in `errors` too). */
  incomplete: number;
  expect: string;
  /** Deliveries whose final status is within --expect. */
  ok: number;
  /** Outside --expect, or a network error. */
  failed: number;
  /** Why the run ended early, if it did. */
  stopped: string | null;
}

/** Sends the plan with `concurrency` deliveries in flight; each event built and signed when its turn comes. */
export async function runLoad(o: LoadOptions): Promise<LoadSummary> {
  const run = new LoadRun(o);
  const started = performance.now();
  // Without retries, and with a callback client: each completion starts the next delivery
  // directly (no promise, no await per request). Otherwise `concurrency` async workers.
  if (o.deliverCb && o.retry.retries === 0) await run.pump(o.deliverCb);
  else await Promise.all(Array.from({ length: Math.min(o.concurrency, run.total) }, () => run.worker()));
  return run.summary(performance.now() - started);
}

/** One load run: the plan, how far it went, and what came back. */
class LoadRun {
  readonly total: number;
  private readonly plan: Int32Array;
  private next = 0;
  // Events made in creation order: with --shuffle, event i is dated i ms after the first, so the
  // receiver can see that they arrive out of order.
  private readonly t0 = Date.now();
  /** Events with a duplicate later in the plan; their requests, kept until the duplicate is sent. */
  private readonly dupOf = new Set<number>();
  private readonly kept = new Map<number, OutRequest>();

  private readonly latencies: Float64Array;
  private answered = 0;
  private readonly statuses: number[] = [];
  private readonly errors: string[] = [];
  private ok = 0;
  private failed = 0;
  private retries = 0;
  private duplicates = 0;
  private incomplete = 0;
  private stopped: string | null = null;
  private readonly progress: { done: number; total: number; failed: number };
  /** With no answer at all after this many errors, the run stops (the receiver is not there). */
  private readonly giveUpAfter: number;

  constructor(private readonly o: LoadOptions) {
    this.plan = deliveryPlan(o.count, o.duplicateRate, o.shuffle);
    this.total = this.plan.length;
    for (const v of this.plan) if (v < 0) this.dupOf.add(-v - 1);
    this.latencies = new Float64Array(this.total);
    this.progress = o.progress ?? { done: 0, total: this.total, failed: 0 };
    this.progress.total = this.total;
    this.giveUpAfter = Math.min(this.total, Math.max(o.concurrency, 10));
  }

  /** An async worker: one delivery at a time (with its retries) until the plan is done or stopped. */
  async worker(): Promise<void> {
    const o = this.o;
    while (this.next < this.total && !o.stop.requested) {
      const v = this.plan[this.next++]!;
      if (v < 0) this.record(await o.deliver(this.duplicateOf(v)), 0);
      // The hot path: no retry bookkeeping per request.
      else if (o.retry.retries === 0) this.record(await o.deliver(this.firstAttempt(v)), 0);
      else await this.deliverWithRetries(v);
    }
  }

  /** `concurrency` chains of callbacks: each completion starts the next delivery. */
  pump(deliverCb: NonNullable<LoadOptions['deliverCb']>): Promise<void> {
    return new Promise<void>((resolveAll) => {
      let active = Math.min(this.o.concurrency, this.total);
      if (active === 0) return resolveAll();
      const onDone = (outcome: Outcome) => {
        this.record(outcome, 0);
        step();
      };
      const step = () => {
        if (this.next >= this.total || this.o.stop.requested) {
          if (--active === 0) resolveAll();
          return;
        }
        const v = this.plan[this.next++]!;
        deliverCb(v < 0 ? this.duplicateOf(v) : this.firstAttempt(v), onDone);
      };
      for (let k = active; k > 0; k--) step();
    });
  }

  /** A duplicate (plan entry -(i + 1)): the very same request as event i's (same id, same bytes). */
  private duplicateOf(v: number): OutRequest {
    this.duplicates++;
    const req = this.kept.get(-v - 1)!;
    this.kept.delete(-v - 1);
    return req;
  }

  private newEvent(v: number) {
    return this.o.builder.newEvent(this.o.shuffle ? this.t0 + v : undefined);
  }

  /** Event v's first delivery, kept when a duplicate of it comes later. */
  private firstAttempt(v: number): OutRequest {
    const req = this.o.builder.build(this.newEvent(v), 1);
    if (this.dupOf.size > 0 && this.dupOf.has(v)) this.kept.set(v, req);
    return req;
  }

  private async deliverWithRetries(v: number): Promise<void> {
    const o = this.o;
    const ev = this.newEvent(v);
    const outcomes = await withRetries(
      (n) => {
        const req = o.builder.build(ev, n);
        // Kept before the first await: its duplicate may be pulled while it is in flight.
        if (n === 1 && this.dupOf.has(v)) this.kept.set(v, req);
        return o.deliver(req);
      },
      { ...o.retry, stopped: () => o.stop.requested },
    );
    this.record(outcomes[outcomes.length - 1]!, outcomes.length - 1);
  }

  /** A delivery's final outcome, after `retried` retries. */
  private record(last: Outcome, retried: number): void {
    this.retries += retried;
    if (last.ok) {
      this.latencies[this.answered++] = last.ms;
      this.statuses.push(last.status);
      if (this.o.expect.matches(last.status)) this.ok++;
      else this.failed++;
    } else {
      this.errors.push(last.error.code);
      this.failed++;
      // An answer whose body stalled: the receiver is there, no reason to give up on it.
      if (last.status !== undefined) this.incomplete++;
      else if (this.answered === 0 && this.incomplete === 0 && this.errors.length >= this.giveUpAfter && !this.stopped) {
        this.stopped = `no answer to the first ${this.errors.length} requests (${last.error.message})`;
        this.o.stop.requested = true;
      }
    }
    this.progress.done++;
    this.progress.failed = this.failed;
  }

  summary(durationMs: number): LoadSummary {
    if (this.o.stop.requested && !this.stopped) this.stopped = 'interrupted';
    const done = this.progress.done;
    return {
      requests: done,
      events: done - this.duplicates,
      duplicates: this.duplicates,
      retries: this.retries,
      concurrency: this.o.concurrency,
      shuffled: this.o.shuffle,
      durationMs: Math.round(durationMs * 100) / 100,
      requestsPerSecond: durationMs > 0 ? Math.round((done / durationMs) * 1000 * 10) / 10 : 0,
      latencyMs: latencySummary(this.latencies.subarray(0, this.answered)),
      statuses: histogram(this.statuses),
      errors: histogram(this.errors),
      incomplete: this.incomplete,
      expect: this.o.expect.text,
      ok: this.ok,
      failed: this.failed,
      stopped: this.stopped,
    };
  }
}
