import { BODY_ERRORS } from '../net-errors.js';
import type { Secret } from '../schemes/types.js';
import type { Outcome } from '../send/deliver.js';
import type { Check, Expectation } from './battery.js';

export type Result = 'PASS' | 'FAIL' | 'WARN';

export interface CheckResult {
  id: string;
  title: string;
  expect: Expectation;
  result: Result;
  sent: string;
  /** What came back, in a few words: "401 in 3 ms", "204, then 204 (duplicate)". */
  got: string;
  statuses: Array<number | null>;
  ms: number[];
  /** For FAIL and WARN: what the receiver probably does wrong, and the fix. */
  explain?: string;
}

/** Slower than this on a valid delivery gets a WARN: providers time out after a few seconds. */
export const SLOW_MS = 2000;

// An answer whose body stalled or broke off was still an answer: say so rather than "no answer".
const describe = (o: Outcome) =>
  o.ok ? `${o.status} in ${Math.round(o.ms)} ms`
  : BODY_ERRORS.has(o.error.code) ? o.error.message
  : `no answer (${o.error.message})`;
const is2xx = (o: Outcome) => o.ok && o.status >= 200 && o.status < 300;
const is4xx = (o: Outcome) => o.ok && o.status >= 400 && o.status < 500;
const is5xx = (o: Outcome) => o.ok && o.status >= 500;

/** PASS, FAIL or WARN for one check, from what the receiver answered. Pure. */
export function grade(check: Check, outcomes: Outcome[]): CheckResult {
  const base = {
    id: check.id, title: check.title, expect: check.expect, sent: check.sent,
    got: outcomes.map(describe).join(', then '),
    statuses: outcomes.map((o) => (o.ok ? o.status : null)),
    ms: outcomes.map((o) => Math.round(o.ms)),
  };
  const fail = (explain: string): CheckResult => ({ ...base, result: check.warnOnly ? 'WARN' : 'FAIL', explain });
  const warn = (explain: string): CheckResult => ({ ...base, result: 'WARN', explain });
  const first = outcomes[0]!;
  switch (check.expect) {
    case 'accept':
      return is2xx(first) ? { ...base, result: 'PASS' } : fail(first.ok ? check.explain : `no answer to a genuine delivery: ${first.error.message}`);
    case 'refuse':
      if (is4xx(first)) return { ...base, result: 'PASS' };
      if (is2xx(first)) return fail(check.explain);
      if (is5xx(first)) return warn(`refused, but with ${first.ok ? first.status : ''}: providers retry 5xx, so a forgery turns into a retry storm; answer 401 or 403`);
      return warn(first.ok ? `answered ${first.status}: refuse forgeries with 401 or 403` : `no answer (${first.error.message}): refuse forgeries with 401 or 403 instead of dropping the connection`);
    case 'info':
      return { ...base, result: 'PASS' };
    case 'duplicate': {
      const second = outcomes[1];
      if (!is2xx(first)) return warn(`the first delivery was not accepted (${describe(first)}), so duplicates could not be judged`);
      return second && is2xx(second) ? { ...base, result: 'PASS' } : warn(check.explain);
    }
  }
}

/**
 * The rows that look across all checks: response time of the genuine delivery, 5xx answers, and
 * response bodies that echo the secret.
 */
export function overall(results: CheckResult[], bodies: string[], secrets: Secret[]): CheckResult[] {
  const rows: CheckResult[] = [];
  const valid = results.find((r) => r.id === 'valid');
  if (valid && valid.ms.length > 0) {
    const ms = valid.ms[0]!;
    rows.push({
      id: 'response-time', title: 'response time', expect: 'info', sent: 'the valid event', got: `${ms} ms`, statuses: valid.statuses, ms: valid.ms,
      result: ms > SLOW_MS ? 'WARN' : 'PASS',
      ...(ms > SLOW_MS ? { explain: `answered in ${ms} ms: answer 2xx within a few seconds and queue slow work, or the provider times out and retries` } : {}),
    });
  }
  const fivexx = results.filter((r) => r.statuses.some((s) => s !== null && s >= 500));
  if (fivexx.length > 0) {
    rows.push({
      id: 'server-errors', title: '5xx answers', expect: 'info', sent: 'all of the above', got: fivexx.map((r) => r.title).join(', '), statuses: [], ms: [],
      result: 'WARN', explain: 'the receiver crashed or erred on some deliveries: catch errors in the handler and answer 4xx for bad input, 2xx once stored',
    });
  }
  const texts = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 6).flatMap((s) => [s, s.replace(/^whsec_/, '')]);
  if (bodies.some((b) => texts.some((t) => b.includes(t)))) {
    rows.push({
      id: 'secret-echo', title: 'secret in a response body', expect: 'info', sent: 'all of the above', got: 'a response body contains the secret', statuses: [], ms: [],
      result: 'WARN', explain: 'a response body contains the webhook secret (an error page or a debug echo?): never send it back',
    });
  }
  return rows;
}
