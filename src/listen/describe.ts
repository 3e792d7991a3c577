import { isUtf8 } from 'node:buffer';
import { verdictJson, type EventRecord } from '../record.js';
import { parseJsonBody } from '../schemes/fields.js';
import type { Registry } from '../schemes/registry.js';
import type { Scheme, Verdict } from '../schemes/types.js';
import { Dedupe } from './dedupe.js';
import type { EventMessage, ListenerStats } from './events.js';
import type { EventFilter } from '../filter.js';

/** Refused bodies larger than this are not parsed (bytes). */
export const UNPARSED_INVALID = 64 * 1024;

/** Of a refused body, the record keeps this much (bytes). */
export const KEPT_OF_REFUSED = 64 * 1024;

/** The first `max` bytes or fewer, never cutting a UTF-8 character in two. */
export function utf8Prefix(body: Buffer, max: number): Buffer {
  let end = Math.min(max, body.length);
  if (end === body.length) return body;
  // Back to the first byte of the character that `end` falls in (continuation bytes are 10xxxxxx).
  let start = end;
  while (start > 0 && start > end - 4 && (body[start]! & 0xc0) === 0x80) start--;
  if (start !== end) end = start;
  return body.subarray(0, end);
}

/**
 * An object for a request's headers: no key is inherited (`constructor`, `__proto__` are headers
 * like any other), yet V8 keeps it in fast mode. Object.create(null) made a dictionary instead,
 * which cost the listener ~1 µs a delivery in for-in loops and JSON.stringify.
 */
const HeaderObject = function HeaderObject() {} as unknown as { new (): Record<string, string>; prototype: object };
HeaderObject.prototype = Object.create(null) as object;
export const emptyHeaders = (): Record<string, string> => new HeaderObject();

/** One request as received: what the describing step turns into an event record. */
export interface Received {
  seq: number;
  /** ms since the epoch. */
  receivedAt: number;
  method: string;
  /** The request target as received. */
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface DescribeContext {
  registry: Registry;
  /** The scheme deliveries are judged by, when known (fixed, or pinned by auto-detection). */
  scheme: () => Scheme | undefined;
  dedupe: Dedupe;
  events?: EventFilter;
  redact: (headers: Record<string, string>) => Record<string, string>;
  stats: ListenerStats;
}

/**
 * What is known of a delivery before its record is made, and all that routing needs to answer
 * it: the body decoded and parsed once, the scheme, the event type and id.
 */
export interface Classified {
  accepted: boolean;
  /** A refused body over KEPT_OF_REFUSED: only its start is kept. */
  cut: boolean;
  /** The body as kept. */
  body: Buffer;
  /** The body as UTF-8 text; undefined when it is not UTF-8. */
  text: string | undefined;
  parsed?: unknown;
  jsonError?: string;
  scheme: string | null;
  eventType: string | null;
  eventId: string | null;
}

/** The classifying step: the body decoded and parsed, its scheme, event type and id. No counter changes. */
export function classify(ctx: DescribeContext, r: Received, verdict: Verdict | null): Classified {
  const accepted = verdict === null || verdict.valid;
  const { headers } = r;
  // A refused body is kept only in part: a flood of forged large bodies costs one HMAC pass each,
  // not a decoding, an escaping and a write of every byte (the record says how much was cut).
  const cut = !accepted && r.body.length > KEPT_OF_REFUSED;
  const body = cut ? utf8Prefix(r.body, KEPT_OF_REFUSED) : r.body;
  const text = body.length === 0 || isUtf8(body) ? body.toString('utf8') : undefined;
  // A refused body over 64 KB is not parsed: under a flood of forged large bodies, parsing each
  // would slow the answers to real deliveries. Its type and id are unknown; it is shown as text.
  const { parsed, jsonError } = text !== undefined && !cut && (accepted || body.length <= UNPARSED_INVALID) ? parseBody(body, text, headers) : {};

  // Which scheme, and where it keeps the event type and id.
  // The scheme that judged it (for a scheme_mismatch, the one it was signed as), else the one in use.
  const scheme = (verdict && verdict.scheme !== 'auto' ? ctx.registry.find(verdict.scheme) : undefined) ?? ctx.scheme() ?? ctx.registry.detect(headers)[0];
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
  const name = scheme?.name ?? (verdict && verdict.scheme !== 'auto' ? verdict.scheme : null);
  const c: Classified = { accepted, cut, body, text, scheme: name, eventType, eventId };
  if (parsed !== undefined) c.parsed = parsed;
  if (jsonError !== undefined) c.jsonError = jsonError;
  return c;
}

/** Only accepted events are filtered (--events): an invalid one gets its 401 and is shown in full. */
export const isFiltered = (ctx: DescribeContext, c: Classified): boolean => c.accepted && ctx.events !== undefined && !ctx.events.matches(c.eventType);

/**
 * The describing step: a delivery and its verdict (classified, unless `c` is given) become an
 * event record (the NDJSON line, the recording) plus what renderers need; duplicate and filter
 * marks; counters updated. `response.status` is filled in when answered. Deliveries are described
 * in the order they arrived: the duplicate marks depend on it.
 */
export function describe(ctx: DescribeContext, r: Received, verdict: Verdict | null, c: Classified = classify(ctx, r, verdict)): EventMessage {
  const { accepted, body, text, parsed, eventType, eventId } = c;
  // Only accepted deliveries are checked and remembered: an invalid one proves nothing about its id.
  const duplicateOf = eventId === null || !accepted ? undefined : ctx.dedupe.firstSeen(c.scheme, eventId, r.seq);
  const filtered = isFiltered(ctx, c);

  const record: EventRecord = {
    type: 'event',
    seq: r.seq,
    receivedAt: iso(r.receivedAt),
    method: r.method,
    path: r.path,
    headers: ctx.redact(r.headers),
    body: text ?? body.toString('base64'),
    bodyEncoding: text !== undefined ? 'utf8' : 'base64',
    scheme: c.scheme,
    verdict: verdict === null ? null : verdictJson(verdict),
    eventType,
    eventId,
    duplicate: duplicateOf !== undefined,
    ...(duplicateOf !== undefined ? { duplicateOf } : {}),
    filtered,
    response: { status: 0 },
    ...(c.cut ? { bodyTruncated: { bytes: r.body.length, kept: body.length } } : {}),
  };
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const o = parsed as { deliveryAttempt?: unknown; retryOf?: unknown };
    if (typeof o.deliveryAttempt === 'number') record.deliveryAttempt = o.deliveryAttempt;
    if (typeof o.retryOf === 'string') record.retryOf = o.retryOf;
  }
  const message: EventMessage = { kind: 'event', record, verdict };
  if (parsed !== undefined) message.parsed = parsed;
  if (c.jsonError !== undefined) message.jsonError = c.jsonError;

  const s = ctx.stats;
  s.events++;
  if (verdict === null) s.unverified++;
  else if (verdict.valid) s.valid++;
  else s.invalid++;
  if (record.duplicate) s.duplicates++;
  if (filtered) s.filtered++;
  return message;
}

/** The body parsed once: JSON (verifying a scheme with a timestamp in the body already did), or form parameters. */
function parseBody(body: Buffer, text: string, headers: Record<string, string>): { parsed?: unknown; jsonError?: string } {
  if (text.length === 0) return {};
  const c = text.charCodeAt(0);
  if (c === 123 /* { */ || c === 91 /* [ */ || /^\s*[[{]/.test(text.slice(0, 64))) {
    const json = parseJsonBody(body);
    return json ? { parsed: json.value } : { jsonError: jsonErrorOf(text) };
  }
  if (/x-www-form-urlencoded/i.test(headers['content-type'] ?? '')) return { parsed: Object.fromEntries(new URLSearchParams(text)) };
  return {};
}

function jsonErrorOf(text: string): string {
  try {
    JSON.parse(text);
    return 'not JSON';
  } catch (e) {
    return (e as Error).message;
  }
}


let lastMs = -1;
let lastIso = '';
/** ISO time of a millisecond timestamp (the last one cached: bursts share a millisecond). */
export const iso = (ms: number) => (ms === lastMs ? lastIso : ((lastMs = ms), (lastIso = new Date(ms).toISOString())));

/**
 * What must never be written: every secret, and the base64 part of a `whsec_` one. A header
 * value containing one of at least 6 characters is replaced; a shorter secret (which many
 * harmless values would contain) is replaced where it is the whole value.
 */
export function secretRedactor(secrets: readonly string[]): (headers: Record<string, string>) => Record<string, string> {
  const needles = new Set<string>();
  for (const s of secrets) {
    needles.add(s);
    const t = s.trim();
    if (t !== '') needles.add(t);
    if (t.startsWith('whsec_') && t.length > 6) needles.add(t.slice(6));
  }
  const long = [...needles].filter((s) => s.length >= 6);
  const short = new Set([...needles].filter((s) => s.length < 6));
  if (needles.size === 0) return (h) => h;
  const shortest = Math.min(...long.map((s) => s.length));
  return (headers) => {
    let out: Record<string, string> | undefined;
    for (const k in headers) {
      const v = headers[k]!;
      const hit = (v.length >= shortest && long.some((s) => v.includes(s))) || (short.size > 0 && short.has(v.trim()));
      if (hit) {
        out ??= Object.assign(emptyHeaders(), headers);
        out[k] = '[redacted: contains the secret]';
      }
    }
    return out ?? headers;
  };
}
