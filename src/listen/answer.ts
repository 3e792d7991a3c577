import type { HandshakeAnswer, Scheme, Verdict } from '../schemes/types.js';
import type { EventRecord } from '../record.js';
import { maskedUrl } from './urls.js';
import { Dedupe } from './dedupe.js';
import { classify, describe, isFiltered, type Classified, type Received } from './describe.js';
import type { EventMessage } from './events.js';
import type { Exchange } from './exchange.js';
import type { ForwardResult } from './forward.js';
import { pickTargets } from './gateway.js';
import type { Injected } from './inject.js';
import { answer, failText, invalidText, relay } from './respond.js';
import type { Flow, State } from './state.js';

/**
 * Step 4, answer: an endpoint verification, a refusal or a plain answer at once, else what the
 * event decides (injected failure, filter, route: forwarded, fanned out or queued).
 */
export function answerStep(s: State, f: Flow): void {
  const accepted = f.verdict === null || f.verdict.valid;
  // The provider's endpoint verification, answered here when nothing is forwarded.
  const hs = accepted && !f.mount.forwards ? handshakeAnswer(s, f, f.verdict) : undefined;
  if (hs) return later(s, f.x, () => answerHandshake(s, f, hs));
  if (!accepted || f.mount.fast) {
    const status = accepted ? s.okStatus : 401;
    return later(s, f.x, () => answerAtOnce(s, f, status));
  }
  // The answer depends on the event: its type (--events, routes), its id (--fail-first), your app.
  // What that needs is known now; the record is made when first needed: after the answer, unless
  // the answer comes from your app.
  const c = classify(f.mount.describe, f.r, f.verdict);
  const e: Routed = { c, injected: s.injector?.decide(c.eventId === null ? null : `${c.scheme ?? ''}\n${c.eventId}`, f.r.body), route: null };
  // With --delay the record is made at once: duplicates are marked in arrival order, whichever delay ends first.
  if (s.delayMs > 0) messageOf(s, f, e);
  later(s, f.x, () => decide(s, f, e));
}

/** An accepted event on its way to its answer: classified, maybe given an injected failure, routed; its record once made. */
interface Routed {
  c: Classified;
  injected: Injected | undefined;
  route: string | null;
  message?: EventMessage;
}

/** The event record, with the mount it came in by when the listener has mounts. */
function describeOf(s: State, f: Flow, c?: Classified): EventMessage {
  const message = describe(f.mount.describe, f.r, f.verdict, c);
  if (s.mounted) message.record.mount = f.mount.name;
  // Not routed (yet, or ever: refused): null until a route takes it.
  if (s.routes.length > 0) message.record.route = null;
  return message;
}

/** A routed event's record, made on first use (the same one after that), with its injected failure and its route. */
function messageOf(s: State, f: Flow, e: Routed): EventMessage {
  if (!e.message) {
    e.message = describeOf(s, f, e.c);
    if (e.injected) e.message.record.injected = e.injected;
  }
  if (s.routes.length > 0) e.message.record.route = e.route;
  return e.message;
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
  const message = describeOf(s, f);
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
    const call = f.mount.judge.diagnosisCall(v, f.delivery);
    diagnosis = s.diagnoser.diagnose(v, call.scheme, call.input).then((d) => (f.verdict = d));
  }
  s.after.add(() => {
    const message = describeOf(s, f);
    message.record.response.status = status;
    s.send(message);
  }, diagnosis);
  f.x.end();
}

/** An accepted event whose answer is decided: dropped, failed on purpose, filtered, routed (forwarded or queued). */
function decide(s: State, f: Flow, e: Routed): void {
  const { x } = f;
  const { c, injected } = e;
  if (injected?.drop) {
    x.res.destroy();
    return emitEvent(s, x, messageOf(s, f, e));
  }
  const recordLater = () => messageOf(s, f, e);
  if (injected?.fail) return finish(s, f, recordLater, 500, failText(injected, s.o.inject!));
  const picked = isFiltered(f.mount.describe, c) ? { route: null, targets: [] } : pickTargets(s.routes, { mount: f.mount.name, scheme: c.scheme, type: c.eventType }, f.mount.fallback);
  e.route = picked.route;
  const { targets } = picked;
  if (targets.length === 0) return finish(s, f, recordLater, s.okStatus);
  if (!s.forwardMethods.has(f.r.method)) {
    const allowed = [...s.forwardMethods];
    return finish(s, f, recordLater, 405, `whk: ${f.r.method} is not forwarded (--forward-methods ${allowed.join(',')})\n`, ['allow', allowed.join(', ')]);
  }
  // Forwarded or queued: the record is made now, and filled in as the targets answer.
  const message = messageOf(s, f, e);
  if (s.o.queue) return queueStep(s, f, message, targets);
  if (targets.length === 1) return forwardOne(s, f, message, targets[0]!);
  forwardAll(s, f, message, targets);
}

/**
 * Answers, then hands the record on. `message` may be a function that makes it: then it is made
 * after the answer was written, which the sender does not wait for.
 */
function finish(s: State, f: Flow, message: EventMessage | (() => EventMessage), status: number, text?: string, extra?: string[]): void {
  if (status > 0) answer(f.x.res, status, text, f.r.seq, { headers: extra });
  const m = typeof message === 'function' ? message() : message;
  m.record.response.status = status;
  emitEvent(s, f.x, m);
}

const targetOf = (f: Flow, base: string) => ({ base, listenPath: f.mount.path });

/** --queue: journaled, then answered at once; the queue delivers it to each target. */
function queueStep(s: State, f: Flow, message: EventMessage, targets: string[]): void {
  const { record } = message;
  const q = s.o.queue!.enqueue({
    seq: record.seq, receivedAt: record.receivedAt, mount: f.mount.name, route: record.route ?? null, scheme: record.scheme,
    eventType: record.eventType, eventId: record.eventId, method: f.r.method, path: f.fwdPath, headers: f.r.headers, body: f.r.body,
    targets: targets.map((t) => targetOf(f, t)),
  });
  if (!q.ok) return finish(s, f, message, 503, `whk: not queued: ${q.error}\n`);
  record.queued = q.id;
  record.forwards = targets.map((t) => ({ url: maskedUrl(t), state: 'queued', attempts: 0 }));
  finish(s, f, message, s.okStatus);
}

/** Step 5, forward to one target: its answer relayed to the sender, streamed; the forward ends when the sender hangs up. */
function forwardOne(s: State, f: Flow, message: EventMessage, target: string): void {
  const { record } = message;
  const onForward = (r: ForwardResult) => {
    record.forwards = [forwardOutcome(r)];
    if (!r.ok) {
      s.stats.forwardFailed++;
      record.forward = { error: r.error, ms: r.ms };
      message.forward = { url: r.url, status: r.status, ms: r.ms, error: r.error };
      // A sender that hung up got no answer at all: 0, as with --drop.
      return finish(s, f, message, r.code === 'sender_gone' ? 0 : r.status, `whk: ${r.error}\n`);
    }
    s.stats.forwarded++;
    record.forward = { status: r.status, ms: r.ms };
    record.response.status = r.status;
    void relay(f.x.res, r, f.r.seq, f.x.signal).then(({ preview, error }) => {
      message.forward = { url: r.url, status: r.status, ms: r.ms, ...(preview ? { body: preview } : {}), ...(error ? { error } : {}) };
      emitEvent(s, f.x, message);
    });
  };
  sendTo(s, f, target).then(onForward, () => undefined);
}

/**
 * Step 5, fan-out: every target gets the exact bytes and the original headers, at once; the
 * sender gets 2xx only when every target answered 2xx, else the first failing status (so that
 * the provider retries).
 */
function forwardAll(s: State, f: Flow, message: EventMessage, targets: string[]): void {
  const { record } = message;
  void Promise.all(targets.map((t) => sendTo(s, f, t).then(settle))).then((results) => {
    record.forwards = results.map(forwardOutcome);
    for (const r of results) {
      if (r.ok && r.status < 300) s.stats.forwarded++;
      else s.stats.forwardFailed++;
    }
    const first = results[0]!;
    record.forward = first.ok ? { status: first.status, ms: first.ms } : { error: first.error, ms: first.ms };
    message.forward = { url: first.url, status: first.status, ms: first.ms, ...(first.ok ? {} : { error: first.error }) };
    const failing = results.find((r) => !r.ok || r.status >= 300);
    const status = failing ? failing.status : first.status;
    if (failing && !failing.ok && failing.code === 'sender_gone') return finish(s, f, message, 0);
    finish(s, f, message, status, `whk: ${results.length} targets: ${results.map((r) => `${r.status} ${r.url}`).join(', ')}\n`);
  });
}

/** One target's forward; never rejects. */
function sendTo(s: State, f: Flow, target: string): Promise<ForwardResult> {
  const req = { to: targetOf(f, target), method: f.r.method, path: f.fwdPath, headers: f.r.headers, body: f.r.body, signal: f.x.signal };
  return s.o.forward!(req).catch((e: Error): ForwardResult => ({ ok: false, url: maskedUrl(target), status: 502, error: `forward failed: ${e.message}`, code: 'internal', ms: 0 }));
}

/** A target's answer read to its end (a fan-out relays none of them): the connection is free for the next. */
async function settle(r: ForwardResult): Promise<ForwardResult> {
  if (!r.ok) return r;
  let bytes = 0;
  try {
    for await (const chunk of r.body) {
      bytes += (chunk as Buffer).length;
      if (bytes > 1024 * 1024) {
        r.body.destroy();
        break;
      }
    }
  } catch {
    // an answer that broke off still has its status
  }
  return r;
}

function forwardOutcome(r: ForwardResult): NonNullable<EventRecord['forwards']>[number] {
  return r.ok ? { url: r.url, status: r.status, ms: r.ms, attempts: 1 } : { url: r.url, status: r.status, ms: r.ms, attempts: 1, error: r.error };
}

/**
 * The tunnel's self-check (src/tunnel/check.ts): told what arrived, answered 200 and recorded as
 * `tunnelCheck`; never judged, routed, forwarded, queued, filtered or counted.
 */
export function answerTunnelCheck(s: State, f: Omit<Flow, 'delivery' | 'verdict'>): void {
  s.o.tunnelCheck!.arrived(f.r.body, f.r.headers);
  answer(f.x.res, 200, undefined, f.r.seq);
  const message = describe({ ...f.mount.describe, stats: { ...f.mount.describe.stats }, dedupe: new Dedupe(1), events: undefined }, f.r, null);
  message.record.response.status = 200;
  message.record.tunnelCheck = true;
  emitEvent(s, f.x, message);
}

/** Step 6: the event handed on (the session records, renders and forwards it on); the exchange is over. */
export function emitEvent(s: State, x: Exchange, message: EventMessage): void {
  // After the answer, with the others: in answer order, and many lines to a write.
  s.after.add(() => s.send(message));
  x.end();
}

/**
 * A provider's endpoint verification: asked of the scheme that judged the delivery valid, or,
 * unverified (no secret, or a GET handshake), of the mount's scheme or else every scheme that
 * has one.
 */
function handshakeAnswer(s: State, f: Flow, verdict: Verdict | null): HandshakeAnswer | undefined {
  const r: Received = f.r;
  const { registry } = s.o;
  const schemes = verdict ? [registry.get(verdict.scheme)] : f.mount.judge.scheme ? [f.mount.judge.scheme] : registry.derive(withHandshake);
  if (!schemes.some((x) => x.handshake)) return undefined;
  const req = { method: r.method, query: new URL(r.path, 'http://x').searchParams, headers: r.headers, body: r.body, secrets: f.mount.secrets };
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

/** The schemes that answer an endpoint verification. */
const withHandshake = (list: readonly Scheme[]) => list.filter((x) => x.handshake);

