import { sign } from '../schemes/core.js';
import { usage } from '../schemes/errors.js';
import { getScheme } from '../schemes/registry.js';
import type { Scheme, Secret } from '../schemes/types.js';
import { recordBody, type EventRecord } from '../record.js';
import { setBodyTimestamp } from './body-timestamp.js';
import type { OutRequest } from './build.js';
import { msgId } from './samples/ids.js';

export interface Recording {
  events: EventRecord[];
  /** Non-blank lines that are not JSON objects (a truncated last line, a stray log line). */
  unparseable: number;
  /** JSON lines of other types (ready, summary, ...), skipped. */
  skipped: number;
}

/** Reads `whk listen --record` NDJSON: the `type: "event"` lines, in file order. */
export function parseRecording(text: string): Recording {
  const events: EventRecord[] = [];
  let unparseable = 0;
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      unparseable++;
      continue;
    }
    const r = o as Partial<EventRecord> | null;
    if (!r || typeof r !== 'object') unparseable++;
    else if (r.type !== 'event') skipped++;
    else if (typeof r.body !== 'string' || typeof r.headers !== 'object' || r.headers === null) unparseable++;
    else events.push(r as EventRecord);
  }
  return { events, unparseable, skipped };
}

/**
 * `--only 3,7-9,wh-abc,wallet.transfer.confirmed`: sequence numbers (and ranges), event ids or
 * event types. A usage error when nothing matches, naming what the recording holds.
 */
export function selectEvents(events: EventRecord[], only: string | undefined): EventRecord[] {
  if (only === undefined) return events;
  const tokens = only.split(',').map((t) => t.trim()).filter(Boolean);
  if (tokens.length === 0) throw usage('bad_only', '--only is empty: give sequence numbers, event ids or types, comma-separated');
  const picked = events.filter((e) =>
    tokens.some((t) => {
      const range = /^(\d+)-(\d+)$/.exec(t);
      if (range) return e.seq >= Number(range[1]) && e.seq <= Number(range[2]);
      if (/^\d+$/.test(t) && e.seq === Number(t)) return true;
      return t === e.eventId || t === e.eventType;
    }),
  );
  if (picked.length === 0) {
    const types = [...new Set(events.map((e) => e.eventType).filter(Boolean))].slice(0, 8);
    throw usage('nothing_selected', `--only ${only} matches none of the ${events.length} recorded events${types.length ? ` (types: ${types.join(', ')})` : ''}`);
  }
  return picked;
}

// Hop-by-hop headers (RFC 9110 §7.6.1) and those the HTTP client computes for the new connection.
const DROP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'expect']);

/** The target URL of a recorded request: --to's origin and path, the recorded path appended. */
export function targetUrl(to: URL, recordedPath: string): URL {
  const rec = new URL(recordedPath || '/', 'http://x');
  const base = to.pathname.replace(/\/+$/, '');
  const u = new URL(to.href);
  u.pathname = base + rec.pathname;
  u.search = rec.search || to.search;
  return u;
}

export interface Resign {
  /** A fixed scheme (--scheme), or undefined to use each record's detected one. */
  scheme?: Scheme;
  secrets: Secret[];
  /** Unix seconds to sign with (now). */
  now: () => number;
  /** The URL to sign for square/twilio (default: the target URL). */
  signUrl?: string;
}

/**
 * The request that replays `rec` to `url`: the recorded method, headers (minus hop-by-hop ones)
 * and exact body bytes. With `resign`, the scheme's own headers are replaced by a fresh signature
 * (fresh timestamp; fresh message id where the scheme has one), and a timestamp kept in the body
 * (Dfns timestampSent, Linear webhookTimestamp) is rewritten in place.
 */
export function replayRequest(rec: EventRecord, url: URL, resign?: Resign): OutRequest & { resigned?: string; bodyEdit?: string } {
  let body = recordBody(rec);
  const headers: Array<[string, string]> = Object.entries(rec.headers).filter(([k]) => !DROP.has(k.toLowerCase()));
  let resigned: string | undefined;
  let bodyEdit: string | undefined;
  if (resign) {
    const schemeName = resign.scheme?.name ?? rec.scheme;
    if (!schemeName) throw usage('no_scheme', `event #${rec.seq} was recorded without a detected scheme: pass --scheme <name> to re-sign it`);
    const scheme = resign.scheme ?? getScheme(schemeName);
    const now = resign.now();
    // Dfns signs timestampSent inside the body: re-signing means changing that number. The edit
    // is the smallest possible (the digits only, in place), so everything else stays byte-exact.
    const moved = setBodyTimestamp(scheme.name, body, now);
    if (moved.field && !moved.rewritten) {
      throw usage('no_body_timestamp', `event #${rec.seq}: ${scheme.name} keeps its timestamp in the body's ${moved.field}, and this body has none to re-sign`);
    }
    if (moved.rewritten) bodyEdit = `${moved.field} set to now`;
    body = moved.body;
    const own = new Set(scheme.headers.map((h) => h.toLowerCase()));
    const kept = headers.filter(([k]) => !own.has(k.toLowerCase()));
    const fresh = sign(scheme, {
      body,
      secrets: resign.secrets,
      timestamp: now,
      id: scheme.headers.some((h) => /-id$/i.test(h)) ? msgId() : undefined,
      url: resign.signUrl ?? url.href,
    });
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
