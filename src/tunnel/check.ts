import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { WhkError } from '../errors.js';
import { formatDuration } from '../units.js';
import type { TunnelAdapter } from './types.js';

/** The header that marks the self-check's own deliveries (its value: the check's nonce). */
export const CHECK_HEADER = 'x-whk-tunnel-check';
/** Its signature: `sha256=` and the HMAC-SHA256 of the body, keyed with the nonce. */
export const SIGNATURE_HEADER = 'x-whk-tunnel-signature';

/** What the listener sees of the self-check: its nonce, and where to tell what arrived. */
export interface TunnelCheck {
  readonly nonce: string;
  /** One of the check's deliveries reached the listener: its body and headers (names lower-cased), as received. */
  arrived(body: Buffer, headers: Record<string, string>): void;
}

export interface SelfCheck extends TunnelCheck {
  /** Posts the check's delivery to `url` until it arrives (or `timeoutMs` is over); rejects with one line, exit 3. */
  run(url: string, timeoutMs: number): Promise<void>;
}

/**
 * The body of the check: JSON a relay that parses and re-encodes it (as smee does) cannot give
 * back byte for byte (spacing, a number's trailing zero, escaped and raw non-ASCII text): such a
 * relay breaks every signature, and this is how whk finds out before the provider does.
 */
export const checkBody = (nonce: string): Buffer =>
  Buffer.from(`{"whk": "tunnel check",  "nonce": "${nonce}",\n  "text": "caf\\u00e9 \u00e9 \u2713", "amount": 1.50}\n`, 'utf8');

/** The signature of `body` with `nonce`: what a provider's signature is, in whk's own header. */
export const checkSignature = (nonce: string, body: Buffer): string => `sha256=${createHmac('sha256', nonce).update(body).digest('hex')}`;

/**
 * The tunnel's self-check: one signed delivery through the public URL must reach the listener
 * byte for byte, its signature valid. The listener recognises it by its header and nonce:
 * answered 200, not forwarded, queued or counted (src/listen/answer.ts).
 */
export function selfCheck(): SelfCheck {
  const nonce = randomBytes(16).toString('hex');
  const body = checkBody(nonce);
  let got: (a: Arrival) => void = () => undefined;
  const arrival = new Promise<Arrival>((r) => (got = r));
  return { nonce, arrived: (b, headers) => got({ body: b, signature: headers[SIGNATURE_HEADER] }), run: (url, timeoutMs) => runCheck(url, { body, nonce, arrival }, timeoutMs) };
}

interface Arrival {
  body: Buffer;
  signature: string | undefined;
}

/** `tunnel`, whose start resolves only once the self-check passed through the public URL (+ `path`). */
export function checkedTunnel(tunnel: TunnelAdapter, check: SelfCheck, path: string, timeoutMs: number): TunnelAdapter {
  return {
    name: tunnel.name,
    async start(localUrl) {
      const origin = await tunnel.start(localUrl);
      await check.run(origin + path, timeoutMs);
      return origin;
    },
    ...(tunnel.onUrl ? { onUrl: (f: (url: string) => void) => tunnel.onUrl!(f) } : {}),
    close: () => tunnel.close(),
  };
}

interface Sent {
  body: Buffer;
  nonce: string;
  arrival: Promise<Arrival>;
}

/** Posts, then waits up to a second for the arrival (a relay may answer before it forwards); again until the time is over. */
async function runCheck(url: string, sent: Sent, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (let left = timeoutMs; left > 0; left = deadline - Date.now()) {
    last = await post(url, sent, left);
    const arrived = await within(sent.arrival, Math.min(1_000, Math.max(0, deadline - Date.now())));
    if (arrived) return compare(arrived, sent, url);
  }
  throw new WhkError('tunnel_check_failed',
    `tunnel self-check: a signed test delivery to ${url} did not reach whk within ${formatDuration(timeoutMs)} (last try: ${last}) — check the tunnel, raise --tunnel-timeout, or skip the check with --no-tunnel-check`, 3);
}

/** One try: what came back, in a few words. */
async function post(url: string, sent: Sent, timeoutMs: number): Promise<string> {
  try {
    const r = await fetch(url, {
      method: 'POST', body: new Uint8Array(sent.body), redirect: 'manual', signal: AbortSignal.timeout(timeoutMs),
      headers: { 'content-type': 'application/json', 'user-agent': 'whk-tunnel-check', [CHECK_HEADER]: sent.nonce, [SIGNATURE_HEADER]: checkSignature(sent.nonce, sent.body) },
    });
    await r.arrayBuffer().catch(() => undefined);
    return `answered ${r.status}`;
  } catch (e) {
    const err = e as Error & { cause?: NodeJS.ErrnoException };
    return err.name === 'TimeoutError' ? 'no answer' : (err.cause?.code ?? err.cause?.message ?? err.message);
  }
}

/** The arrival against what was sent: the signature verified over the bytes that arrived, the way a receiver does. */
export function compare(arrived: Arrival, sent: Pick<Sent, 'body' | 'nonce'>, url: string): void {
  const expected = Buffer.from(checkSignature(sent.nonce, arrived.body));
  const given = Buffer.from(arrived.signature ?? '');
  if (arrived.body.equals(sent.body) && given.length === expected.length && timingSafeEqual(given, expected)) return;
  throw new WhkError('tunnel_check_failed',
    `tunnel self-check: a signed test delivery through ${url} arrived changed: ${howChanged(arrived, sent.body)}, so every signature would fail through this tunnel (--no-tunnel-check skips the check)`, 3);
}

function howChanged(arrived: Arrival, body: Buffer): string {
  if (arrived.signature === undefined) return `the tunnel dropped its ${SIGNATURE_HEADER} header`;
  if (arrived.body.equals(body)) return `the tunnel changed its ${SIGNATURE_HEADER} header`;
  if (sameJson(arrived.body, body)) return 'the tunnel re-serialized its JSON body (the same data, other bytes)';
  return `the body changed on its way (${body.length} bytes sent, ${arrived.body.length} arrived)`;
}

function sameJson(a: Buffer, b: Buffer): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(a.toString('utf8')), JSON.parse(b.toString('utf8')));
  } catch {
    return false;
  }
}

/** `p`'s value if it settles within `ms`, else undefined. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((r) => (timer = setTimeout(r, ms, undefined)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}
