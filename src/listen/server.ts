import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from '../schemes/registry.js';
import type { HandshakeAnswer, Scheme, Verdict } from '../schemes/types.js';
import type { TunnelAdapter } from '../tunnel/types.js';
import { AfterAnswer } from './after-answer.js';
import { readBody } from './body.js';
import { Dedupe } from './dedupe.js';
import { describe, iso, secretRedactor, type DescribeContext, type Received } from './describe.js';
import { Diagnoser } from './diagnosis.js';
import type { EventMessage, ListenerEvent, ListenerStats, RejectedRecord } from './events.js';
import { InFlight, type Exchange } from './exchange.js';
import type { EventFilter } from '../filter.js';
import type { ForwardResult, Forwarder } from './forward.js';
import { createHttpServer, displayHost, type HttpServer } from './http.js';
import { Injector, type Injected, type InjectOptions } from './inject.js';
import { Judge, type Delivery } from './judge.js';
import { checkRequestPath, normalizePath, pathOnly } from './paths.js';
import { answer, failText, invalidText, relay } from './respond.js';

export { normalizePath } from './paths.js';

export interface ListenerOptions {
  /** The run's schemes (src/run-schemes.ts). */
  registry: Registry;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Path prefix to receive on; other paths get 404. */
  path?: string;
  /** A scheme name, or 'auto' to detect it from the headers (fixed by the first unambiguous valid delivery). */
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
  /** File descriptors kept out of the connection budget (the inspector's sockets). */
  reservedFiles?: number;
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

/** A fresh token for `Via`: `1.1 whk-<random>`. */
export const viaToken = () => `1.1 whk-${randomBytes(6).toString('hex')}`;

/** One delivery on its way through the steps. */
interface Flow {
  x: Exchange;
  r: Received;
  /** The normalized path and query, what is forwarded. */
  fwdPath: string;
  delivery: Delivery;
  verdict: Verdict | null;
}

/** What the steps share: the listener's settings, state and outlets. */
interface State {
  o: ListenerOptions;
  path: string;
  secrets: string[];
  judge: Judge;
  describe: DescribeContext;
  injector: Injector | undefined;
  delayMs: number;
  okStatus: number;
  forwardMethods: Set<string>;
  fastPath: boolean;
  via: string;
  now: () => number;
  inflight: InFlight;
  after: AfterAnswer;
  diagnoser: Diagnoser;
  seq: number;
  closing: boolean;
  publicOrigin: string | null;
  localHostPort: string;
  send: (e: ListenerEvent) => void;
  warn: (message: string) => void;
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

function newState(opts: ListenerOptions, send: (e: ListenerEvent) => void): State {
  const secrets = opts.secrets ?? [];
  const stats: ListenerStats = { events: 0, valid: 0, invalid: 0, unverified: 0, duplicates: 0, filtered: 0, forwarded: 0, forwardFailed: 0, rejected: 0 };
  const { registry } = opts;
  const judge = new Judge({ registry, scheme: opts.scheme ?? 'auto', secrets, tolerance: opts.tolerance, otherSecrets: opts.otherSecrets });
  const injector = opts.inject ? new Injector(opts.inject) : undefined;
  const delayMs = opts.inject?.delayMs ?? 0;
  const warn = (message: string) => send({ kind: 'warning', message });
  return {
    o: opts, path: normalizePath(opts.path ?? '/'), secrets, judge, injector, delayMs,
    describe: { registry, scheme: () => judge.scheme, dedupe: new Dedupe(opts.dedupeMemory), events: opts.events, redact: secretRedactor([...secrets, ...(opts.otherSecrets ?? []).map((o) => o.secret)]), stats },
    okStatus: opts.status ?? 200,
    forwardMethods: new Set((opts.forwardMethods ?? ['POST', 'GET']).map((m) => m.toUpperCase())),
    fastPath: !opts.events && !opts.forward && !injector && delayMs === 0,
    via: opts.via ?? viaToken(), now: opts.now ?? Date.now,
    inflight: new InFlight(),
    // A bug of ours while describing an event already answered: said, and the listener keeps serving.
    after: new AfterAnswer((e) => warn(`internal error while showing an event: ${e.message}`)),
    diagnoser: new Diagnoser({ inline: (scheme, input) => registry.verify(scheme, input), custom: registry.custom() }),
    seq: 0, closing: false, publicOrigin: null, localHostPort: '', send, warn,
  };
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
  s.describe.stats.rejected++;
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
  const where = checkRequestPath(target, s.path.replace(/\/+$/, ''));
  if (where.ok) return readStep(s, x, where.path);
  if (where.status === 404) {
    return refuse(404, `whk listens on ${s.path}, not ${pathOnly(target)}\n`, { reason: 'outside_path', message: `404: ${pathOnly(target)} is outside --path ${s.path}` });
  }
  refuse(400, `whk: bad request path: ${where.why}\n`, { reason: 'bad_path', message: `400: ${where.why} (${pathOnly(target).slice(0, 120)})` });
}

/** Step 2, the body within --max-body; a shutdown that stops waiting ends the read. */
function readStep(s: State, x: Exchange, fwdPath: string): void {
  const { req, res } = x;
  const method = req.method ?? 'GET';
  const target = req.url ?? '/';
  const maxBody = s.o.maxBody ?? 1024 * 1024;
  readBody(req, res, { maxBody }, (o) => {
    if (o.kind === 'body') return judgeStep(s, { x, fwdPath, r: { seq: ++s.seq, receivedAt: x.receivedAt, method, path: target, headers: headerMap(req.rawHeaders), body: o.body } });
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
  let flow: Flow | undefined;
  try {
    // A GET or HEAD with no signature header is a verification handshake (Meta's hub.challenge,
    // ...): shown, not verified, and forwarded when --forward-to is given.
    const handshake = (r.method === 'GET' || r.method === 'HEAD') && r.body.length === 0 && s.o.registry.detect(r.headers).length === 0;
    const delivery: Delivery = { body: r.body, headers: r.headers, method: r.method, now: Math.floor(r.receivedAt / 1000) };
    const verifying = s.secrets.length > 0 && !handshake;
    if (verifying && s.judge.needsUrl(r.headers)) delivery.url = signedUrl(s, r.headers, r.path);
    const verdict = verifying ? s.judge.judge(r.seq, delivery, (name) => s.warn(`verifying as ${name} from now on; pass --scheme to choose`)) : null;
    flow = { ...f, delivery, verdict };
    answerStep(s, flow);
  } catch (e) {
    // A bug of ours, not the client's fault: answer 500, keep serving.
    const message = (e as Error).message;
    answer(f.x.res, 500, `whk: internal error: ${message}\n`, r.seq, { close: true });
    reject(s, r.seq, { method: r.method, path: r.path, reason: 'internal_error', message: `internal error: ${message}`, response: { status: 500 } }, r.receivedAt);
    f.x.end();
  }
}

/** Step 4, answer: an endpoint verification, a refusal or a plain answer at once, else what the event decides. */
function answerStep(s: State, f: Flow): void {
  const accepted = f.verdict === null || f.verdict.valid;
  // The provider's endpoint verification, answered here when nothing is forwarded.
  const hs = accepted && !s.o.forward ? handshakeAnswer(s, f.r, f.verdict) : undefined;
  if (hs) return later(s, f.x, () => answerHandshake(s, f, hs));
  if (!accepted || s.fastPath) {
    const status = accepted ? s.okStatus : 401;
    return later(s, f.x, () => answerAtOnce(s, f, status));
  }
  // The answer depends on the event: its type (--events), its id (--fail-first), your app.
  const message = describe(s.describe, f.r, f.verdict);
  const { record } = message;
  const injected = s.injector?.decide(record.eventId === null ? null : `${record.scheme ?? ''}\n${record.eventId}`, f.r.body);
  if (injected) record.injected = injected;
  later(s, f.x, () => decide(s, f, message, injected));
}

/** --delay: `job` after the delay, or at once when the exchange is cut short (the answer is never lost). */
function later(s: State, x: Exchange, job: () => void): void {
  if (s.delayMs === 0) return job();
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    job();
  };
  const timer = setTimeout(once, s.delayMs);
  x.onAbort(once);
}

function answerHandshake(s: State, f: Flow, hs: HandshakeAnswer): void {
  answer(f.x.res, hs.status, hs.body, f.r.seq, { contentType: hs.contentType, headers: ['x-content-type-options', 'nosniff'] });
  const message = describe(s.describe, f.r, f.verdict);
  message.record.response.status = hs.status;
  message.record.handshake = hs.what;
  emitEvent(s, f.x, message);
}

/** A refusal (401) or the plain answer of the fast path; the no-match diagnosis runs after it. */
function answerAtOnce(s: State, f: Flow, status: number): void {
  const accepted = status !== 401;
  answer(f.x.res, status, accepted ? undefined : invalidText(f.verdict!), f.r.seq);
  let diagnosis: Promise<unknown> | undefined;
  const v = f.verdict;
  if (v !== null && !v.valid && v.reason === 'no_match') {
    const call = s.judge.diagnosisCall(v, f.delivery);
    diagnosis = s.diagnoser.diagnose(v, call.scheme, call.input).then((d) => (f.verdict = d));
  }
  s.after.add(() => {
    const message = describe(s.describe, f.r, f.verdict);
    message.record.response.status = status;
    s.send(message);
  }, diagnosis);
  f.x.end();
}

/** An accepted event whose answer is decided: dropped, failed on purpose, filtered, or forwarded. */
function decide(s: State, f: Flow, message: EventMessage, injected: Injected | undefined): void {
  const { x } = f;
  if (injected?.drop) {
    x.res.destroy();
    return emitEvent(s, x, message);
  }
  if (injected?.fail) return finish(s, f, message, 500, failText(injected, s.o.inject!));
  if (message.record.filtered || !s.o.forward) return finish(s, f, message, s.okStatus);
  if (!s.forwardMethods.has(f.r.method)) {
    const allowed = [...s.forwardMethods];
    return finish(s, f, message, 405, `whk: ${f.r.method} is not forwarded (--forward-methods ${allowed.join(',')})\n`, ['allow', allowed.join(', ')]);
  }
  forwardStep(s, f, message);
}

function finish(s: State, f: Flow, message: EventMessage, status: number, text?: string, extra?: string[]): void {
  message.record.response.status = status;
  if (status > 0) answer(f.x.res, status, text, f.r.seq, { headers: extra });
  emitEvent(s, f.x, message);
}

/** Step 5, forward: the app's answer relayed to the sender; the forward ends when the sender hangs up. */
function forwardStep(s: State, f: Flow, message: EventMessage): void {
  const { record } = message;
  const onForward = (r: ForwardResult) => {
    if (!r.ok) {
      s.describe.stats.forwardFailed++;
      record.forward = { error: r.error, ms: r.ms };
      message.forward = { url: r.url, status: r.status, ms: r.ms, error: r.error };
      // A sender that hung up got no answer at all: 0, as with --drop.
      return finish(s, f, message, r.code === 'sender_gone' ? 0 : r.status, `whk: ${r.error}\n`);
    }
    s.describe.stats.forwarded++;
    record.forward = { status: r.status, ms: r.ms };
    record.response.status = r.status;
    void relay(f.x.res, r, f.r.seq, f.x.signal).then(({ preview, error }) => {
      message.forward = { url: r.url, status: r.status, ms: r.ms, ...(preview ? { body: preview } : {}), ...(error ? { error } : {}) };
      emitEvent(s, f.x, message);
    });
  };
  s.o.forward!({ method: f.r.method, path: f.fwdPath, headers: f.r.headers, body: f.r.body, signal: f.x.signal }).then(onForward, (e: Error) =>
    onForward({ ok: false, url: '', status: 502, error: `forward failed: ${e.message}`, code: 'internal', ms: 0 }));
}

/** Step 6: the event handed on (the session records, renders and forwards it on); the exchange is over. */
function emitEvent(s: State, x: Exchange, message: EventMessage): void {
  s.send(message);
  x.end();
}

/**
 * A provider's endpoint verification: asked of the scheme that judged the delivery valid, or,
 * unverified (no secret, or a GET handshake), of the scheme in use or else every scheme that
 * has one.
 */
function handshakeAnswer(s: State, r: Received, verdict: Verdict | null): HandshakeAnswer | undefined {
  const schemes = verdict ? [s.o.registry.get(verdict.scheme)] : s.judge.scheme ? [s.judge.scheme] : s.o.registry.derive(withHandshake);
  if (!schemes.some((x) => x.handshake)) return undefined;
  const req = { method: r.method, query: new URL(r.path, 'http://x').searchParams, headers: r.headers, body: r.body, secrets: s.secrets };
  for (const x of schemes) {
    try {
      const a = x.handshake?.(req);
      if (a) return a;
    } catch {
      // A request a handshake cannot read is not one.
    }
  }
  return undefined;
}

/** The URL a provider signed (square, twilio): --url, the public URL, else the Host the request names. */
function signedUrl(s: State, headers: Record<string, string>, reqPath: string): string {
  if (s.o.url) return s.o.url;
  if (s.publicOrigin) return s.publicOrigin + reqPath;
  return `${headers['x-forwarded-proto'] ?? 'http'}://${headers['x-forwarded-host'] ?? headers.host ?? s.localHostPort}${reqPath}`;
}

function listenerHandle(s: State, http: HttpServer, port: number): Listener {
  let closed: Promise<void> | undefined;
  let hurry: () => void = () => undefined;
  const hurried = new Promise<void>((resolve) => (hurry = resolve));
  return {
    url: `http://${s.localHostPort}${s.path}`,
    publicUrl: s.publicOrigin ? s.publicOrigin + s.path : null,
    port,
    stats: s.describe.stats,
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

/** Stop accepting; wait for what was admitted (up to the grace, or a hurry); cut the rest short; emit everything. */
async function shutdown(s: State, http: HttpServer, graceMs: number, hurried: Promise<void>): Promise<void> {
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
  await s.after.drain();
  await s.diagnoser.close();
}

/** The schemes that answer an endpoint verification. */
const withHandshake = (list: readonly Scheme[]) => list.filter((x) => x.handshake);

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

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3 && n % 1024 ** 3 === 0) return `${n / 1024 ** 3} GB`;
  if (n >= 1024 ** 2 && n % 1024 ** 2 === 0) return `${n / 1024 ** 2} MB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KB`;
  return `${n} bytes`;
}
