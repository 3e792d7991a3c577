import { Pool, type Dispatcher } from 'undici';
import { networkError } from '../net-errors.js';
import type { WhkError } from '../schemes/errors.js';
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

/** What one delivery came to: a response, or the network error that prevented one. */
export type Outcome =
  | { ok: true; status: number; ms: number; response?: Response }
  | { ok: false; error: WhkError; ms: number };

export interface DelivererOptions {
  /** Connections in the keep-alive pool (= the concurrency). */
  connections: number;
  /** Per request: connecting, and waiting for the headers and for each body chunk. */
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
  private readonly pool: Pool;

  constructor(private readonly origin: string, private readonly o: DelivererOptions) {
    this.pool = new Pool(origin, {
      connections: o.connections,
      pipelining: 1,
      connect: { timeout: o.timeoutMs },
      headersTimeout: o.timeoutMs,
      bodyTimeout: o.timeoutMs,
      keepAliveTimeout: 30_000,
    });
  }

  send(req: OutRequest): Promise<Outcome> {
    return new Promise((resolve) => {
      const h = new Handler(resolve, this.o.keepBody ?? 0, this.origin, this.o.hint, this.o.preciseTimeout ? this.o.timeoutMs : 0);
      this.pool.dispatch({ method: req.method as Dispatcher.HttpMethod, path: req.path, headers: req.headers, body: req.body }, h);
    });
  }

  /** Waits for requests in flight, then closes the connections. */
  close(): Promise<void> {
    return this.pool.close();
  }

  /** Aborts everything in flight (Ctrl-C). */
  destroy(): Promise<void> {
    return this.pool.destroy();
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

  constructor(
    private readonly resolve: (o: Outcome) => void,
    private readonly keep: number,
    private readonly origin: string,
    private readonly hint: string | undefined,
    private readonly timeoutMs: number,
  ) {}

  onRequestStart(controller: { abort(reason: Error): void }): void {
    if (this.timeoutMs > 0 && !this.timer) {
      const ms = Math.max(0, this.timeoutMs - (performance.now() - this.t0));
      this.timer = setTimeout(() => controller.abort(Object.assign(new Error('timed out'), { code: 'UND_ERR_HEADERS_TIMEOUT' })), ms);
    }
  }

  onResponseStart(_c: unknown, status: number, headers: Record<string, string | string[]>, statusText: string): void {
    this.status = status;
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

  onResponseEnd(): void {
    if (this.timer) clearTimeout(this.timer);
    const ms = performance.now() - this.t0;
    if (!this.chunks) return this.resolve({ ok: true, status: this.status, ms });
    const body = Buffer.concat(this.chunks).subarray(0, this.keep);
    this.resolve({
      ok: true,
      status: this.status,
      ms,
      response: { status: this.status, statusText: this.statusText, headers: this.headers ?? {}, body, bodyBytes: this.size },
    });
  }

  onResponseError(_c: unknown, err: Error): void {
    if (this.timer) clearTimeout(this.timer);
    this.resolve({ ok: false, error: networkError(err, this.origin, this.hint), ms: performance.now() - this.t0 });
  }
}
