import { isUtf8 } from 'node:buffer';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { verdictJson } from '../render/verdict.js';
import type { EventRecord } from '../record.js';
import { verify } from '../schemes/core.js';
import { WhkError } from '../schemes/errors.js';
import { detectScheme, getScheme } from '../schemes/registry.js';
import { REASONS, type Invalid, type Scheme, type Verdict } from '../schemes/types.js';
import type { TunnelAdapter } from '../tunnel/types.js';
import { Dedupe } from './dedupe.js';
import type { EventMessage, ListenerEvent, ListenerStats, RejectedRecord } from './events.js';
import type { EventFilter } from './filter.js';
import type { ForwardResult, Forwarder } from './forward.js';
import { Injector, type InjectOptions, type Injected } from './inject.js';

export interface ListenerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Path prefix to receive on; other paths get 404. */
  path?: string;
  /** A scheme name, or 'auto' to detect it from the headers. */
  scheme?: string;
  /** No secret: events are shown, not verified. */
  secrets?: string[];
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
  inject?: InjectOptions;
  tunnel?: TunnelAdapter;
  /** How many event ids duplicate detection remembers. */
  dedupeMemory?: number;
  /** Slow clients: all headers within this long (ms). */
  headersTimeoutMs?: number;
  /** Slow clients: the whole request within this long (ms). */
  requestTimeoutMs?: number;
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
  /** Stops accepting, lets answers in flight finish (up to graceMs), closes the tunnel. */
  close(graceMs?: number): Promise<void>;
}

/**
 * The receiver: a node:http server that reads the raw body bytes, judges them with the scheme
 * core, answers at once (before anything is rendered), then emits one typed event per request.
 * Nothing a client sends can make it throw: every path ends in an answer or a closed socket.
 */
export async function startListener(opts: ListenerOptions, emit: (e: ListenerEvent) => void): Promise<Listener> {
  const host = opts.host ?? '127.0.0.1';
  const path = normalizePath(opts.path ?? '/');
  const prefix = path.replace(/\/+$/, '');
  const secrets = opts.secrets ?? [];
  const schemeName = !opts.scheme || opts.scheme === 'auto' ? 'auto' : getScheme(opts.scheme).name;
  const fixedScheme: Scheme | undefined = schemeName === 'auto' ? undefined : getScheme(schemeName);
  const maxBody = opts.maxBody ?? 1024 * 1024;
  const okStatus = opts.status ?? 200;
  const dedupe = new Dedupe(opts.dedupeMemory);
  const injector = opts.inject ? new Injector(opts.inject) : undefined;
  const delayMs = opts.inject?.delayMs ?? 0;
  const now = opts.now ?? Date.now;
  const secretSet = new Set(secrets.filter((s) => s.length >= 6));
  const shortestSecret = Math.min(...[...secretSet].map((s) => s.length));
  const stats: ListenerStats = { events: 0, valid: 0, invalid: 0, unverified: 0, duplicates: 0, filtered: 0, forwarded: 0, forwardFailed: 0, rejected: 0 };
  const pending = new Set<NodeJS.Timeout>();
  let seq = 0;
  let closing = false;
  let publicOrigin: string | null = null;
  let localHostPort = '';

  // Events wait until startListener has returned (the caller prints its ready line first).
  let live = false;
  const held: ListenerEvent[] = [];
  const send = (e: ListenerEvent) => {
    if (closing) return;
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
    while (held.length > 0 && !closing) {
      try {
        emit(held.shift()!);
      } catch {
        // as above
      }
    }
  };

  const reject = (n: number, r: Omit<RejectedRecord, 'type' | 'seq' | 'receivedAt'>, receivedAt: number) => {
    stats.rejected++;
    send({ kind: 'rejected', record: { type: 'rejected', seq: n, receivedAt: iso(receivedAt), ...r } });
  };

  const judge = (body: Buffer, headers: Record<string, string>, reqPath: string): Verdict => {
    const url = opts.url ?? (needsUrl(fixedScheme, headers) ? signedUrl(headers, reqPath) : undefined);
    try {
      return verify(fixedScheme ?? 'auto', { body, headers, secrets, tolerance: opts.tolerance, url });
    } catch (e) {
      const code = e instanceof WhkError ? e.code : 'internal';
      const reason = (REASONS as readonly string[]).includes(code) && code !== 'ok' ? (code as Invalid['reason']) : 'bad_secret';
      return { valid: false, reason, scheme: fixedScheme?.name ?? 'auto', message: (e as Error).message };
    }
  };

  const signedUrl = (headers: Record<string, string>, reqPath: string) =>
    publicOrigin
      ? publicOrigin + reqPath
      : `${headers['x-forwarded-proto'] ?? 'http'}://${headers['x-forwarded-host'] ?? headers.host ?? localHostPort}${reqPath}`;

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const receivedAt = now();
    const method = req.method ?? 'GET';
    const reqPath = req.url ?? '/';
    if (prefix !== '' && !underPath(reqPath, prefix)) {
      const n = ++seq;
      answer(res, 404, `whk listens on ${path}, not ${pathOnly(reqPath)}\n`, n, true);
      reject(n, { method, path: reqPath, reason: 'outside_path', message: `404: ${pathOnly(reqPath)} is outside --path ${path}`, response: { status: 404 } }, receivedAt);
      return;
    }
    const headers = headerMap(req.rawHeaders);
    const declared = headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBody) {
      tooLarge(res, method, reqPath, receivedAt, `${declared} bytes declared`);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > maxBody) {
        over = true;
        chunks.length = 0;
        tooLarge(res, method, reqPath, receivedAt, `more than ${size} bytes sent`);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (over) return;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      try {
        handle(res, method, reqPath, headers, body, receivedAt);
      } catch (e) {
        // A bug of ours, not the client's fault: answer 500 and keep serving.
        const n = ++seq;
        answer(res, 500, `whk: internal error: ${(e as Error).message}\n`, n, true);
        reject(n, { method, path: reqPath, reason: 'internal_error', message: `internal error: ${(e as Error).message}`, response: { status: 500 } }, receivedAt);
      }
    });
    req.on('close', () => {
      if (!req.complete && !over && !closing) {
        reject(++seq, { method, path: reqPath, reason: 'aborted', message: `the client closed the connection after ${size}${declared ? ` of ${declared}` : ''} bytes of the body`, response: null }, receivedAt);
      }
    });
  }

  function tooLarge(res: ServerResponse, method: string, reqPath: string, receivedAt: number, what: string) {
    const limit = formatBytes(maxBody);
    const n = ++seq;
    answer(res, 413, `whk: body too large: over the ${limit} limit (--max-body)\n`, n, true);
    reject(n, { method, path: reqPath, reason: 'body_too_large', message: `413: body over the ${limit} limit (${what}); raise --max-body to accept it`, response: { status: 413 } }, receivedAt);
  }

  /**
   * The event for a delivery: the body decoded and parsed once, the scheme's event type and id,
   * duplicate and filter marks, counters. `status` is filled in when answered.
   */
  function describe(n: number, method: string, reqPath: string, headers: Record<string, string>, body: Buffer, receivedAt: number, verdict: Verdict | null): EventMessage {
    const accepted = verdict === null || verdict.valid;
    const utf8 = body.length === 0 || isUtf8(body);
    const text = utf8 ? body.toString('utf8') : undefined;
    let parsed: unknown;
    let jsonError: string | undefined;
    if (text !== undefined && text.length > 0) {
      const c = text.charCodeAt(0);
      if (c === 123 /* { */ || c === 91 /* [ */ || /^\s*[[{]/.test(text.slice(0, 64))) {
        try {
          parsed = JSON.parse(text);
        } catch (e) {
          jsonError = (e as Error).message;
        }
      } else if (/x-www-form-urlencoded/i.test(headers['content-type'] ?? '')) {
        parsed = Object.fromEntries(new URLSearchParams(text));
      }
    }

    // Which scheme, and where it keeps the event type and id.
    const scheme = fixedScheme ?? (verdict && verdict.scheme !== 'auto' ? getScheme(verdict.scheme) : firstDetected(headers));
    let eventType: string | null = null;
    let eventId: string | null = null;
    if (scheme?.eventInfo) {
      try {
        const info = scheme.eventInfo(headers, parsed);
        if (typeof info.type === 'string') eventType = info.type;
        if (typeof info.id === 'string') eventId = info.id;
      } catch {
        // a body of an unexpected shape: no type, no id
      }
    }
    const sName = scheme?.name ?? null;
    // Only accepted deliveries are checked and remembered: an invalid one proves nothing about its id.
    const duplicateOf = eventId === null || !accepted ? undefined : dedupe.check(sName, eventId);
    if (eventId !== null && duplicateOf === undefined && accepted) dedupe.remember(sName, eventId, n);
    // Only accepted events are filtered: an invalid one gets its 401 and is shown in full.
    const filtered = accepted && opts.events !== undefined && !opts.events.matches(eventType);

    const record: EventRecord = {
      type: 'event',
      seq: n,
      receivedAt: iso(receivedAt),
      method,
      path: reqPath,
      headers: secretSet.size > 0 ? redact(headers, secretSet, shortestSecret) : headers,
      body: text ?? body.toString('base64'),
      bodyEncoding: utf8 ? 'utf8' : 'base64',
      scheme: sName ?? (verdict && verdict.scheme !== 'auto' ? verdict.scheme : null),
      verdict: verdict === null ? null : verdictJson(verdict),
      eventType,
      eventId,
      duplicate: duplicateOf !== undefined,
      ...(duplicateOf !== undefined ? { duplicateOf } : {}),
      filtered,
      response: { status: 0 },
    };
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const o = parsed as { deliveryAttempt?: unknown; retryOf?: unknown };
      if (typeof o.deliveryAttempt === 'number') record.deliveryAttempt = o.deliveryAttempt;
      if (typeof o.retryOf === 'string') record.retryOf = o.retryOf;
    }
    const message: EventMessage = { kind: 'event', record, verdict };
    if (parsed !== undefined) message.parsed = parsed;
    if (jsonError !== undefined) message.jsonError = jsonError;

    stats.events++;
    if (verdict === null) stats.unverified++;
    else if (verdict.valid) stats.valid++;
    else stats.invalid++;
    if (record.duplicate) stats.duplicates++;
    if (filtered) stats.filtered++;
    return message;
  }

  // Answer first, render after: when the answer depends on the verdict alone, the sender gets it
  // at once and the event is described and emitted after the I/O of this turn of the event
  // loop, in arrival order, a batch at a time.
  const later: Array<() => void> = [];
  const runLater = () => {
    const batch = later.splice(0, later.length);
    for (const job of batch) {
      try {
        job();
      } catch (e) {
        // A bug of ours while describing an event already answered: say so, keep serving.
        send({ kind: 'warning', message: `internal error while showing an event: ${(e as Error).message}` });
      }
    }
  };
  const defer = (job: () => void) => {
    if (later.push(job) === 1) setImmediate(runLater);
  };
  const fastPath = !opts.events && !opts.forward && !injector && delayMs === 0;

  function handle(res: ServerResponse, method: string, reqPath: string, headers: Record<string, string>, body: Buffer, receivedAt: number) {
    const n = ++seq;
    const verdict = secrets.length > 0 ? judge(body, headers, reqPath) : null;
    const accepted = verdict === null || verdict.valid;

    if (fastPath) {
      const status = accepted ? okStatus : 401;
      answer(res, status, accepted ? undefined : invalidText(verdict!), n, false);
      defer(() => {
        const message = describe(n, method, reqPath, headers, body, receivedAt, verdict);
        message.record.response.status = status;
        send(message);
      });
      return;
    }

    // The answer depends on the event: its type (--events), its id (--fail-first), your app.
    const message = describe(n, method, reqPath, headers, body, receivedAt, verdict);
    const { record } = message;
    const finish = (status: number, text?: string | Buffer, extra?: Record<string, string>) => {
      record.response.status = status;
      answer(res, status, text, n, false, extra);
      send(message);
    };
    const injected = accepted && injector ? injector.decide(record.eventId === null ? null : `${record.scheme ?? ''}\n${record.eventId}`, body) : undefined;
    if (injected) record.injected = injected;
    const relay = (r: ForwardResult) => {
      if (r.ok) {
        stats.forwarded++;
        record.forward = { status: r.status, ms: r.ms };
        message.forward = { url: r.url, status: r.status, ms: r.ms, ...(r.body.length > 0 ? { body: r.body.subarray(0, 512).toString('utf8') } : {}) };
        finish(r.status, r.body, r.headers);
      } else {
        stats.forwardFailed++;
        record.forward = { error: r.error, ms: r.ms };
        message.forward = { url: r.url, status: r.status, ms: r.ms, error: r.error };
        finish(r.status, `whk: ${r.error}\n`);
      }
    };
    const respond = () => {
      if (!accepted) return finish(401, invalidText(verdict!));
      if (injected?.drop) {
        res.destroy();
        send(message);
        return;
      }
      if (injected?.fail) return finish(500, failText(injected, opts.inject!));
      if (record.filtered || !opts.forward) return finish(okStatus);
      opts.forward({ method, path: reqPath, headers, body }).then(relay, (e) =>
        relay({ ok: false, url: '', status: 502, error: `forward failed: ${(e as Error).message}`, code: 'internal', ms: 0 }));
    };
    if (delayMs > 0) {
      const t = setTimeout(() => {
        pending.delete(t);
        respond();
      }, delayMs);
      pending.add(t);
    } else {
      respond();
    }
  }

  const server: Server = createServer({
    requestTimeout: opts.requestTimeoutMs ?? 30_000,
    headersTimeout: Math.min(opts.headersTimeoutMs ?? 10_000, opts.requestTimeoutMs ?? 30_000),
    connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor((opts.headersTimeoutMs ?? 10_000) / 4))),
    keepAliveTimeout: 5_000,
    requireHostHeader: false,
  }, onRequest);

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
  server.on('error', (e) => send({ kind: 'warning', message: `server error: ${e.message}` }));

  await new Promise<void>((resolve, rejectListen) => {
    const onError = (e: NodeJS.ErrnoException) => rejectListen(bindError(e, host, opts.port ?? 4000));
    server.once('error', onError);
    server.listen({ port: opts.port ?? 4000, host }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  const shownHost = displayHost(host);
  localHostPort = `${shownHost}:${port}`;
  const url = `http://${localHostPort}${path}`;

  const closeServer = (graceMs: number) =>
    new Promise<void>((resolve) => {
      for (const t of pending) clearTimeout(t);
      pending.clear();
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
    async close(graceMs = 1000) {
      if (closing) return;
      // Answered events are still emitted; delayed answers not yet given are abandoned.
      runLater();
      release();
      closing = true;
      await Promise.all([closeServer(graceMs), opts.tunnel?.close()]);
    },
  };
}

let lastMs = -1;
let lastIso = '';
/** ISO time of a millisecond timestamp (the last one cached: bursts share a millisecond). */
const iso = (ms: number) => (ms === lastMs ? lastIso : ((lastMs = ms), (lastIso = new Date(ms).toISOString())));

/** Writes the answer unless the client is gone. `close` ends the connection after it. */
function answer(res: ServerResponse, status: number, body: string | Buffer | undefined, seq: number, close: boolean, extra?: Record<string, string>) {
  if (res.headersSent || res.destroyed) return;
  const h: string[] = ['x-whk-seq', String(seq)];
  if (body !== undefined && extra?.['content-type'] === undefined) h.push('content-type', 'text/plain; charset=utf-8');
  if (close) h.push('connection', 'close');
  if (extra) for (const k in extra) h.push(k, extra[k]!);
  try {
    res.writeHead(status, h);
    res.end(body);
  } catch {
    res.destroy();
  }
}

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

/** Header values equal to, or containing, a secret: replaced, so recordings never hold one. */
function redact(headers: Record<string, string>, secrets: Set<string>, shortest: number): Record<string, string> {
  let out: Record<string, string> | undefined;
  for (const k in headers) {
    const v = headers[k]!;
    if (v.length < shortest) continue;
    for (const s of secrets) {
      if (v.includes(s)) {
        out ??= Object.assign(Object.create(null) as Record<string, string>, headers);
        out[k] = '[redacted: contains the secret]';
        break;
      }
    }
  }
  return out ?? headers;
}

function needsUrl(fixed: Scheme | undefined, headers: Record<string, string>): boolean {
  if (fixed) return Boolean(fixed.needsUrl);
  return detectScheme(headers).some((n) => getScheme(n).needsUrl);
}

function firstDetected(headers: Record<string, string>): Scheme | undefined {
  const name = detectScheme(headers)[0];
  return name === undefined ? undefined : getScheme(name);
}

const invalidText = (v: Verdict) => `whk: invalid signature (${v.reason}): ${v.message.replace(/[\r\n]+/g, ' ')}\n`;

function failText(i: Injected, o: InjectOptions): string {
  return i.fail === 'fail-first'
    ? `whk: injected failure (--fail-first ${o.failFirst}): delivery ${i.attempt} of this event\n`
    : `whk: injected failure (--fail-rate ${o.failRate})\n`;
}

export function normalizePath(p: string): string {
  const withSlash = p.startsWith('/') ? p : `/${p}`;
  return withSlash.replace(/\/{2,}/g, '/');
}

const pathOnly = (u: string) => {
  const q = u.indexOf('?');
  return q === -1 ? u : u.slice(0, q);
};

/** `/hooks` covers /hooks, /hooks/, /hooks/x and /hooks?x, not /hooksx. */
function underPath(reqPath: string, prefix: string): boolean {
  if (!reqPath.startsWith(prefix)) return false;
  const next = reqPath.charCodeAt(prefix.length);
  return Number.isNaN(next) || next === 47 /* / */ || next === 63 /* ? */;
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
