import type { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { networkError } from '../net-errors.js';
import { formatDuration } from '../units.js';
import { maskedUrl } from './urls.js';
import { forwardUrl } from '../send/target.js';

export { forwardUrl } from '../send/target.js';

/**
 * `--forward-to`: hands each accepted event to the user's app, byte for byte, and brings back
 * its answer for the sender, streamed (never held whole in memory). Imported only when
 * --forward-to is given (undici is not loaded otherwise).
 */
export interface ForwardRequest {
  /** The target: its base URL (--forward-to, a route's) and the listening path below which the request's path is appended. */
  to: { base: string; listenPath: string };
  method: string;
  /** The request path (normalized) and query. */
  path: string;
  /** As received, names lower-cased. */
  headers: Record<string, string>;
  body: Buffer;
  /** Ends the forward: the sender hung up (`sender_gone`), or a shutdown stopped waiting (`shutdown`). */
  signal?: AbortSignal;
}

export type ForwardResult =
  | {
      ok: true;
      url: string;
      status: number;
      /** The app's answer headers, hop-by-hop ones removed, repeated ones (Set-Cookie) kept apart: [name, value, ...]. */
      headers: string[];
      /** The app's answer body, to be streamed on. */
      body: Readable;
      /** ms until the app's headers arrived. */
      ms: number;
    }
  | { ok: false; url: string; status: 502 | 503 | 504; error: string; code: string; ms: number };

export type Forwarder = (req: ForwardRequest) => Promise<ForwardResult>;

/** Hop-by-hop headers (RFC 9110 §7.6.1) and those the new connection sets itself. */
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'http2-settings', 'host', 'content-length', 'expect',
]);

/** The headers to pass on: all but hop-by-hop ones and those named in `Connection`. */
export function forwardHeaders(headers: Record<string, string>): Record<string, string> {
  const named = new Set((headers.connection ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    const key = k.toLowerCase();
    if (!HOP_BY_HOP.has(key) && !named.has(key)) out[key] = v;
  }
  return out;
}

/** An answer's headers as [name, value, ...] pairs for writeHead: arrays (Set-Cookie) stay separate headers. */
export function answerHeaders(headers: Record<string, string | string[] | undefined>): string[] {
  const named = new Set(String(headers.connection ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
  const out: string[] = [];
  for (const [k, v] of Object.entries(headers)) {
    const key = k.toLowerCase();
    if (v === undefined || HOP_BY_HOP.has(key) || named.has(key)) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.push(key, one);
  }
  return out;
}

export interface ForwarderOptions {
  /** How long the app may take to send its answer's headers, and then between chunks of its body. */
  timeoutMs?: number;
  /** Added to `Via` on every forwarded request, so that a request coming back is recognised (a loop). */
  via?: string;
  /** For tests: the clock (milliseconds, monotonic). */
  clock?: () => number;
}

export function createForwarder(opts: ForwarderOptions = {}): Forwarder & { close(): Promise<void> } {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const clock = opts.clock ?? (() => performance.now());
  const agent = new Agent({ connectTimeout: Math.min(timeoutMs, 10_000), headersTimeout: timeoutMs, bodyTimeout: timeoutMs, keepAliveTimeout: 4_000 });
  const forward = async (req: ForwardRequest): Promise<ForwardResult> => {
    const target = forwardUrl(req.to.base, req.to.listenPath, req.path);
    // What is shown and recorded never carries the password of --forward-to.
    const url = maskedUrl(target);
    const t0 = clock();
    const ms = () => Math.round(clock() - t0);
    const headers = forwardHeaders(req.headers);
    if (opts.via) headers.via = headers.via ? `${headers.via}, ${opts.via}` : opts.via;
    try {
      const res = await request(target, {
        method: req.method as 'POST',
        headers,
        body: req.body.length > 0 || !['GET', 'HEAD'].includes(req.method) ? req.body : undefined,
        dispatcher: agent,
        signal: req.signal,
      });
      // The answer's body is owned by whoever relays it; an abort after this point must never be
      // an unhandled 'error' (undici's RequestAbortedError).
      res.body.on('error', () => undefined);
      return { ok: true, url, status: res.statusCode, headers: answerHeaders(res.headers), body: res.body, ms: ms() };
    } catch (e) {
      if (req.signal?.aborted) return cancelled(url, req.signal.reason, ms());
      const err = networkError(e, url, 'is your app running?');
      const slow = err.code === 'timeout';
      const why = slow ? `no answer from ${new URL(url).origin} within ${formatDuration(timeoutMs)} (--forward-timeout) — is your app stuck?` : err.message;
      return { ok: false, url, status: slow ? 504 : 502, error: `forward failed: ${why}`, code: err.code, ms: ms() };
    }
  };
  return Object.assign(forward, { close: () => agent.close().catch(() => undefined) });
}

/** A forward ended before the app answered: the sender hung up, or a shutdown stopped waiting. */
function cancelled(url: string, why: unknown, ms: number): ForwardResult {
  return why === 'shutdown'
    ? { ok: false, url, status: 503, error: `forward cancelled: whk was shutting down and your app had not answered within the shutdown grace (${formatDuration(ms)})`, code: 'shutdown', ms }
    : { ok: false, url, status: 502, error: `forward cancelled: the sender hung up after ${formatDuration(ms)}, before your app answered`, code: 'sender_gone', ms };
}
