import { isUtf8 } from 'node:buffer';
import { forwardUrl } from '../send/target.js';
import { refusedRequest } from '../net-errors.js';
import type { EventRecord } from '../record.js';
import { nowSeconds } from '../schemes/hmac.js';
import type { Registry } from '../schemes/registry.js';
import type { Scheme } from '../schemes/types.js';
import type { Outcome } from '../send/deliver.js';
import { prepare, type Resign } from '../send/replay.js';
import type { Deliveries, Delivery, ReplayMode } from './deliveries.js';

/**
 * The page's actions, run on the server: replay a delivery as it was, re-signed, or edited and
 * re-signed, to a URL; and the commands that reproduce it (curl, whk send). Re-signing uses the
 * listener's secrets (or `whk inspect`'s): they never leave this process.
 */

/** How replays are re-signed: the secrets and, when fixed, the scheme; or why they cannot be. */
export type Signer = { ok: true; secrets: string[]; scheme?: Scheme } | { ok: false; why: string };

/** What the actions work with. */
export interface ActionContext {
  /** The run's schemes: a delivery's is found by its recorded name. */
  registry: Registry;
  deliveries: Deliveries;
  signer: Signer;
  /** The listener's --path: replaced by the replay URL's path, as --forward-to does ('/' for history). */
  listenPath: string;
}

export interface ReplayAsk {
  mode: ReplayMode;
  /** Where to send it: the delivery's path, less the listener's --path, goes after this URL's path (as --forward-to). */
  url: string;
  /** Edit & replay: the new body (text) and headers (name -> value). */
  body?: string;
  headers?: Record<string, string>;
}

export interface ReplayResult {
  /** The replay's own entry in the list. */
  id: number;
  url: string;
  status: number | null;
  ms: number;
  error: string | null;
  note: string | null;
  /** The target's answer: headers and the start of its body (UTF-8 or base64). */
  headers: Record<string, string>;
  body: string;
  bodyEncoding: 'utf8' | 'base64';
  bodyBytes: number;
}

/** A request the page made that cannot be done: a sentence for the page, and the HTTP status. */
export class ActionError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const KEEP_BODY = 64 * 1024;

function parseTarget(text: unknown): URL {
  let url: URL;
  try {
    url = new URL(String(text));
  } catch {
    throw new ActionError(400, `"${String(text).slice(0, 100)}" is not a URL: give e.g. http://127.0.0.1:3000/webhooks`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ActionError(400, `${url.protocol} URLs cannot be replayed to: only http:// and https://`);
  return url;
}

/**
 * The record as `prepare` (src/send/replay.ts) takes it, with the URL it goes to: the path is
 * mapped as --forward-to maps it, then handed over whole (prepare appends it to the origin).
 */
function aimed(rec: EventRecord, target: string, listenPath: string): { rec: EventRecord; origin: URL } {
  const url = new URL(forwardUrl(parseTarget(target).href, listenPath, rec.path || '/'));
  return { rec: { ...rec, path: url.pathname + url.search }, origin: new URL(url.origin) };
}

/** Sends `d` again as `ask` says, adds the replay to the list, and says what the target answered. */
export async function replay(ctx: ActionContext, d: Delivery, ask: ReplayAsk): Promise<ReplayResult> {
  const { deliveries, signer } = ctx;
  const cut = d.record.bodyTruncated;
  if (cut && ask.mode !== 'edit') throw new ActionError(422, `only the first ${cut.kept} of this refused body's ${cut.bytes} bytes were kept: it cannot be replayed as it was (Edit & replay sends what you give it)`);
  const { rec, origin: to } = aimed(ask.mode === 'edit' ? edited(d.record, ask) : d.record, ask.url, ctx.listenPath);
  let resign: Resign | undefined;
  if (ask.mode !== 'original') {
    if (!signer.ok) throw new ActionError(409, `cannot re-sign: ${signer.why}`);
    resign = { registry: ctx.registry, scheme: signer.scheme, secrets: signer.secrets, now: nowSeconds };
  }
  const p = prepare(rec, to, resign);
  if (!p.ok) throw new ActionError(422, p.problem.message);
  const { Deliverer } = await import('../send/deliver.js');
  const deliverer = new Deliverer(p.url.origin, { connections: 1, timeoutMs: 10_000, keepBody: KEEP_BODY, hint: 'is the receiver running?', preciseTimeout: true });
  const outcome = await deliverer.send(p.req).catch((e: unknown): Outcome => ({ ok: false, error: refusedRequest(e), ms: 0 }));
  void deliverer.close().catch(() => undefined);

  const status = outcome.ok ? outcome.status : (outcome.status ?? null);
  const error = outcome.ok ? null : outcome.error.message;
  const note = p.req.resigned ? `re-signed as ${p.req.resigned}${p.req.bodyEdit ? `, ${p.req.bodyEdit}` : ''}` : null;
  const ms = Math.round(outcome.ms);
  const body = Buffer.from(p.req.body);
  const headers: Record<string, string> = {};
  for (let i = 0; i < p.req.headers.length; i += 2) headers[p.req.headers[i]!.toLowerCase()] = p.req.headers[i + 1]!;
  const sent: EventRecord = {
    ...rec,
    receivedAt: new Date().toISOString(),
    method: p.req.method,
    path: p.req.path,
    headers,
    ...encode(body),
    verdict: null,
    duplicate: false,
    filtered: false,
    response: { status: status ?? 0 },
  };
  delete sent.duplicateOf;
  delete sent.forward;
  delete sent.injected;
  const entry = deliveries.add(sent, d.session, { of: d.id, mode: ask.mode, url: p.url.href, status, ms, error, note });
  const answer = outcome.response;
  return {
    id: entry.id,
    url: p.url.href,
    status,
    ms,
    error,
    note,
    headers: answer?.headers ?? {},
    ...(answer ? encode(answer.body) : { body: '', bodyEncoding: 'utf8' as const }),
    bodyBytes: answer?.bodyBytes ?? 0,
  };
}

/** The record with the page's body and headers in place of the recorded ones. */
function edited(rec: EventRecord, ask: ReplayAsk): EventRecord {
  if (typeof ask.body !== 'string') throw new ActionError(400, 'Edit & replay needs the body (text)');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(ask.headers ?? rec.headers)) {
    if (typeof v !== 'string') throw new ActionError(400, `the header ${k.slice(0, 60)} has no text value`);
    headers[k.toLowerCase()] = v;
  }
  return { ...rec, headers, body: ask.body, bodyEncoding: 'utf8' };
}

const encode = (b: Buffer): { body: string; bodyEncoding: 'utf8' | 'base64' } =>
  isUtf8(b) ? { body: b.toString('utf8'), bodyEncoding: 'utf8' } : { body: b.toString('base64'), bodyEncoding: 'base64' };

/** A word for the shell, single-quoted. */
const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The commands that send `d` again from a terminal: curl with the recorded bytes and headers
 * (the recorded signature included), and `whk send`, which signs afresh with $WHK_SECRET.
 */
export function copyCommands(ctx: ActionContext, d: Delivery, target: string): { curl: string; whkSend: string } {
  const { rec, origin } = aimed(d.record, target, ctx.listenPath);
  const p = prepare(rec, origin);
  if (!p.ok) throw new ActionError(422, p.problem.message);
  const { req, url } = p;
  const binary = d.record.bodyEncoding === 'base64';
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < req.headers.length; i += 2) pairs.push([req.headers[i]!, req.headers[i + 1]!]);
  const pipe = binary ? `printf %s ${sh(d.record.body)} | base64 -d | ` : '';
  const data = binary ? '--data-binary @-' : `--data-binary ${sh(d.record.body)}`;
  const curl = `${pipe}curl -X ${req.method} ${sh(url.href)} ${pairs.map(([k, v]) => `-H ${sh(`${k}: ${v}`)}`).join(' ')} ${data}`.replace(/ {2,}/g, ' ');

  const scheme = d.record.scheme ? ctx.registry.find(d.record.scheme) : undefined;
  const own = new Set((scheme?.headers ?? []).map((h) => h.toLowerCase()));
  const extra = pairs.filter(([k]) => !own.has(k.toLowerCase()) && k.toLowerCase() !== 'user-agent');
  const body = binary ? '--body-file -' : `--body ${sh(d.record.body)}`;
  const whkSend = `${pipe}whk send ${sh(url.href)} --scheme ${scheme ? scheme.name : '<scheme>'} ${body} ${extra.map(([k, v]) => `--header ${sh(`${k}: ${v}`)}`).join(' ')}`.trimEnd()
    + (scheme ? '' : '   # no scheme was detected: name one');
  return { curl, whkSend };
}
