import { Worker } from 'node:worker_threads';
import type { Scheme, Verdict, VerifyInput } from '../schemes/types.js';

/**
 * The diagnosis of a no_match, off the answer's path and within a budget: one worker thread
 * (the second core), at most `maxQueued` waiting (a flood of forgeries is not diagnosed past
 * that), each given `timeLimitMs` (past it the worker is replaced and the verdict says so).
 * Where no worker can start (the sources run without a build, as in unit tests), the diagnosis
 * runs inline.
 */
export interface DiagnosisOptions {
  maxQueued?: number;
  timeLimitMs?: number;
  /**
   * CPU the diagnoses may use: a bucket of `budgetMs` that refills at `refillMsPerSecond` (default
   * 2 s, then 100 ms a second: a tenth of a core), so that a flood of forged bodies never takes
   * the machine from the deliveries that matter.
   */
  budgetMs?: number;
  refillMsPerSecond?: number;
  /** Runs a diagnosis inline (no worker). */
  inline: (scheme: string, input: VerifyInput) => Verdict;
  /** The run's custom schemes: the worker makes them again from their definitions. */
  custom?: readonly Scheme[];
}

type Pending = { resolve: (v: Verdict) => void; verdict: Verdict; scheme: string; input: VerifyInput };

export class Diagnoser {
  private worker: Worker | undefined;
  private failed = false;
  private next = 1;
  private readonly pending = new Map<number, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private readonly maxQueued: number;
  private readonly timeLimitMs: number;
  private readonly budget: number;
  private readonly refillPerSecond: number;
  private tokens: number;
  private refilledAt = performance.now();
  /** When the diagnosis at the head of the queue started (ms, monotonic). */
  private startedAt = 0;

  constructor(private readonly o: DiagnosisOptions) {
    this.maxQueued = o.maxQueued ?? 2;
    this.tokens = this.budget = o.budgetMs ?? 2_000;
    this.refillPerSecond = o.refillMsPerSecond ?? 100;
    this.timeLimitMs = o.timeLimitMs ?? 2_000;
  }

  /** The verdict with its diagnosis (or a note saying why there is none). Never rejects. */
  diagnose(verdict: Verdict, scheme: string, input: VerifyInput): Promise<Verdict> {
    if (this.pending.size >= this.maxQueued) {
      return Promise.resolve(note(verdict, `not diagnosed: ${this.pending.size} invalid deliveries were already waiting for a diagnosis`));
    }
    if (this.refill() <= 0) {
      return Promise.resolve(note(verdict, 'not diagnosed: invalid deliveries are arriving faster than the listener diagnoses them (a tenth of a core at most)'));
    }
    const worker = this.start();
    if (!worker) return Promise.resolve(this.inline(verdict, scheme, input));
    if (this.pending.size === 0) this.startedAt = performance.now();
    const id = this.next++;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve, verdict, scheme, input });
      worker.postMessage({ id, scheme, input: { ...input, diagnose: true } });
      this.arm();
    });
  }

  /** Stops the worker; what is still waiting resolves without a diagnosis. */
  async close(): Promise<void> {
    this.settleAll('not diagnosed: the listener stopped first');
    clearTimeout(this.timer);
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }

  private inline(verdict: Verdict, scheme: string, input: VerifyInput): Verdict {
    try {
      return diagnosed(verdict, this.o.inline(scheme, input));
    } catch {
      return verdict;
    }
  }

  private start(): Worker | undefined {
    if (this.worker || this.failed) return this.worker;
    try {
      // The worker has its own registry: it gets the run's custom definitions as data.
      const definitions = (this.o.custom ?? []).flatMap((s) => (s.definition ? [{ definition: s.definition, source: s.source }] : []));
      const w = new Worker(new URL('./diagnose-worker.js', import.meta.url), { workerData: { definitions } });
      w.unref();
      w.on('message', (m: { id: number; verdict?: Verdict; error?: string }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        const t = performance.now();
        this.tokens -= t - this.startedAt;
        this.startedAt = t;
        p.resolve(diagnosed(p.verdict, m.verdict));
        this.arm();
      });
      w.on('error', () => this.lose(w));
      w.on('exit', () => this.lose(w));
      this.worker = w;
      return w;
    } catch {
      this.failed = true;
      return undefined;
    }
  }

  /** The budget left (ms), after its refill since the last look. */
  private refill(): number {
    const t = performance.now();
    this.tokens = Math.min(this.budget, this.tokens + ((t - this.refilledAt) / 1000) * this.refillPerSecond);
    this.refilledAt = t;
    return this.tokens;
  }

  /** A worker that died or could not load: what it held is diagnosed inline, and no other is started. */
  private lose(w: Worker) {
    if (this.worker !== w) return;
    this.worker = undefined;
    this.failed = true;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.resolve(this.inline(p.verdict, p.scheme, p.input));
    }
  }

  /** The time limit of the diagnosis at the head of the queue. */
  private arm() {
    clearTimeout(this.timer);
    if (this.pending.size === 0) return;
    this.timer = setTimeout(() => {
      this.tokens -= this.timeLimitMs;
      const w = this.worker;
      this.worker = undefined;
      this.settleAll(`not diagnosed: gave up after ${this.timeLimitMs / 1000} s`);
      void w?.terminate();
    }, this.timeLimitMs);
    this.timer.unref();
  }

  private settleAll(why: string) {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.resolve(note(p.verdict, why));
    }
  }
}

const note = (v: Verdict, why: string): Verdict => (v.valid ? v : { ...v, diagnosis: why });

/**
 * The verdict after its diagnosis: the diagnosed no_match, or, when the full check matches a
 * reading the listener does not try on the answer's path (a large body re-spaced on the way),
 * the refusal with that said.
 */
function diagnosed(verdict: Verdict, full: Verdict | undefined): Verdict {
  if (full?.valid) return note(verdict, `the signature matches the ${full.matched}, not the bytes received: the body changed on the way (a proxy or your framework re-encoded it); whk listen checks a body over 64 KB as received only`);
  return full && !full.valid && full.reason === 'no_match' ? full : verdict;
}
