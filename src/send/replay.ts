import { signDelivery } from '../schemes/core.js';
import { usage, WhkError } from '../errors.js';
import type { Registry } from '../schemes/registry.js';
import { isSignatureHeader, signatureHeaders } from '../schemes/twins.js';
import type { Scheme, Secret } from '../schemes/types.js';
import { recordBody, type EventRecord } from '../record.js';
import { setBodyTimestamp } from './body-timestamp.js';
import type { OutRequest } from './build.js';
import { msgId } from '../providers/ids.js';

/** Why one line or event cannot be replayed: a stable code and a sentence. */
export interface Problem {
  code: string;
  message: string;
}

/** What identifies a recorded event, as far as its line tells (for --only and for reports). */
export interface Who {
  seq: number | null;
  eventId: string | null;
  eventType: string | null;
}

/** One line of a `whk listen --record` file, judged on its own. */
export type RecordLine =
  | { kind: 'blank' }
  /** A JSON object of another type (ready, rejected, summary, ...): skipped. */
  | { kind: 'other' }
  /** Not a JSON object (a truncated last line, a stray log line): nothing identifies it. */
  | { kind: 'unparseable'; problem: Problem }
  /** An event line that cannot be replayed as it stands. */
  | { kind: 'invalid'; who: Who; method: string | null; problem: Problem }
  | { kind: 'event'; record: EventRecord; who: Who };

const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Judges one line of a recording (without its line break). Pure: no I/O, never throws. Only the
 * shape is checked here; what the HTTP client would refuse is `requestProblem`'s job.
 */
export function parseLine(text: string): RecordLine {
  if (text.trim() === '') return { kind: 'blank' };
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    return { kind: 'unparseable', problem: { code: 'unparseable_line', message: `not a JSON line (${(e as Error).message.slice(0, 80)})` } };
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) {
    return { kind: 'unparseable', problem: { code: 'unparseable_line', message: `not a JSON object (${text.length > 40 ? `${text.slice(0, 39)}…` : text})` } };
  }
  const r = o as Record<string, unknown>;
  if (r.type !== 'event') return { kind: 'other' };
  const who: Who = { seq: Number.isSafeInteger(r.seq) ? (r.seq as number) : null, eventId: str(r.eventId), eventType: str(r.eventType) };
  const bad = (code: string, message: string): RecordLine => ({ kind: 'invalid', who, method: str(r.method), problem: { code, message } });
  if (typeof r.body !== 'string') return bad('bad_record', 'the event has no "body" string');
  if (r.headers === null || typeof r.headers !== 'object' || Array.isArray(r.headers)) return bad('bad_record', 'the event has no "headers" object');
  if (r.method !== undefined && typeof r.method !== 'string') return bad('bad_method', 'the event\'s "method" is not a string');
  if (r.path !== undefined && typeof r.path !== 'string') return bad('bad_record', 'the event\'s "path" is not a string');
  if (r.bodyEncoding !== undefined && r.bodyEncoding !== 'utf8' && r.bodyEncoding !== 'base64') {
    return bad('bad_body', `unknown bodyEncoding ${JSON.stringify(r.bodyEncoding).slice(0, 40)}: whk records "utf8" or "base64"`);
  }
  // Buffer.from(x, 'base64') skips what is not base64 without a word: check first, or a damaged
  // body would be replayed as other bytes.
  if (r.bodyEncoding === 'base64' && (r.body.length % 4 !== 0 || !BASE64.test(r.body))) {
    return bad('bad_body', 'the body is not valid base64 (its bodyEncoding is "base64"): it cannot be decoded to the bytes received');
  }
  // A refused large body was kept only in part: replaying the part would send other bytes.
  const cut = r.bodyTruncated as { bytes?: unknown; kept?: unknown } | undefined;
  if (cut && typeof cut === 'object') {
    return bad('truncated_body', `only the first ${String(cut.kept)} of its ${String(cut.bytes)} bytes were recorded (whk listen keeps a refused body over 64 KB in part): it cannot be replayed`);
  }
  return { kind: 'event', record: r as unknown as EventRecord, who };
}

/** Longer lines are reported as invalid, not read into memory (a V8 string cannot exceed ~512 MiB). */
export const MAX_LINE_BYTES = 256 * 1024 * 1024;

/** A line of a recording as read: its 1-based number, and its text or, when over the limit, its size. */
export type RawLine = { no: number; text: string; bytes?: undefined } | { no: number; text?: undefined; bytes: number };

/**
 * Splits a byte stream into lines: LF-terminated (a CR before it dropped), a last line without
 * one included, lines spanning any number of chunks. Each line is decoded as UTF-8 on its own,
 * so a character split between chunks stays whole. Holds one line at a time, never the file.
 */
export async function* readLines(input: AsyncIterable<Buffer | string>, maxBytes = MAX_LINE_BYTES): AsyncGenerator<RawLine> {
  let parts: Buffer[] = [];
  let size = 0;
  let no = 0;
  const take = (): RawLine => {
    no++;
    if (size > maxBytes) return { no, bytes: size };
    let buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
    if (buf.length > 0 && buf[buf.length - 1] === 0x0d) buf = buf.subarray(0, buf.length - 1);
    return { no, text: buf.toString('utf8') };
  };
  for await (const c of input) {
    const chunk = typeof c === 'string' ? Buffer.from(c) : c;
    let at = 0;
    while (at < chunk.length) {
      const nl = chunk.indexOf(0x0a, at);
      const end = nl < 0 ? chunk.length : nl;
      if (end > at) {
        size += end - at;
        // Past the limit, the rest of the line is only counted.
        if (size <= maxBytes) parts.push(chunk.subarray(at, end));
        else parts = [];
      }
      if (nl < 0) break;
      yield take();
      parts = [];
      size = 0;
      at = nl + 1;
    }
  }
  if (size > 0) yield take();
}

/**
 * `--only 3,7-9,wh-abc,wallet.transfer.confirmed`: sequence numbers (and ranges), event ids or
 * event types, as a predicate on what identifies an event. A usage error when the list is empty.
 */
export function onlyMatcher(only: string): (w: Who) => boolean {
  const tokens = only.split(',').map((t) => t.trim()).filter(Boolean);
  if (tokens.length === 0) throw usage('bad_only', '--only is empty: give sequence numbers, event ids or types, comma-separated');
  const tests = tokens.map((t): ((w: Who) => boolean) => {
    const range = /^(\d+)-(\d+)$/.exec(t);
    if (range) {
      const [lo, hi] = [Number(range[1]), Number(range[2])];
      return (w) => w.seq !== null && w.seq >= lo && w.seq <= hi;
    }
    const n = /^\d+$/.test(t) ? Number(t) : NaN;
    return (w) => w.seq === n || t === w.eventId || t === w.eventType;
  });
  return (w) => tests.some((test) => test(w));
}

/** The usage error for an --only that matched none of the `recorded` events. */
export function nothingSelected(only: string, recorded: number, types: string[]): WhkError {
  return usage('nothing_selected', `--only ${only} matches none of the ${recorded} recorded event${recorded === 1 ? '' : 's'}${types.length ? ` (types: ${types.join(', ')})` : ''}`);
}

// Hop-by-hop headers (RFC 9110 §7.6.1) and those the HTTP client computes for the new connection.
const DROP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'expect']);

/** The target URL of a recorded request: --to's origin and path, the recorded path appended. */
export function targetUrl(to: URL, recordedPath: string): URL {
  // Origin-form paths are read as paths: "//a/b" is the path //a/b, not the host a.
  const rec = new URL(recordedPath.startsWith('/') ? `http://x${recordedPath}` : recordedPath || '/', 'http://x');
  const base = to.pathname.replace(/\/+$/, '');
  const u = new URL(to.href);
  u.pathname = base + rec.pathname;
  u.search = rec.search || to.search;
  return u;
}

export interface Resign {
  /** Where a record's scheme is found by its recorded name, and signature headers are recognised. */
  registry: Registry;
  /** A fixed scheme (--scheme), or undefined to use each record's detected one. */
  scheme?: Scheme;
  secrets: Secret[];
  /** Unix seconds to sign with (now). */
  now: () => number;
  /** The URL to sign for square/twilio (default: the target URL). */
  signUrl?: string;
}

export type ReplayRequest = OutRequest & { resigned?: string; bodyEdit?: string };

/**
 * The request that replays `rec` to `url`: the recorded method, headers (minus hop-by-hop ones)
 * and exact body bytes. With `resign`, the scheme's own headers are replaced by a fresh signature
 * (fresh timestamp; fresh message id where the scheme has one), and a timestamp kept in the body
 * (Dfns timestampSent, Linear webhookTimestamp) is rewritten in place. Throws a WhkError when the
 * event cannot be re-signed (no scheme, no body timestamp, a secret the scheme cannot use).
 */
export function replayRequest(rec: EventRecord, url: URL, resign?: Resign): ReplayRequest {
  let body = recordBody(rec);
  const headers: Array<[string, string]> = Object.entries(rec.headers).filter(([k]) => !DROP.has(k.toLowerCase()));
  let resigned: string | undefined;
  let bodyEdit: string | undefined;
  if (resign) {
    const schemeName = resign.scheme?.name ?? rec.scheme;
    if (!schemeName) throw usage('no_scheme', 'recorded without a detected scheme: pass --scheme <name> to re-sign it');
    const scheme = resign.scheme ?? resign.registry.get(schemeName);
    const now = resign.now();
    // Dfns signs timestampSent inside the body: re-signing means changing that number. The edit
    // is the smallest possible (the digits only, in place), so everything else stays byte-exact.
    const moved = setBodyTimestamp(scheme, body, now);
    if (moved.field && !moved.rewritten) {
      throw usage('no_body_timestamp', `${scheme.name} keeps its timestamp in the body's ${moved.field}, and this body has none to re-sign`);
    }
    if (moved.rewritten) bodyEdit = `${moved.field} set to now`;
    body = moved.body;
    const own = new Set(scheme.headers.map((h) => h.toLowerCase()));
    const signedHeaders = new Set([...(scheme.definition?.signs ?? '').matchAll(/\{header:([^}]+)\}/g)].map((m) => m[1]!.toLowerCase()));
    // Every signature the recording carries is stale once re-signed, not only the chosen scheme's.
    const stale = staleSignatures(resign.registry, rec.headers, signedHeaders);
    const kept = headers.filter(([k]) => !own.has(k.toLowerCase()) && !stale.has(k.toLowerCase()));
    // A scheme that signs inside the body (Mailgun) writes a fresh signature there.
    const signed = signDelivery(scheme, {
      body,
      secrets: resign.secrets,
      timestamp: now,
      id: scheme.headers.some((h) => /-id$/i.test(h)) ? msgId() : undefined,
      url: resign.signUrl ?? url.href,
      method: (rec.method || 'POST').toUpperCase(),
      // Headers a definition signs besides its own ({header:Name}) keep their recorded values; the
      // scheme's own (timestamp, id, signature) are made anew.
      headers: Object.fromEntries(headers.filter(([k]) => !own.has(k.toLowerCase()) || signedHeaders.has(k.toLowerCase()))),
    });
    const fresh = signed.headers;
    if (scheme.signBody) {
      body = signed.body;
      bodyEdit = bodyEdit ?? 'signature inside the body set anew';
    }
    headers.length = 0;
    headers.push(...kept, ...Object.entries(fresh));
    resigned = scheme.name;
  }
  return {
    method: (rec.method || 'POST').toUpperCase(),
    path: url.pathname + url.search,
    headers: headers.flat(),
    body,
    id: rec.eventId ?? undefined,
    resigned,
    bodyEdit,
  };
}

/**
 * The signature headers of a recording (lower-cased): those of every scheme its headers show
 * (X-Hub-Signature-256 and X-Hub-Signature both, for GitHub), and any other that is named as a
 * signature; not the headers a re-signing definition signs ({header:Name}).
 */
function staleSignatures(registry: Registry, headers: Record<string, string>, signed: ReadonlySet<string>): Set<string> {
  const known = registry.derive(signatureHeaders);
  const names = new Set(Object.keys(headers).map((k) => k.toLowerCase()).filter((k) => isSignatureHeader(k, known)));
  for (const s of registry.detect(headers)) {
    for (const h of s.headers) if (isSignatureHeader(h, known) || h === s.headers[0]) names.add(h.toLowerCase());
  }
  for (const h of signed) names.delete(h);
  return names;
}

// RFC 9110 §5.6.2: a token (header names, methods).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 9110 §5.5: a field value is visible characters, obs-text, spaces and tabs (what undici checks too).
const BAD_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/u;

const shown = (s: string, n = 40) => JSON.stringify(s.length > n ? `${s.slice(0, n)}…` : s);

/**
 * What an HTTP client must refuse in `req`, checked before it is handed to one (RFC 9110: the
 * method and header names are tokens; header values have no CR, LF, NUL or other controls).
 * Pure; undefined when the request can be sent.
 */
export function requestProblem(req: Pick<OutRequest, 'method' | 'headers'>): Problem | undefined {
  const m = req.method;
  if (typeof m !== 'string' || !TOKEN.test(m)) {
    return { code: 'bad_method', message: `the method ${typeof m === 'string' ? shown(m) : String(m)} is not an HTTP method (a token: letters, digits, !#$%&'*+-.^_\`|~)` };
  }
  if (m === 'CONNECT') return { code: 'bad_method', message: 'CONNECT asks for a tunnel: it cannot be replayed as a delivery' };
  const h = req.headers;
  for (let i = 0; i < h.length; i += 2) {
    const name = h[i] as unknown;
    const value = h[i + 1] as unknown;
    if (typeof name !== 'string' || !TOKEN.test(name)) {
      return { code: 'bad_header', message: `the header name ${shown(String(name))} is not a token: no HTTP client can send it` };
    }
    if (typeof value !== 'string') return { code: 'bad_header', message: `the header ${name} has no text value (${value === null ? 'null' : typeof value})` };
    const bad = BAD_VALUE_CHAR.exec(value);
    if (bad) {
      const c = bad[0];
      const what = c === '\r' || c === '\n' ? 'a line break (CR or LF)' : c === '\0' ? 'a NUL byte' : `the character U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      return { code: 'bad_header', message: `the header ${name} has ${what} in its value: no HTTP client can send it as recorded` };
    }
  }
  return undefined;
}

/** An event made ready to send, or why it cannot be. */
export type Prepared =
  | { ok: true; req: ReplayRequest; url: URL }
  | { ok: false; problem: Problem; method: string | null; url: URL | null };

/**
 * Everything between a parsed record and the HTTP client: the target URL, the request (re-signed
 * with `resign`), and the checks the client would otherwise fail on. Never throws.
 */
export function prepare(rec: EventRecord, to: URL, resign?: Resign): Prepared {
  let url: URL | null = null;
  let method: string | null = typeof rec.method === 'string' ? rec.method : null;
  try {
    url = targetUrl(to, rec.path ?? '/');
    const req = replayRequest(rec, url, resign);
    method = req.method;
    const problem = requestProblem(req);
    return problem ? { ok: false, problem, method, url } : { ok: true, req, url };
  } catch (e) {
    const problem = e instanceof WhkError ? { code: e.code, message: e.message }
      : url === null ? { code: 'bad_record', message: `the path ${shown(String(rec.path))} is not a URL path` }
      : { code: 'bad_record', message: (e as Error)?.message ?? String(e) };
    return { ok: false, problem, method, url };
  }
}
