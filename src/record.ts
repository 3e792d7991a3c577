import type { Verdict } from './schemes/types.js';

/**
 * One line of `whk listen --json` / `--record` (NDJSON), read back by `whk replay`. A public
 * format: add fields, never rename or remove them.
 */
export interface EventRecord {
  type: 'event';
  seq: number;
  receivedAt: string;
  method: string;
  path: string;
  /** As received, names lower-cased. */
  headers: Record<string, string>;
  /** The body: UTF-8 text when it is valid UTF-8, base64 otherwise. */
  body: string;
  bodyEncoding: 'utf8' | 'base64';
  scheme: string | null;
  verdict: { valid: boolean; reason: string; message: string; diagnosis: string | null; [k: string]: unknown } | null;
  eventType: string | null;
  eventId: string | null;
  duplicate: boolean;
  /** Sequence number of the first delivery of the same event id. */
  duplicateOf?: number;
  filtered: boolean;
  /** The answer the sender got; 0 when the connection was closed without one (--drop). */
  response: { status: number };
  /** The provider's endpoint verification the listener answered itself (Meta's hub.challenge, ...). */
  handshake?: string;
  forward?: { status: number; ms: number } | { error: string; ms: number };
  /** The mount it came in by ('/stripe'), when the listener has mounts. */
  mount?: string | null;
  /** The route that took it (its match, as written), or null: none matched. Present when the listener has routes. */
  route?: string | null;
  /** One result per target it was forwarded to (or queued for: `state`). */
  forwards?: Array<{ url: string; status?: number; ms?: number; attempts: number; error?: string; state?: 'queued' | 'delivered' | 'failed' }>;
  /** Its id in the forwarding queue (--queue). */
  queued?: string;
  /** Failure injected into the answer (--delay, --fail-first, --fail-rate, --drop). */
  injected?: { delayMs?: number; drop?: true; fail?: 'fail-first' | 'fail-rate'; attempt?: number };
  /** A refused body over 64 KB is kept in part: its size, and how many bytes of it `body` holds. */
  bodyTruncated?: { bytes: number; kept: number };
  /** Dfns (and any body with these top-level fields): the delivery attempt, and the event it retries. */
  deliveryAttempt?: number;
  retryOf?: string;
  /** whk's own tunnel self-check (`x-whk-tunnel-check`): answered 200, not forwarded, not counted. */
  tunnelCheck?: true;
}

export interface ReadyRecord {
  type: 'ready';
  url: string;
  publicUrl: string | null;
  /** The inspector page (http://127.0.0.1:4040/), null when it is off. */
  inspectUrl: string | null;
  /** The listener's process id: `kill <pid>` stops it gracefully (exit 143), however it was started. */
  pid: number;
}

/** The body bytes of a record. */
export const recordBody = (r: Pick<EventRecord, 'body' | 'bodyEncoding'>): Buffer =>
  Buffer.from(r.body, r.bodyEncoding === 'base64' ? 'base64' : 'utf8');

/** The machine shape of a verdict: stable keys, `diagnosis` null when there is none. */
export const verdictJson = (v: Verdict) => ({
  valid: v.valid,
  scheme: v.scheme,
  reason: v.reason,
  message: v.message,
  diagnosis: v.valid ? null : (v.diagnosis ?? null),
  ...(v.valid ? { matched: v.matched, secretIndex: v.secretIndex } : {}),
  ...(v.age === undefined ? {} : { age: Math.round(v.age) }),
  // Schemes made from a definition say which check was made (whk's own code for a provider does not).
  ...(v.check === undefined ? {} : { check: v.check }),
  // A shared token compared, or a hash of body + secret: not a signature, and said so.
  ...(v.proof === undefined ? {} : { proof: v.proof }),
});
