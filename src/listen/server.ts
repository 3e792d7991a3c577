import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { WhkError } from '../errors.js';
import { verify } from '../schemes/core.js';
import { derived, detectScheme, getScheme } from '../schemes/registry.js';
import type { HandshakeAnswer, Verdict } from '../schemes/types.js';
import type { TunnelAdapter } from '../tunnel/types.js';
import { readBody } from './body.js';
import { Dedupe } from './dedupe.js';
import { describe, iso, secretRedactor, type Received } from './describe.js';
import type { ListenerEvent, ListenerStats, RejectedRecord } from './events.js';
import type { EventFilter } from './filter.js';
import type { ForwardResult, Forwarder } from './forward.js';
import { Injector, type InjectOptions } from './inject.js';
import { Diagnoser } from './diagnosis.js';
import { Judge, type Delivery } from './judge.js';
import { checkRequestPath, normalizePath, pathOnly } from './paths.js';
import { answer, failText, invalidText, relay } from './respond.js';

export { normalizePath } from './paths.js';

export interface ListenerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Path prefix to receive on; other paths get 404. */
  path?: string;
  /** A scheme name, or 'auto' to detect it from the headers (fixed by the first valid delivery). */
  scheme?: string;
  /** No secret: events are shown, not verified. */
  secrets?: string[];
  /** Other environments' secrets, for the no-match diagnosis only (named, never shown). */
  otherSecrets?: Array<{ label: string; secret: string }>;
  /** Seconds; default: the scheme's own. */
  tolerance?: number;
  /** The URL the provider signs (square, twilio): default the public URL, else Host + path. */
  url?: string;
  /** Bytes; larger bodies get 413. */
  maxBody?: number;
  /** Answer to accepted events. */
  status?: number;
  events?: EventFilter;
  forward?: Forwarder;
  /** Methods passed to --forward-to (default POST and GET); others get 405. */
  forwardMethods?: readonly string[];
  inject?: InjectOptions;
  tunnel?: TunnelAdapter;
  /** Connections open at once (default 1,000); more are refused, and said so. */
  maxConnections?: number;
  /** How many event ids duplicate detection remembers. */
  dedupeMemory?: number;
  /** Slow clients: all headers within this long (ms). */
  headersTimeoutMs?: number;
  /** Slow clients: the whole request within this long (ms). */
  requestTimeoutMs?: number;
  /** This listener's token in `Via` (forwarded requests carry it; one coming back is a loop). */
  via?: string;
  /** For tests: the wall clock (ms since the epoch). */
  now?: () => number;
}

export interface Listener {
  /** http://127.0.0.1:4000/path */
  url: string;
  /** https://abc.ngrok.app/path when tunnelled, else null. */
  publicUrl: string | null;
  port: number;
  stats: ListenerStats;
  /** Backpressure: stop reading requests (the output is full) and start again. */
  pause(): void;
  resume(): void;
  /** Stops accepting, lets answers in flight finish (up to graceMs), emits what is left, closes the tunnel. */
  close(graceMs?: number): Promise<void>;
}

/** A fresh token for `Via`: `1.1 whk-<random>`. */
export const viaToken = () => `1.1 whk-${randomBytes(6).toString('hex')}`;

/**
 * The receiver: a node:http server wiring the steps together — the path checked, the body read
 * within limits (body.ts), judged (judge.ts), answered (respond.ts: at once, injected or
 * forwarded), then described (describe.ts) and emitted as one typed event per request, after
 * the answer and in arrival order. Nothing a client sends can make it throw: every path ends in
 * an answer or a closed socket.
 */
export async function startListener(opts: ListenerOptions, emit: (e: ListenerEvent) => void): Promise<Listener> {
  const host = opts.host ?? '127.0.0.1';
  const path = normalizePath(opts.path ?? '/');
  const prefix = path.replace(/\/+$/, '');
  const secrets = opts.secrets ?? [];
  const judge = new Judge({ scheme: opts.scheme ?? 'auto', secrets, tolerance: opts.tolerance, otherSecrets: opts.otherSecrets });
  const maxBody = opts.maxBody ?? 1024 * 1024;
  const okStatus = opts.status ?? 200;
  const injector = opts.inject ? new Injector(opts.inject) : undefined;
  const delayMs = opts.inject?.delayMs ?? 0;
  const now = opts.now ?? Date.now;
  const via = opts.via ?? viaToken();
  const forwardMethods = new Set((opts.forwardMethods ?? ['POST', 'GET']).map((m) => m.toUpperCase()));
  const stats: ListenerStats = { events: 0, valid: 0, invalid: 0, unverified: 0, duplicates: 0, filtered: 0, forwarded: 0, forwardFailed: 0, rejected: 0 };
  const ctx = { scheme: () => judge.scheme, dedupe: new Dedupe(opts.dedupeMemory), events: opts.events, redact: secretRedactor([...secrets, ...(opts.otherSecrets ?? []).map((o) => o.secret)]), stats };
  const pending = new Set<NodeJS.Timeout>();
  let seq = 0;
  let closing = false;
  let publicOrigin: string | null = null;
  let localHostPort = '';

  // Events wait until startListener has returned (the caller prints its ready line first).
  let live = false;
  const held: ListenerEvent[] = [];
  const send = (e: ListenerEvent) => {
    if (!live || held.length > 0) {
      held.push(e);
      return;
    }
    try {
      emit(e);
    } catch {
      // a renderer failing must not take the server down
    }
  };
  const release = () => {
    while (held.length > 0) {
      try {
        emit(held.shift()!);
      } catch {
        // as above
      }
    }
  };
  const warn = (message: string) => send({ kind: 'warning', message });

  const reject = (n: number, r: Omit<RejectedRecord, 'type' | 'seq' | 'receivedAt'>, receivedAt: number) => {
    stats.rejected++;
    send({ kind: 'rejected', record: { type: 'rejected', seq: n, receivedAt: iso(receivedAt), ...r } });
  };

  // After the answer: describing runs in arrival order, a slice of at most ~5 ms at a time, so
  // that answering new requests never waits long behind it. A job may wait for something (the
  // diagnosis of a no_match, in a worker thread): the jobs behind it wait too, keeping the order.
  const later: Array<{ run: () => void; ready: boolean }> = [];
  let scheduled = false;
  const runLater = (all = false) => {
    scheduled = false;
    const until = performance.now() + 5;
    while (later.length > 0 && later[0]!.ready && (all || performance.now() < until)) {
      const job = later.shift()!;
      try {
        job.run();
      } catch (e) {
        // A bug of ours while describing an event already answered: say so, keep serving.
        warn(`internal error while showing an event: ${(e as Error).message}`);
      }
    }
    if (later.length > 0 && later[0]!.ready) schedule();
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(runLater);
  };
  const waiting = new Set<Promise<unknown>>();
  const defer = (run: () => void, wait?: Promise<unknown>) => {
    const job = { run, ready: wait === undefined };
    later.push(job);
    if (wait) {
      waiting.add(wait);
      void wait.then(() => {
        waiting.delete(wait);
        job.ready = true;
        schedule();
      });
    } else {
      schedule();
    }
  };

  const diagnoser = new Diagnoser({ inline: (scheme, input) => verify(scheme, input) });
  const wantsDiagnosis = (v: Verdict | null): v is Verdict => v !== null && !v.valid && v.reason === 'no_match';

  const signedUrl = (headers: Record<string, string>, reqPath: string) =>
    opts.url ?? (publicOrigin
      ? publicOrigin + reqPath
      : `${headers['x-forwarded-proto'] ?? 'http'}://${headers['x-forwarded-host'] ?? headers.host ?? localHostPort}${reqPath}`);

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const receivedAt = now();
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    res.on('error', () => undefined);
    req.on('error', () => undefined);
    if (req.headers.via?.includes(via)) {
      const n = ++seq;
      answer(res, 508, 'whk: forward loop: this request was forwarded by this listener itself (--forward-to points back at it)\n', n, { close: true });
      req.resume();
      reject(n, { method, path: target, reason: 'forward_loop', message: '508: a request this listener forwarded came back to it: --forward-to points at the listener itself', response: { status: 508 } }, receivedAt);
      return;
    }
    const where = checkRequestPath(target, prefix);
    if (!where.ok) {
      const n = ++seq;
      req.resume();
      if (where.status === 404) {
        answer(res, 404, `whk listens on ${path}, not ${pathOnly(target)}\n`, n, { close: true });
        reject(n, { method, path: target, reason: 'outside_path', message: `404: ${pathOnly(target)} is outside --path ${path}`, response: { status: 404 } }, receivedAt);
      } else {
        answer(res, 400, `whk: bad request path: ${where.why}\n`, n, { close: true });
        reject(n, { method, path: target, reason: 'bad_path', message: `400: ${where.why} (${pathOnly(target).slice(0, 120)})`, response: { status: 400 } }, receivedAt);
      }
      return;
    }
    readBody(req, res, { maxBody }, (o) => {
      if (o.kind === 'too_large') {
        const limit = formatBytes(maxBody);
        const n = ++seq;
        answer(res, 413, `whk: body too large: over the ${limit} limit (--max-body)\n`, n, { close: true });
        reject(n, { method, path: target, reason: 'body_too_large', message: `413: body over the ${limit} limit (${o.what}); raise --max-body to accept it`, response: { status: 413 } }, receivedAt);
      } else if (o.kind === 'aborted') {
        if (closing) return;
        const declared = req.headers['content-length'];
        reject(++seq, { method, path: target, reason: 'aborted', message: `the client closed the connection after ${o.received}${declared ? ` of ${declared}` : ''} bytes of the body`, response: null }, receivedAt);
      } else {
        try {
          handle(res, { seq: ++seq, receivedAt, method, path: target, headers: headerMap(req.rawHeaders), body: o.body }, where.path);
        } catch (e) {
          // A bug of ours, not the client's fault: answer 500 and keep serving.
          const n = ++seq;
          answer(res, 500, `whk: internal error: ${(e as Error).message}\n`, n, { close: true });
          reject(n, { method, path: target, reason: 'internal_error', message: `internal error: ${(e as Error).message}`, response: { status: 500 } }, receivedAt);
        }
      }
    });
  }

  const fastPath = !opts.events && !opts.forward && !injector && delayMs === 0;

  /** Answers one delivery and arranges for its event; `fwdPath` is the normalized path. */
  function handle(res: ServerResponse, r: Received, fwdPath: string) {
    const n = r.seq;
    const { headers, body, method } = r;
    // A GET or HEAD with no signature header is a verification handshake (Meta's hub.challenge,
    // ...): shown, not verified, and forwarded when --forward-to is given.
    const handshake = (method === 'GET' || method === 'HEAD') && body.length === 0 && !hasSignature(headers);
    const delivery: Delivery = { body, headers, method, now: Math.floor(r.receivedAt / 1000) };
    if (secrets.length > 0 && !handshake && judge.needsUrl(headers)) delivery.url = signedUrl(headers, r.path);
    let verdict = secrets.length > 0 && !handshake ? judge.judge(n, delivery, (s) => warn(`verifying as ${s} from now on; pass --scheme to choose`)) : null;
    const accepted = verdict === null || verdict.valid;
    // The provider's endpoint verification, answered here when nothing is forwarded.
    const hs = accepted && !opts.forward ? handshakeAnswer(r, verdict) : undefined;
    if (hs) {
      const finish = () => {
        answer(res, hs.status, hs.body, n, { contentType: hs.contentType, headers: ['x-content-type-options', 'nosniff'] });
        const message = describe(ctx, r, verdict);
        message.record.response.status = hs.status;
        message.record.handshake = hs.what;
        send(message);
      };
      if (delayMs > 0) afterDelay(finish);
      else finish();
      return;
    }

    if (!accepted || fastPath) {
      const status = accepted ? okStatus : 401;
      const finish = () => {
        answer(res, status, accepted ? undefined : invalidText(verdict!), n);
        let diagnosis: Promise<unknown> | undefined;
        if (wantsDiagnosis(verdict)) {
          const call = judge.diagnosisCall(verdict, delivery);
          diagnosis = diagnoser.diagnose(verdict, call.scheme, call.input).then((v) => (verdict = v));
        }
        defer(() => {
          const message = describe(ctx, r, verdict);
          message.record.response.status = status;
          send(message);
        }, diagnosis);
      };
      if (delayMs > 0 && !accepted) afterDelay(finish);
      else finish();
      return;
    }

    // The answer depends on the event: its type (--events), its id (--fail-first), your app.
    const message = describe(ctx, r, verdict);
    const { record } = message;
    const finish = (status: number, text?: string, extra?: string[]) => {
      record.response.status = status;
      answer(res, status, text, n, { headers: extra });
      send(message);
    };
    const injected = injector ? injector.decide(record.eventId === null ? null : `${record.scheme ?? ''}\n${record.eventId}`, body) : undefined;
    if (injected) record.injected = injected;
    const onForward = (f: ForwardResult) => {
      if (!f.ok) {
        stats.forwardFailed++;
        record.forward = { error: f.error, ms: f.ms };
        message.forward = { url: f.url, status: f.status, ms: f.ms, error: f.error };
        return finish(f.status, `whk: ${f.error}\n`);
      }
      stats.forwarded++;
      record.forward = { status: f.status, ms: f.ms };
      record.response.status = f.status;
      void relay(res, f, n).then(({ preview, error }) => {
        message.forward = { url: f.url, status: f.status, ms: f.ms, ...(preview ? { body: preview } : {}), ...(error ? { error } : {}) };
        send(message);
      });
    };
    const respond = () => {
      if (injected?.drop) {
        res.destroy();
        send(message);
        return;
      }
      if (injected?.fail) return finish(500, failText(injected, opts.inject!));
      if (record.filtered || !opts.forward) return finish(okStatus);
      if (!forwardMethods.has(method)) {
        return finish(405, `whk: ${method} is not forwarded (--forward-methods ${[...forwardMethods].join(',')})\n`, ['allow', [...forwardMethods].join(', ')]);
      }
      opts.forward({ method, path: fwdPath, headers, body }).then(onForward, (e) =>
        onForward({ ok: false, url: '', status: 502, error: `forward failed: ${(e as Error).message}`, code: 'internal', ms: 0 }));
    };
    if (delayMs > 0) afterDelay(respond);
    else respond();
  }


  /**
   * A provider's endpoint verification: asked of the scheme that judged the delivery valid, or,
   * unverified (no secret, or a GET handshake), of the scheme in use or else every scheme that
   * has one.
   */
  function handshakeAnswer(r: Received, verdict: Verdict | null): HandshakeAnswer | undefined {
    const schemes = verdict ? [getScheme(verdict.scheme)] : judge.scheme ? [judge.scheme] : withHandshake();
    if (!schemes.some((s) => s.handshake)) return undefined;
    const req = { method: r.method, query: new URL(r.path, 'http://x').searchParams, headers: r.headers, body: r.body, secrets };
    for (const s of schemes) {
      try {
        const a = s.handshake?.(req);
        if (a) return a;
      } catch {
        // A request a handshake cannot read is not one.
      }
    }
    return undefined;
  }

  /** --delay: run `job` after the delay (abandoned if the listener closes first). */
  function afterDelay(job: () => void) {
    const t = setTimeout(() => {
      pending.delete(t);
      job();
    }, delayMs);
    pending.add(t);
  }

  const server: Server = createServer({
    requestTimeout: opts.requestTimeoutMs ?? 30_000,
    headersTimeout: Math.min(opts.headersTimeoutMs ?? 10_000, opts.requestTimeoutMs ?? 30_000),
    connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor((opts.headersTimeoutMs ?? 10_000) / 4))),
    keepAliveTimeout: 5_000,
    requireHostHeader: false,
  }, onRequest);

  // Expect: 100-continue with a declared body over the limit gets its 413 without `100 Continue`.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const declared = req.headers['content-length'];
    if (declared === undefined || Number(declared) <= maxBody) res.writeContinue();
    onRequest(req, res);
  });

  // Connections: capped, and the cap (or the process's file limit) said once when hit.
  const fileLimit = openFileLimit();
  const cap = Math.max(1, Math.min(opts.maxConnections ?? 1000, fileLimit === undefined ? Infinity : fileLimit - 64));
  server.maxConnections = cap;
  let capWarned = 0;
  server.on('drop', () => {
    const t = now();
    if (t - capWarned < 10_000) return;
    capWarned = t;
    const byFiles = fileLimit !== undefined && cap === fileLimit - 64;
    warn(byFiles
      ? `refusing connections: ${cap} open, near this process's open-file limit (${fileLimit}; raise it with ulimit -n)`
      : `refusing connections: ${cap} open at once (--max-connections ${cap})`);
  });
  const sockets = new Set<Socket>();
  let paused = false;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    if (paused) s.pause();
  });

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const code = err.code ?? '';
    if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'HPE_INVALID_EOF_STATE' || !socket.writable) {
      // The client went away. Mid-body, the request's own 'close' reports it as aborted; mid-headers
      // (no request in flight on this socket: node's internal _httpMessage) it is reported here.
      socket.destroy();
      if (code === 'HPE_INVALID_EOF_STATE' && !(socket as { _httpMessage?: unknown })._httpMessage && !closing) {
        reject(++seq, { method: null, path: null, reason: 'aborted', message: 'the client closed the connection in the middle of the request headers', response: null }, now());
      }
      return;
    }
    const [status, reason, what] =
      code === 'HPE_HEADER_OVERFLOW' ? [431, 'headers_too_large', 'headers larger than 16 KB'] as const
      : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'timeout', 'the client was too slow sending the request'] as const
      : [400, 'malformed_request', `malformed request (${code || err.message})`] as const;
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroySoon?.();
    reject(++seq, { method: null, path: null, reason, message: `${status}: ${what}`, response: { status } }, now());
  });
  server.on('error', (e) => warn(`server error: ${e.message}`));

  await new Promise<void>((resolve, rejectListen) => {
    const onError = (e: NodeJS.ErrnoException) => rejectListen(bindError(e, host, opts.port ?? 4000));
    server.once('error', onError);
    server.listen({ port: opts.port ?? 4000, host }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  localHostPort = `${displayHost(host)}:${port}`;
  const url = `http://${localHostPort}${path}`;

  const closeServer = (graceMs: number) =>
    new Promise<void>((resolve) => {
      for (const t of pending) clearTimeout(t);
      pending.clear();
      for (const s of sockets) s.resume();
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
      server.closeIdleConnections();
    });

  if (opts.tunnel) {
    try {
      publicOrigin = await opts.tunnel.start(`http://${localHostPort}`);
    } catch (e) {
      closing = true;
      await closeServer(0);
      await opts.tunnel.close();
      throw e;
    }
  }

  live = true;
  if (held.length > 0) setImmediate(release);
  return {
    url,
    publicUrl: publicOrigin ? publicOrigin + path : null,
    port,
    stats,
    pause() {
      if (paused) return;
      paused = true;
      for (const s of sockets) s.pause();
    },
    resume() {
      if (!paused) return;
      paused = false;
      for (const s of sockets) s.resume();
    },
    async close(graceMs = 1000) {
      if (closing) return;
      closing = true;
      // Answers in flight finish (up to graceMs); delayed answers not yet given are abandoned;
      // every answered request is still emitted.
      await Promise.all([closeServer(graceMs), opts.tunnel?.close()]);
      await Promise.all(waiting);
      runLater(true);
      await diagnoser.close();
      release();
    },
  };
}

/** Whether any known scheme's signature header is present. */
const hasSignature = (headers: Record<string, string>) => detectScheme(headers).length > 0;

/** The schemes that answer an endpoint verification. */
const withHandshake = derived((list) => list.filter((s) => s.handshake));

/** Header names lower-cased, repeated headers joined with ", ", in a prototype-free object. */
export function headerMap(raw: string[]): Record<string, string> {
  const h = Object.create(null) as Record<string, string>;
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!.toLowerCase();
    const prev = h[k];
    h[k] = prev === undefined ? raw[i + 1]! : `${prev}, ${raw[i + 1]}`;
  }
  return h;
}

/** The soft limit on open files (Linux /proc), or undefined where it cannot be read. */
function openFileLimit(): number | undefined {
  try {
    const m = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3 && n % 1024 ** 3 === 0) return `${n / 1024 ** 3} GB`;
  if (n >= 1024 ** 2 && n % 1024 ** 2 === 0) return `${n / 1024 ** 2} MB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KB`;
  return `${n} bytes`;
}

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function bindError(e: NodeJS.ErrnoException, host: string, port: number): WhkError {
  switch (e.code) {
    case 'EADDRINUSE':
      return new WhkError('port_in_use', `port ${port} is already in use on ${host}: stop the other server or pick another port (--port 0 picks a free one)`, 2);
    case 'EACCES':
      return new WhkError('port_denied', `permission denied to listen on port ${port}: use a port above 1023 (--port 0 picks a free one)`, 2);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new WhkError('bad_host', `cannot listen on --host ${host}: no such address on this machine`, 2);
    default:
      return new WhkError('listen_failed', `cannot listen on ${host}:${port}: ${e.message}`, 2);
  }
}
