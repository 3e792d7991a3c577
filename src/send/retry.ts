import type { Outcome } from './deliver.js';

/** First retry after 200 ms, then 400, 800, ...: providers back off exponentially (over hours; whk over seconds). */
export const RETRY_BASE_MS = 200;
export const backoffMs = (retry: number, base = RETRY_BASE_MS): number => base * 2 ** (retry - 1);

/** Why an outcome is worth retrying ("5xx", or the network error's code), or undefined. */
export function retryReason(o: Outcome): string | undefined {
  // A request the HTTP client refused to send (a bad header) would be refused again.
  if (!o.ok) return o.error.code === 'request_refused' ? undefined : o.error.code.replace(/_/g, ' ');
  return o.status >= 500 ? '5xx' : undefined;
}

export interface RetryOptions {
  retries: number;
  baseMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Called before each retry: n of max, why, and after how long. */
  onRetry?: (n: number, max: number, why: string, delayMs: number, last: Outcome) => void;
  /** Stop retrying (Ctrl-C). */
  stopped?: () => boolean;
}

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs `attempt(1)`, then retries network errors and 5xx answers up to `retries` times with
 * exponential backoff. `attempt(n)` builds a fresh delivery each time (a provider re-signs each
 * retry with a new timestamp). Returns every outcome, the last one deciding.
 */
export async function withRetries(attempt: (n: number) => Promise<Outcome>, o: RetryOptions): Promise<Outcome[]> {
  const outcomes = [await attempt(1)];
  for (let n = 1; n <= o.retries; n++) {
    const last = outcomes[outcomes.length - 1]!;
    const why = retryReason(last);
    if (why === undefined || o.stopped?.()) break;
    const delay = backoffMs(n, o.baseMs);
    o.onRetry?.(n, o.retries, why, delay, last);
    await (o.sleep ?? wait)(delay);
    outcomes.push(await attempt(n + 1));
  }
  return outcomes;
}
