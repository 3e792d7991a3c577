import { verify } from '../schemes/core.js';
import { isKeyPair, type Scheme, type Secret } from '../schemes/types.js';
import type { OutRequest } from './build.js';
import type { Outcome } from './deliver.js';
import type { Expect } from './expect.js';
import type { AttemptReport, DeliveryReport } from './report.js';
import { withRetries, type RetryOptions } from './retry.js';

/**
 * One delivery and its retries, reported: `build(n)` makes attempt n (a fresh signature each
 * time, as providers re-sign retries), `send` posts it.
 */
export async function deliverOnce(
  build: (attempt: number) => OutRequest,
  send: (req: OutRequest) => Promise<Outcome>,
  o: { expect: Expect; url: URL; label?: string } & Pick<RetryOptions, 'retries' | 'onRetry'>,
): Promise<DeliveryReport> {
  let last: OutRequest | undefined;
  const outcomes = await withRetries((n) => send((last = build(n))), { retries: o.retries, onRetry: o.onRetry });
  const final = outcomes[outcomes.length - 1]!;
  const attempts: AttemptReport[] = outcomes.map((x, i) => {
    if (x.ok) return { attempt: i + 1, status: x.status, statusText: x.response?.statusText, ms: x.ms };
    const error = { code: x.error.code, message: x.error.message };
    // An answer whose body then stalled or broke off: its status, and the error.
    return x.status === undefined ? { attempt: i + 1, error, ms: x.ms } : { attempt: i + 1, status: x.status, statusText: x.response?.statusText, error, ms: x.ms };
  });
  const req = last!;
  const headers: Array<[string, string]> = [];
  for (let i = 0; i < req.headers.length; i += 2) headers.push([req.headers[i]!, req.headers[i + 1]!]);
  const r = final.response;
  return {
    label: o.label,
    method: req.method,
    url: o.url.href,
    requestHeaders: headers,
    bodyBytes: Buffer.byteLength(req.body),
    note: req.note,
    attempts,
    response: r && {
      status: r.status, statusText: r.statusText, headers: r.headers, body: r.body.toString('utf8'), bodyBytes: r.bodyBytes, truncated: r.bodyBytes > r.body.length,
      ...(final.ok ? {} : { incomplete: true }),
    },
    error: final.ok ? undefined : { code: final.error.code, message: final.error.message },
    withinExpect: final.ok && o.expect.matches(final.status),
  };
}

/**
 * A body of the user's is signed as given. When what goes out would not verify even with the
 * right secret (a Dfns body whose timestampSent is hours old), or would fail the provider's own
 * sample verifier, say so before the receiver does. Returns notes; never throws.
 */
export function selfCheck(scheme: Scheme, req: OutRequest, secrets: Secret[], url: string): string[] {
  const notes: string[] = scheme.bodyNotes?.(Buffer.from(req.body)) ?? [];
  // A key-pair scheme verifies with the public key, which whk does not have here.
  if (isKeyPair(scheme.keyKind)) return notes;
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.headers.length; i += 2) headers[req.headers[i]!] = req.headers[i + 1]!;
  try {
    const v = verify(scheme, { body: req.body, headers, secrets, url });
    if (!v.valid) notes.push(`this delivery would not verify even with the right secret: ${v.message}`);
  } catch {
    // Only a hint: never stand in the way of sending.
  }
  return notes;
}
