import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { WhkError } from '../errors.js';
import { formatDuration } from '../units.js';
import type { TunnelAdapter } from './types.js';

/** The header that marks the self-check's own deliveries (its value: the check's nonce). */
export const CHECK_HEADER = 'x-whk-tunnel-check';

/** What the listener sees of the self-check: its nonce, and where to tell what arrived. */
export interface TunnelCheck {
  readonly nonce: string;
  /** One of the check's deliveries reached the listener: its body, as received. */
  arrived(body: Buffer): void;
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

/**
 * The tunnel's self-check: one delivery through the public URL must reach the listener byte for
 * byte. The listener recognises it by its header and nonce: answered 200, not forwarded, queued
 * or counted (src/listen/answer.ts).
 */
export function selfCheck(): SelfCheck {
  const nonce = randomBytes(16).toString('hex');
  const body = checkBody(nonce);
  let got: (b: Buffer) => void = () => undefined;
  const arrival = new Promise<Buffer>((r) => (got = r));
  return { nonce, arrived: (b) => got(b), run: (url, timeoutMs) => runCheck(url, { body, nonce, arrival }, timeoutMs) };
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
  arrival: Promise<Buffer>;
}

/** Posts, then waits up to a second for the arrival (a relay may answer before it forwards); again until the time is over. */
async function runCheck(url: string, sent: Sent, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (let left = timeoutMs; left > 0; left = deadline - Date.now()) {
    last = await post(url, sent, left);
    const arrived = await within(sent.arrival, Math.min(1_000, Math.max(0, deadline - Date.now())));
    if (arrived) return compare(arrived, sent.body, url);
  }
  throw new WhkError('tunnel_check_failed',
    `tunnel self-check: a test delivery to ${url} did not reach whk within ${formatDuration(timeoutMs)} (last try: ${last}) — check the tunnel, raise --tunnel-timeout, or skip the check with --no-tunnel-check`, 3);
}

/** One try: what came back, in a few words. */
async function post(url: string, sent: Sent, timeoutMs: number): Promise<string> {
  try {
    const r = await fetch(url, {
      method: 'POST', body: new Uint8Array(sent.body), redirect: 'manual', signal: AbortSignal.timeout(timeoutMs),
      headers: { 'content-type': 'application/json', 'user-agent': 'whk-tunnel-check', [CHECK_HEADER]: sent.nonce },
    });
    await r.arrayBuffer().catch(() => undefined);
    return `answered ${r.status}`;
  } catch (e) {
    const err = e as Error & { cause?: NodeJS.ErrnoException };
    return err.name === 'TimeoutError' ? 'no answer' : (err.cause?.code ?? err.cause?.message ?? err.message);
  }
}

function compare(arrived: Buffer, body: Buffer, url: string): void {
  if (arrived.equals(body)) return;
  const how = sameJson(arrived, body)
    ? 'the tunnel re-serialized its JSON body (the same data, other bytes)'
    : `the body changed on its way (${body.length} bytes sent, ${arrived.length} arrived)`;
  throw new WhkError('tunnel_check_failed', `tunnel self-check: a test delivery through ${url} arrived changed: ${how}, so every signature would fail through this tunnel (--no-tunnel-check skips the check)`, 3);
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
