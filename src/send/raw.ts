import { connect, type Socket } from 'node:net';
import { bodyError, networkError } from '../net-errors.js';
import type { OutRequest } from './build.js';
import type { Outcome } from './deliver.js';

/**
 * Load mode's HTTP/1.1 client for http:// targets: keep-alive connections, one request in flight
 * on each (no pipelining, as providers deliver), each request written as ONE buffer, responses
 * framed by a small incremental parser that only looks for the status and the end of the body.
 *
 * Why not undici here: undici writes the head and the body of a request as two chunks (a writev
 * per request) and validates and re-processes every header; measured against autocannon on the
 * same receiver that caps whk at ~0.55× of autocannon's rate, where this client reaches ~1×.
 * Single sends, replay and https keep undici (full response headers and body, TLS).
 */

interface Pending {
  resolve: (o: Outcome) => void;
  t0: number;
  deadline: number;
}

const enum State { Head, Length, ChunkSize, ChunkData, ChunkEnd, Trailers, UntilClose }

const LF = 0x0a;
const MAX_HEAD = 64 * 1024;
const ASCII = /^[\x20-\x7e\t\r\n]*$/;

class Conn {
  socket: Socket | undefined;
  pending: Pending | undefined;
  private state = State.Head;
  private buf: Buffer | undefined;
  private remaining = 0;
  private status = 0;
  private closeAfter = false;

  constructor(private readonly owner: RawDeliverer) {}

  send(data: string | Buffer, p: Pending): void {
    this.pending = p;
    if (!this.socket) this.open();
    this.socket!.write(data);
  }

  private open(): void {
    const s = connect(this.owner.port, this.owner.host);
    s.setNoDelay(true);
    this.socket = s;
    this.reset();
    // Events of a socket already replaced (closed after a response) must not touch the new one.
    s.on('data', (d: Buffer) => this.socket === s && this.onData(d));
    s.on('end', () => {
      if (this.socket === s && this.state === State.UntilClose && this.pending) this.complete();
    });
    s.on('error', (err) => this.socket === s && this.fail(err));
    s.on('close', () => this.socket === s && this.fail(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })));
  }

  private reset(): void {
    this.state = State.Head;
    this.buf = undefined;
    this.remaining = 0;
    this.status = 0;
    this.closeAfter = false;
  }

  /**
   * Ends the request in flight with an error and drops the connection: a network error, or, once
   * the response head is in, a body error carrying the status.
   */
  fail(err: unknown): void {
    const p = this.pending;
    const s = this.socket;
    const status = this.status;
    this.socket = undefined;
    s?.destroy();
    if (!p) return;
    this.pending = undefined;
    const ms = performance.now() - p.t0;
    p.resolve(status > 0
      ? { ok: false, error: bodyError(err, status, this.owner.timeoutMs), ms, status }
      : { ok: false, error: networkError(err, this.owner.origin, this.owner.hint), ms });
  }

  private complete(): void {
    const p = this.pending!;
    this.pending = undefined;
    const status = this.status;
    if (this.closeAfter) {
      const s = this.socket;
      this.socket = undefined;
      s?.destroy();
    }
    this.reset();
    p.resolve({ ok: true, status, ms: performance.now() - p.t0 });
  }

  private onData(chunk: Buffer): void {
    if (!this.pending) return this.fail(new Error('unexpected data'));
    const d = this.buf ? Buffer.concat([this.buf, chunk]) : chunk;
    this.buf = undefined;
    let at = 0;
    while (this.pending && at < d.length) {
      switch (this.state) {
        case State.Head: {
          const end = d.indexOf('\r\n\r\n', at, 'latin1');
          if (end < 0) {
            if (d.length - at > MAX_HEAD) return this.fail(new Error('response head too large'));
            this.buf = d.subarray(at);
            return;
          }
          if (!this.head(d.toString('latin1', at, end))) return;
          at = end + 4;
          break;
        }
        case State.Length:
        case State.ChunkData:
        case State.ChunkEnd: {
          const take = Math.min(this.remaining, d.length - at);
          this.remaining -= take;
          at += take;
          if (this.remaining > 0) break;
          if (this.state === State.Length) this.complete();
          else if (this.state === State.ChunkData) [this.state, this.remaining] = [State.ChunkEnd, 2];
          else this.state = State.ChunkSize;
          break;
        }
        case State.ChunkSize:
        case State.Trailers: {
          const nl = d.indexOf(LF, at);
          if (nl < 0) {
            if (d.length - at > MAX_HEAD) return this.fail(new Error('chunk line too long'));
            this.buf = d.subarray(at);
            return;
          }
          const line = d.toString('latin1', at, nl).replace(/\r$/, '');
          at = nl + 1;
          if (this.state === State.Trailers) {
            if (line === '') this.complete();
          } else {
            const size = parseInt(line, 16);
            if (Number.isNaN(size)) return this.fail(new Error('bad chunk size'));
            if (size === 0) this.state = State.Trailers;
            else [this.state, this.remaining] = [State.ChunkData, size];
          }
          break;
        }
        case State.UntilClose:
          at = d.length; // the body ends when the server closes ('end')
          break;
      }
    }
    // A complete response followed by more bytes: the connection is out of step.
    if (!this.pending && at < d.length) this.fail(new Error('unexpected data after the response'));
  }

  /** Reads a response head; false when it ended the request (an error). */
  private head(text: string): boolean {
    const m = /^HTTP\/1\.([01]) (\d{3})/.exec(text);
    if (!m) {
      this.fail(new Error(`not an HTTP/1 response: ${JSON.stringify(text.slice(0, 40))}`));
      return false;
    }
    const status = Number(m[2]);
    if (status >= 100 && status < 200) {
      // An interim response (100 Continue, 103 Early Hints): the real one follows.
      this.state = State.Head;
      return true;
    }
    this.status = status;
    // The answer is here: --timeout counts until the headers, and again for the body.
    this.pending!.deadline = performance.now() + this.owner.timeoutMs;
    const lower = text.toLowerCase();
    const connection = /\r\nconnection:[ \t]*([^\r]*)/.exec(lower)?.[1] ?? '';
    this.closeAfter = connection.includes('close') || (m[1] === '0' && !connection.includes('keep-alive'));
    if (status === 204 || status === 304) return this.done();
    if (/\r\ntransfer-encoding:[^\r]*chunked/.test(lower)) {
      this.state = State.ChunkSize;
      return true;
    }
    const len = /\r\ncontent-length:[ \t]*(\d+)/.exec(lower);
    if (len) {
      this.remaining = Number(len[1]);
      if (this.remaining === 0) return this.done();
      this.state = State.Length;
      return true;
    }
    this.state = State.UntilClose;
    this.closeAfter = true;
    return true;
  }

  private done(): boolean {
    this.complete();
    return true;
  }
}

export class RawDeliverer {
  readonly host: string;
  readonly port: number;
  readonly origin: string;
  private readonly hostHeader: string;
  private readonly idle: Conn[] = [];
  private readonly all: Conn[] = [];
  private readonly sweeper: NodeJS.Timeout;

  constructor(url: URL, private readonly o: { connections: number; timeoutMs: number; hint?: string }) {
    this.host = url.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(url.port || 80);
    this.origin = url.origin;
    this.hostHeader = url.host;
    for (let i = 0; i < o.connections; i++) {
      const c = new Conn(this);
      this.all.push(c);
      this.idle.push(c);
    }
    // One timer for every request's deadline instead of one per request.
    const every = Math.max(10, Math.min(1000, Math.floor(o.timeoutMs / 4)));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref();
  }

  get hint(): string | undefined {
    return this.o.hint;
  }

  get timeoutMs(): number {
    return this.o.timeoutMs;
  }

  /**
   * One write per request: a single string when the head is ASCII (then UTF-8 and Latin-1 agree
   * on it, and the body is UTF-8 text), bytes otherwise (head in Latin-1, as undici writes it).
   */
  private static serialize(head: string, body: string | Buffer, asciiHead: boolean): string | Buffer {
    if (typeof body === 'string' && (asciiHead || ASCII.test(head))) return head + body;
    return Buffer.concat([Buffer.from(head, 'latin1'), typeof body === 'string' ? Buffer.from(body) : body]);
  }

  send(req: OutRequest): Promise<Outcome> {
    return new Promise((resolve) => this.sendCb(req, resolve));
  }

  /** `send` without a promise per request: `done` is called once, never synchronously. */
  sendCb(req: OutRequest, done: (o: Outcome) => void): void {
    const conn = this.idle.pop();
    const t0 = performance.now();
    if (!conn) {
      const error = networkError(new Error('more requests in flight than connections'), this.origin, this.hint);
      queueMicrotask(() => done({ ok: false, error, ms: 0 }));
      return;
    }
    let head = `${req.method} ${req.path} HTTP/1.1\r\nHost: ${this.hostHeader}\r\n`;
    const h = req.headers;
    for (let i = 0; i < h.length; i += 2) head += `${h[i]}: ${h[i + 1]}\r\n`;
    head += `Content-Length: ${Buffer.byteLength(req.body)}\r\n\r\n`;
    conn.send(RawDeliverer.serialize(head, req.body, req.asciiHeaders === true), {
      t0,
      deadline: t0 + this.o.timeoutMs,
      resolve: (o) => {
        this.idle.push(conn);
        done(o);
      },
    });
  }

  private sweep(): void {
    const now = performance.now();
    for (const c of this.all) {
      if (c.pending && now > c.pending.deadline) c.fail(Object.assign(new Error('timed out'), { code: 'UND_ERR_HEADERS_TIMEOUT' }));
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    for (const c of this.all) c.socket?.end();
  }

  async destroy(): Promise<void> {
    clearInterval(this.sweeper);
    for (const c of this.all) c.fail(Object.assign(new Error('interrupted'), { code: 'UND_ERR_ABORTED' }));
  }
}
