import type { IncomingMessage, ServerResponse } from 'node:http';
import { CHECK_HEADER } from '../tunnel/check.js';
import { answerStep, answerTunnelCheck } from './answer.js';
import { readBody } from './body.js';
import { emptyHeaders, iso } from './describe.js';
import type { ListenerEvent, ListenerStats, RejectedRecord } from './events.js';
import type { Exchange } from './exchange.js';
import { mountFor } from './gateway.js';
import { createHttpServer, displayHost, type HttpServer } from './http.js';
import type { Delivery } from './judge.js';
import { checkRequestPath, pathOnly } from './paths.js';
import { answer } from './respond.js';
import { newState, type Flow, type ListenerOptions, type Mount, type State } from './state.js';

export { normalizePath } from './paths.js';
export { viaToken, type ListenerOptions } from './state.js';

export interface Listener {
  /** http://127.0.0.1:4000/path (with mounts: the root, http://127.0.0.1:4000/). */
  url: string;
  /** https://abc.ngrok.app/path when tunnelled (the tunnel's latest), else null. */
  readonly publicUrl: string | null;
  port: number;
  stats: ListenerStats;
  /** Requests admitted and not yet over (answered and handed on). */
  readonly inFlight: number;
  /** Backpressure: stop reading requests (the output is full) and start again. */
  pause(): void;
  resume(): void;
  /**
   * A graceful shutdown: stops accepting, lets every admitted request finish (a --delay answer, a
   * forward, a body being read) for up to `graceMs`, then cuts the rest short; every one of them
   * is answered where the sender is still there, and emitted. Closes the tunnel last.
   */
  close(graceMs?: number): Promise<void>;
  /** Ends the wait of a shutdown at once (a second Ctrl-C). */
  hurry(): void;
}

/**
 * The receiver: a node:http server (http.ts) and a pipeline of named steps over each request —
 * accept (loop, Host, path) → read the body within limits (body.ts) → judge (judge.ts) → answer
 * (at once, injected or forwarded: respond.ts, forward.ts) → describe (describe.ts) → emit, after
 * the answer and in arrival order (after-answer.ts). Each request has one owner (exchange.ts)
 * that ends whatever it started when the sender hangs up or a shutdown stops waiting: nothing a
 * client sends can make it throw.
 */
export async function startListener(opts: ListenerOptions, emit: (e: ListenerEvent) => void): Promise<Listener> {
  const outlet = heldOutlet(emit);
  const s = newState(opts, outlet.send);
  const http = createHttpServer({
    maxBody: opts.maxBody ?? 1024 * 1024, maxConnections: opts.maxConnections, reservedFiles: opts.reservedFiles,
    headersTimeoutMs: opts.headersTimeoutMs, requestTimeoutMs: opts.requestTimeoutMs, now: s.now, closing: () => s.closing,
    onRequest: (req, res) => accept(s, req, res),
    onRejected: (r) => reject(s, ++s.seq, r, s.now()),
    warn: s.warn,
  });
  const host = opts.host ?? '127.0.0.1';
  const port = await http.listen(host, opts.port ?? 4000);
  s.localHostPort = `${displayHost(host)}:${port}`;
  if (opts.tunnel) {
    try {
      s.publicOrigin = await opts.tunnel.start(`http://${s.localHostPort}`);
      // A tunnel that came back on a new URL: Square and Twilio sign that one now.
      opts.tunnel.onUrl?.((origin) => (s.publicOrigin = origin));
    } catch (e) {
      s.closing = true;
      await new Promise((resolve) => http.server.close(resolve));
      await opts.tunnel.close();
      throw e;
    }
  }
  outlet.open();
  return listenerHandle(s, http, port);
}

/** Events wait until startListener has returned (the caller prints its ready line first). */
function heldOutlet(emit: (e: ListenerEvent) => void) {
  let live = false;
  const held: ListenerEvent[] = [];
  // A renderer failing must not take the server down.
  const safeEmit = (e: ListenerEvent) => {
    try {
      emit(e);
    } catch {
      // said nowhere: the renderer is what failed
    }
  };
  const release = () => {
    while (held.length > 0) safeEmit(held.shift()!);
  };
  return {
    send(e: ListenerEvent) {
      if (!live || held.length > 0) held.push(e);
      else safeEmit(e);
    },
    open() {
      live = true;
      if (held.length > 0) setImmediate(release);
    },
  };
}

function reject(s: State, n: number, r: Omit<RejectedRecord, 'type' | 'seq' | 'receivedAt'>, receivedAt: number): void {
  s.stats.rejected++;
  s.send({ kind: 'rejected', record: { type: 'rejected', seq: n, receivedAt: iso(receivedAt), ...r } });
}

/** Step 1, accept: a request forwarded by this listener itself, one without Host, a path outside --path. */
function accept(s: State, req: IncomingMessage, res: ServerResponse): void {
  const x = s.inflight.admit(req, res, s.now());
  if (s.closing) res.shouldKeepAlive = false;
  const method = req.method ?? 'GET';
  const target = req.url ?? '/';
  const refuse = (status: number, text: string, r: Pick<RejectedRecord, 'reason' | 'message'>) => {
    const n = ++s.seq;
    req.resume();
    answer(res, status, text, n, { close: true });
    reject(s, n, { method, path: target, ...r, response: { status } }, x.receivedAt);
    x.end();
  };
  if (req.headers.via?.includes(s.via)) {
    return refuse(508, 'whk: forward loop: this request was forwarded by this listener itself (--forward-to points back at it)\n',
      { reason: 'forward_loop', message: '508: a request this listener forwarded came back to it: --forward-to points at the listener itself' });
  }
  // Square and Twilio sign a URL built from Host: an HTTP/1.1 request without one is malformed (RFC 9112 §3.2).
  if (req.headers.host === undefined && req.httpVersionMajor === 1 && req.httpVersionMinor >= 1) {
    return refuse(400, 'whk: bad request: an HTTP/1.1 request needs a Host header\n', { reason: 'malformed_request', message: '400: an HTTP/1.1 request without a Host header' });
  }
  // One mount (no --mount): its prefix is checked as --path always was; several: the longest that covers the path.
  const only = s.mounts.length === 1 ? s.mounts[0] : undefined;
  const where = checkRequestPath(target, only ? only.prefix : '');
  const mount = where.ok ? only ?? mountFor(s.mounts, where.path) : undefined;
  if (where.ok && mount) return readStep(s, x, mount, where.path);
  if (where.ok || where.status === 404) {
    const served = s.mounts.map((m) => m.path).join(', ');
    return refuse(404, `whk listens on ${served}, not ${pathOnly(target)}\n`, { reason: 'outside_path', message: `404: ${pathOnly(target)} is outside ${s.mounted ? `the mounts (${served})` : `--path ${served}`}` });
  }
  refuse(400, `whk: bad request path: ${where.why}\n`, { reason: 'bad_path', message: `400: ${where.why} (${pathOnly(target).slice(0, 120)})` });
}

/** Step 2, the body within --max-body; a shutdown that stops waiting ends the read. */
function readStep(s: State, x: Exchange, mount: Mount, fwdPath: string): void {
  const { req, res } = x;
  const method = req.method ?? 'GET';
  const target = req.url ?? '/';
  const maxBody = s.o.maxBody ?? 1024 * 1024;
  readBody(req, res, { maxBody }, (o) => {
    if (o.kind === 'body') return judgeStep(s, { x, mount, fwdPath, r: { seq: ++s.seq, receivedAt: x.receivedAt, method, path: target, headers: headerMap(req.rawHeaders), body: o.body } });
    const n = ++s.seq;
    if (o.kind === 'too_large') {
      const limit = formatBytes(maxBody);
      answer(res, 413, `whk: body too large: over the ${limit} limit (--max-body)\n`, n, { close: true });
      reject(s, n, { method, path: target, reason: 'body_too_large', message: `413: body over the ${limit} limit (${o.what}); raise --max-body to accept it`, response: { status: 413 } }, x.receivedAt);
    } else {
      const declared = req.headers['content-length'];
      const what = `${o.received}${declared ? ` of ${declared}` : ''} bytes of the body`;
      const message = x.aborted === 'shutdown' ? `whk shut down while the body was being read (${what}): the shutdown grace ended first` : `the client closed the connection after ${what}`;
      reject(s, n, { method, path: target, reason: 'aborted', message, response: null }, x.receivedAt);
    }
    x.end();
  });
}

/** Step 3, judge: the verdict (null without a secret, or for an endpoint verification by GET). */
function judgeStep(s: State, f: Omit<Flow, 'delivery' | 'verdict'>): void {
  const { r } = f;
  if (s.o.tunnelCheck && r.headers[CHECK_HEADER] === s.o.tunnelCheck.nonce) return answerTunnelCheck(s, f);
  let flow: Flow | undefined;
  try {
    // A GET or HEAD with no signature header is a verification handshake (Meta's hub.challenge,
    // ...): shown, not verified, and forwarded when --forward-to is given.
    const handshake = (r.method === 'GET' || r.method === 'HEAD') && r.body.length === 0 && s.o.registry.detect(r.headers).length === 0;
    const delivery: Delivery = { body: r.body, headers: r.headers, method: r.method, now: Math.floor(r.receivedAt / 1000) };
    const { judge, secrets } = f.mount;
    const verifying = secrets.length > 0 && !handshake;
    if (verifying && judge.needsUrl(r.headers)) delivery.url = signedUrl(s, f.mount, r.headers, r.path);
    const verdict = verifying ? judge.judge(r.seq, delivery, (name) => s.warn(`verifying as ${name} from now on; pass --scheme to choose`)) : null;
    // Named fields, not a spread: spreading `f` cost ~3 µs a delivery (V8's slow path for it).
    flow = { x: f.x, r, mount: f.mount, fwdPath: f.fwdPath, delivery, verdict };
    answerStep(s, flow);
  } catch (e) {
    // A bug of ours, not the client's fault: answer 500, keep serving.
    const message = (e as Error).message;
    answer(f.x.res, 500, `whk: internal error: ${message}\n`, r.seq, { close: true });
    reject(s, r.seq, { method: r.method, path: r.path, reason: 'internal_error', message: `internal error: ${message}`, response: { status: 500 } }, r.receivedAt);
    f.x.end();
  }
}

/** The URL a provider signed (square, twilio): --url, the public URL, else the Host the request names. */
function signedUrl(s: State, mount: Mount, headers: Record<string, string>, reqPath: string): string {
  if (mount.url) return mount.url;
  if (s.publicOrigin) return s.publicOrigin + reqPath;
  return `${headers['x-forwarded-proto'] ?? 'http'}://${headers['x-forwarded-host'] ?? headers.host ?? s.localHostPort}${reqPath}`;
}

function listenerHandle(s: State, http: HttpServer, port: number): Listener {
  // With mounts, the listener's URL is its root; each mount is a path below it.
  const root = s.mounted ? '/' : s.mounts[0]!.path;
  let closed: Promise<void> | undefined;
  let hurry: () => void = () => undefined;
  const hurried = new Promise<void>((resolve) => (hurry = resolve));
  return {
    url: `http://${s.localHostPort}${root}`,
    get publicUrl() {
      return s.publicOrigin ? s.publicOrigin + root : null;
    },
    port,
    stats: s.stats,
    get inFlight() {
      return s.inflight.size;
    },
    pause: () => http.pause(),
    resume: () => http.resume(),
    hurry: () => hurry(),
    close(graceMs = 10_000) {
      closed ??= shutdown(s, http, graceMs, hurried);
      return closed;
    },
  };
}

/**
 * Stop accepting; wait for what was admitted (up to the grace, or a hurry); cut the rest short; let
 * the queue's delivery in flight end within the grace; emit everything.
 */
async function shutdown(s: State, http: HttpServer, graceMs: number, hurried: Promise<void>): Promise<void> {
  const began = s.now();
  s.closing = true;
  s.inflight.closeAfterAnswer();
  http.resume();
  http.server.close();
  http.server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
  await Promise.race([s.inflight.drained(), graceOver, hurried]);
  clearTimeout(timer);
  s.inflight.stopAll('shutdown');
  // What was cut short answers at once; a socket that still will not close is closed for it.
  await Promise.race([s.inflight.drained(), new Promise((resolve) => setTimeout(resolve, 1_000))]);
  http.server.closeAllConnections();
  await s.o.tunnel?.close();
  // The queue's delivery in flight may finish in what is left of the grace: marked, and said.
  if (s.o.queue) {
    await s.o.queue.close(Math.max(0, graceMs - (s.now() - began)), hurried);
    const left = s.o.queue.pending;
    if (left > 0) s.warn(`${left} ${left === 1 ? 'delivery is' : 'deliveries are'} still pending in the queue: the next whk listen --queue with this state folder sends ${left === 1 ? 'it' : 'them'} (whk queue lists ${left === 1 ? 'it' : 'them'})`);
  }
  await s.after.drain();
  await s.diagnoser.close();
}

/** Header names lower-cased, repeated headers joined with ", ", in an object that inherits nothing. */
export function headerMap(raw: string[]): Record<string, string> {
  const h = emptyHeaders();
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!.toLowerCase();
    const prev = h[k];
    h[k] = prev === undefined ? raw[i + 1]! : `${prev}, ${raw[i + 1]}`;
  }
  return h;
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3 && n % 1024 ** 3 === 0) return `${n / 1024 ** 3} GB`;
  if (n >= 1024 ** 2 && n % 1024 ** 2 === 0) return `${n / 1024 ** 2} MB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KB`;
  return `${n} bytes`;
}
