import { createHash } from 'node:crypto';
import { Lru } from './dedupe.js';

/**
 * Failure injection (`--delay`, `--fail-rate`, `--fail-first`, `--drop`): the listener plays a
 * receiver that misbehaves, so a sender's retries and timeouts can be tested. It applies to
 * deliveries that passed verification (or were not verified); an invalid signature always gets
 * its 401, after `--delay`.
 */
export interface InjectOptions {
  /** Wait this long before every answer. */
  delayMs?: number;
  /** Answer 500 to this fraction of deliveries (0..1). */
  failRate?: number;
  /** Answer 500 to the first n deliveries of each event, then normally. */
  failFirst?: number;
  /** Close the connection without answering. */
  drop?: boolean;
  /** For tests: the random source of --fail-rate. */
  random?: () => number;
  /** How many events --fail-first remembers (bounded). */
  memory?: number;
}

/** What was injected into one answer; part of the event record. */
export interface Injected {
  delayMs?: number;
  drop?: true;
  fail?: 'fail-first' | 'fail-rate';
  /** With --fail-first: which delivery of this event this was (1-based). */
  attempt?: number;
}

export class Injector {
  private readonly attempts: Lru<number>;
  private readonly random: () => number;

  constructor(readonly opts: InjectOptions) {
    this.attempts = new Lru(opts.memory ?? 10_000);
    this.random = opts.random ?? Math.random;
  }

  get active(): boolean {
    const o = this.opts;
    return Boolean(o.delayMs || o.failRate || o.failFirst || o.drop);
  }

  /**
   * The injection for an accepted delivery. `key` identifies the event (scheme and event id);
   * without one, the body's hash stands for it (a retry resends the same bytes).
   */
  decide(key: string | null, body: Uint8Array): Injected | undefined {
    const o = this.opts;
    if (o.drop) return { ...(o.delayMs ? { delayMs: o.delayMs } : {}), drop: true };
    let out: Injected | undefined = o.delayMs ? { delayMs: o.delayMs } : undefined;
    if (o.failFirst) {
      const k = key ?? `body:${createHash('sha256').update(body).digest('base64')}`;
      const attempt = (this.attempts.get(k) ?? 0) + 1;
      this.attempts.set(k, attempt);
      if (attempt <= o.failFirst) return { ...out, fail: 'fail-first', attempt };
      out = { ...out, attempt };
    }
    if (o.failRate && this.random() < o.failRate) return { ...out, fail: 'fail-rate' };
    return out;
  }
}
