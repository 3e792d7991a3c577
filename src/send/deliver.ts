import { Pool, type Dispatcher } from 'undici';
import { bodyError, isRefusal, networkError, refusedRequest } from '../net-errors.js';
import type { WhkError } from '../errors.js';
import type { OutRequest } from './build.js';

export interface Response {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  /** The first `keepBody` bytes of the body. */
  body: Buffer;
  /** The body's full length. */
  bodyBytes: number;
}

/**
 * What one delivery came to: a response, or the error that prevented one. A failure with a
 * `status` is an answer whose body did not arrive in full (`body_timeout`, `body_incomplete`:
 * the receiver is reachable, the delivery failed all the same); `refused` means the HTTP client
 * would not send the request at all (`request_refused`).
 */
export type Outcome =
  | { ok: true; status: number; ms: number; response?: Response }
  | { ok: false; error: WhkError; ms: number; status?: number; response?: Response; refused?: true };

export interface DelivererOptions {
  /** Connections in the keep-alive pool (= the concurrency). */
  connections: number;
  /**
   * Per request: connecting and waiting for the response headers; then the same again for the
   * body to finish (with `preciseTimeout`; otherwise undici's idle time between body chunks).
   */
  timeoutMs: number;
  /** How much of each response body to keep (0: headers and status only, load mode). */
  keepBody?: number;
  /** Ends the one-line message for a refused connection. */
  hint?: string;
  /**
   * A timer of its own per request, to the millisecond. undici's header and body timeouts run on
   * a coarse clock (up to a second late), fine for load mode, not for `--timeout 300ms`.
   */
  preciseTimeout?: boolean;
}

/**
 * Posts requests to one origin through an undici keep-alive Pool (one request per connection at
 * a time: no pipelining, as providers do). A raw dispatch handler instead of `request()`: no
 * stream per response, which matters at tens of thousands of requests per second.
 */
export class Deliverer {
  private pool: Pool;
  /** Pools set aside after the client refused a request (see `send`), closed with this one. */
  private readonly retired: Array<{ pool: Pool; closed: Promise<void> }> = [];

  constructor(private readonly origin: string, private readonly o: DelivererOptions) {
    this.pool = this.newPool();
  }

  private newPool(): Pool {
    return new Pool(this.origin, {
      connections: this.o.connections,
      pipelining: 1,
      connect: { timeout: this.o.timeoutMs },
      headersTimeout: this.o.timeoutMs,
      bodyTimeout: this.o.timeoutMs,
      keepAliveTimeout: 30_000,
    });
  }

  send(req: OutRequest): Promise<Outcome> {
    return new Promise((resolve) => {
      const pool = this.pool;
      const h = new Handler(resolve, this.o.keepBody ?? 0, this.origin, this.o.hint, this.o.preciseTimeout ? this.o.timeoutMs : 0, this.o.timeoutMs, () => this.retire(pool));
      try {
        pool.dispatch({ method: req.method as Dispatcher.HttpMethod, path: req.path, headers: req.headers, body: req.body }, h);
      } catch (e) {
        h.onResponseError(undefined, e as Error);
      }
    });
  }

  /**
   * undici refuses a request it cannot send (a bad header, a bad method), and the connection it
   * handed the request to then counts as busy for good: with one connection, every later request
   * would wait forever. Such a pool is set aside (closed once its requests in flight are done)
   * and later requests get a new one.
   */
  private retire(pool: Pool): void {
    if (this.pool !== pool) return;
    this.pool = this.newPool();
    this.retired.push({ pool, closed: pool.close().catch(() => undefined) });
  }

  /** Waits for requests in flight, then closes the connections. */
  async close(): Promise<void> {
    await Promise.all([this.pool.close(), ...this.retired.map((r) => r.closed)]);
  }

  /** Aborts everything in flight (Ctrl-C). */
  async destroy(): Promise<void> {
    await Promise.all([this.pool.destroy(), ...this.retired.map((r) => r.pool.destroy().catch(() => undefined))]);
  }
}

class Handler {
  private status = 0;
  private statusText = '';
  private headers: Record<string, string> | undefined;
  private chunks: Buffer[] | undefined;
  private kept = 0;
  private size = 0;
  private readonly t0 = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private done = false;

  constructor(
    private readonly resolve: (o: Outcome) => void,
    private readonly keep: number,
    private readonly origin: string,
    private readonly hint: string | undefined,
    /** The precise timer's duration, 0 for none (undici's own timeouts then). */
    private readonly timeoutMs: number,
    /** --timeout, for messages. */
    private readonly budgetMs: number,
    /** Called when undici refused to send the request. */
    private readonly onRefused: () => void,
  ) {}

  private finish(o: Outcome): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.done) return;
    this.done = true;
    this.resolve(o);
  }

  onRequestStart(controller: { abort(reason: Error): void }): void {
    if (this.timeoutMs > 0 && !this.timer) {
      // Until the response headers: --timeout counts from the start of the request (connecting included).
      const ms = Math.max(0, this.timeoutMs - (performance.now() - this.t0));
      this.timer = setTimeout(() => controller.abort(Object.assign(new Error('timed out'), { code: 'UND_ERR_HEADERS_TIMEOUT' })), ms);
    }
  }

  onResponseStart(controller: { abort(reason: Error): void }, status: number, headers: Record<string, string | string[]>, statusText: string): void {
    // An interim answer (100 Continue, 103 Early Hints) is not the response: the headers are still to come.
    if (status < 200) return;
    this.status = status;
    if (this.timer) {
      // The answer is here; its body gets a --timeout of its own.
      clearTimeout(this.timer);
      this.timer = setTimeout(() => controller.abort(Object.assign(new Error('body timed out'), { code: 'UND_ERR_BODY_TIMEOUT' })), this.timeoutMs);
    }
    if (this.keep > 0) {
      this.statusText = statusText;
      this.headers = {};
      for (const k in headers) {
        const v = headers[k]!;
        this.headers[k] = Array.isArray(v) ? v.join(', ') : v;
      }
      this.chunks = [];
    }
  }

  onResponseData(_c: unknown, chunk: Buffer): void {
    this.size += chunk.length;
    if (this.chunks && this.kept < this.keep) {
      this.chunks.push(chunk);
      this.kept += chunk.length;
    }
  }

  private response(): Response | undefined {
    if (!this.chunks) return undefined;
    const body = Buffer.concat(this.chunks).subarray(0, this.keep);
    return { status: this.status, statusText: this.statusText, headers: this.headers ?? {}, body, bodyBytes: this.size };
  }

  onResponseEnd(): void {
    const ms = performance.now() - this.t0;
    const response = this.response();
    this.finish(response ? { ok: true, status: this.status, ms, response } : { ok: true, status: this.status, ms });
  }

  onResponseError(_c: unknown, err: Error): void {
    const ms = performance.now() - this.t0;
    if (isRefusal(err)) {
      this.onRefused();
      return this.finish({ ok: false, error: refusedRequest(err), ms, refused: true });
    }
    if (this.status > 0) {
      // The headers came, the body did not finish: an answer, an incomplete one.
      return this.finish({ ok: false, error: bodyError(err, this.status, this.budgetMs), ms, status: this.status, response: this.response() });
    }
    this.finish({ ok: false, error: networkError(err, this.origin, this.hint), ms });
  }
}
