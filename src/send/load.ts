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
  const plan = deliveryPlan(o.count, o.duplicateRate, o.shuffle);
  const total = plan.length;
  // Events made in creation order: with --shuffle, event i is dated i ms after the first, so the
  // receiver can see that they arrive out of order.
  const t0 = Date.now();
  const dupOf = new Set<number>();
  for (const v of plan) if (v < 0) dupOf.add(-v - 1);
  const kept = new Map<number, OutRequest>();

  const latencies = new Float64Array(total);
  let answered = 0;
  const statuses: number[] = [];
  const errors: string[] = [];
  let next = 0;
  let ok = 0;
  let failed = 0;
  let retries = 0;
  let duplicates = 0;
  let incomplete = 0;
  let stopped: string | null = null;
  const progress = o.progress ?? { done: 0, total, failed: 0 };
  progress.total = total;
  const giveUpAfter = Math.min(total, Math.max(o.concurrency, 10));

  const record = (last: Outcome, retried: number) => {
    retries += retried;
    if (last.ok) {
      latencies[answered++] = last.ms;
      statuses.push(last.status);
      if (o.expect.matches(last.status)) ok++;
      else failed++;
    } else {
      errors.push(last.error.code);
      failed++;
      // An answer whose body stalled: the receiver is there, no reason to give up on it.
      if (last.status !== undefined) incomplete++;
      else if (answered === 0 && incomplete === 0 && errors.length >= giveUpAfter && !stopped) {
        stopped = `no answer to the first ${errors.length} requests (${last.error.message})`;
        o.stop.requested = true;
      }
    }
    progress.done++;
    progress.failed = failed;
  };

  const started = performance.now();
  const worker = async () => {
    while (next < total && !o.stop.requested) {
      const v = plan[next++]!;
      if (v < 0) {
        // A duplicate: the very same request again (same id, same bytes).
        duplicates++;
        const req = kept.get(-v - 1)!;
        kept.delete(-v - 1);
        record(await o.deliver(req), 0);
        continue;
      }
      const ev = o.builder.newEvent(o.shuffle ? t0 + v : undefined);
      if (o.retry.retries === 0) {
        // The hot path: no retry bookkeeping per request.
        const req = o.builder.build(ev, 1);
        if (dupOf.size > 0 && dupOf.has(v)) kept.set(v, req);
        record(await o.deliver(req), 0);
        continue;
      }
      const outcomes = await withRetries(
        (n) => {
          const req = o.builder.build(ev, n);
          // Kept before the first await: its duplicate may be pulled while it is in flight.
          if (n === 1 && dupOf.has(v)) kept.set(v, req);
          return o.deliver(req);
        },
        { ...o.retry, stopped: () => o.stop.requested },
      );
      record(outcomes[outcomes.length - 1]!, outcomes.length - 1);
    }
  };
  // Without retries, and with a callback client: each completion starts the next delivery
  // directly (no promise, no await per request). Otherwise `concurrency` async workers.
  const pump = (deliverCb: NonNullable<LoadOptions['deliverCb']>) => new Promise<void>((resolveAll) => {
    let active = Math.min(o.concurrency, total);
    if (active === 0) return resolveAll();
    const onDone = (outcome: Outcome) => {
      record(outcome, 0);
      step();
    };
    const step = () => {
      if (next >= total || o.stop.requested) {
        if (--active === 0) resolveAll();
        return;
      }
      const v = plan[next++]!;
      let req: OutRequest;
      if (v < 0) {
        duplicates++;
        req = kept.get(-v - 1)!;
        kept.delete(-v - 1);
      } else {
        req = o.builder.build(o.builder.newEvent(o.shuffle ? t0 + v : undefined), 1);
        if (dupOf.size > 0 && dupOf.has(v)) kept.set(v, req);
      }
      deliverCb(req, onDone);
    };
    for (let k = active; k > 0; k--) step();
  });
  if (o.deliverCb && o.retry.retries === 0) await pump(o.deliverCb);
  else await Promise.all(Array.from({ length: Math.min(o.concurrency, total) }, worker));
  const durationMs = performance.now() - started;
  if (o.stop.requested && !stopped) stopped = 'interrupted';

  const done = progress.done;
  return {
    requests: done,
    events: done - duplicates,
    duplicates,
    retries,
    concurrency: o.concurrency,
    shuffled: o.shuffle,
    durationMs: Math.round(durationMs * 100) / 100,
    requestsPerSecond: durationMs > 0 ? Math.round((done / durationMs) * 1000 * 10) / 10 : 0,
    latencyMs: latencySummary(latencies.subarray(0, answered)),
    statuses: histogram(statuses),
    errors: histogram(errors),
    incomplete,
    expect: o.expect.text,
    ok,
    failed,
    stopped,
  };
}
