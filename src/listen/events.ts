import type { EventRecord } from '../record.js';
import type { Verdict } from '../schemes/types.js';

/**
 * What the listener emits: plain data, no terminal knowledge. Renderers (src/render/event.ts)
 * turn these into pretty lines or NDJSON.
 */

/** A request that never became an event (NDJSON `{"type":"rejected",...}`; not recorded). */
export interface RejectedRecord {
  type: 'rejected';
  seq: number;
  receivedAt: string;
  method: string | null;
  path: string | null;
  reason: 'body_too_large' | 'aborted' | 'malformed_request' | 'headers_too_large' | 'timeout' | 'outside_path' | 'bad_path' | 'forward_loop' | 'internal_error';
  message: string;
  /** null when nothing could be answered (the client was gone). */
  response: { status: number } | null;
}

/** One delivery, answered. */
export interface EventMessage {
  kind: 'event';
  record: EventRecord;
  /** The full verdict (null without a secret). */
  verdict: Verdict | null;
  /** The body parsed once by the listener: JSON, or form parameters; undefined otherwise. */
  parsed?: unknown;
  /** Set when the body looked like JSON but is not. */
  jsonError?: string;
  /** With --forward-to: where it went and, on success, what the app answered (a preview). */
  forward?: { url: string; status: number; ms: number; error?: string; body?: string };
  /** The record's NDJSON line (with its newline), once the session wrote it somewhere: made once, reused. */
  line?: string;
}

export interface RejectedMessage {
  kind: 'rejected';
  record: RejectedRecord;
}

/** Something the user should know that is not about one request (tunnel reconnecting, ...). */
export interface WarningMessage {
  kind: 'warning';
  message: string;
}

/** What the forwarding queue (--queue) did with a delivery for one target: delivered, retrying, given up. */
export interface DeliveryRecord {
  type: 'delivery';
  /** Its queue id. */
  id: string;
  /** The event's #seq (of the session that received it). */
  seq: number;
  /** The target's URL (a password masked). */
  target: string;
  state: 'delivered' | 'retrying' | 'failed';
  attempt: number;
  status?: number;
  error?: string;
  ms?: number;
  /** When it is tried again (ISO 8601), for `retrying`. */
  next?: string;
}

export interface DeliveryMessage {
  kind: 'delivery';
  record: DeliveryRecord;
}

/**
 * The tunnel (--tunnel) came back after a drop: its public URL now, and whether it changed (the
 * provider's webhook URL must then change too). An NDJSON line for scripts that update it.
 */
export interface TunnelRecord {
  type: 'tunnel';
  /** The tunnel, as whk names it ("ssh tunnel via localhost.run"). */
  tunnel: string;
  publicUrl: string;
  previousUrl: string;
  changed: boolean;
}

export interface TunnelMessage {
  kind: 'tunnel';
  record: TunnelRecord;
}

export type ListenerEvent = EventMessage | RejectedMessage | WarningMessage | DeliveryMessage | TunnelMessage;

/** Counters for the summary and --expect. */
export interface ListenerStats {
  /** Deliveries that became events. */
  events: number;
  valid: number;
  invalid: number;
  unverified: number;
  duplicates: number;
  filtered: number;
  forwarded: number;
  forwardFailed: number;
  /** Requests refused before becoming events (413, malformed, aborted, ...). */
  rejected: number;
}

/** What the ready lines say about the configuration. */
export interface ReadyInfo {
  url: string;
  publicUrl: string | null;
  /** The inspector page, when it is on. */
  inspectUrl?: string | null;
  scheme: string;
  secrets: number;
  host: string;
  forwardTo?: string;
  events?: readonly string[];
  record?: string;
  expect?: number;
  injections?: string[];
  /** The mounts (--mount, whk.json): each path, its scheme and how many secrets. */
  mounts?: Array<{ path: string; scheme: string; secrets: number }>;
  /** The routes, as "<match> → <url>, <url>". */
  routes?: string[];
  /** --queue: deliveries are journaled and delivered with retries. */
  queue?: boolean;
}
