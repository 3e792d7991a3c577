import type { EventRecord } from '../record.js';

/**
 * What the inspector shows: deliveries (from history and live from the listener) and the replays
 * made from the page, each under an id of the inspector's own (sequence numbers repeat across
 * listener sessions). Held in memory, newest last, within a count and a byte budget: the oldest
 * leave first (history keeps them on disk).
 */

/** A replay made from the page: what was asked and what the target answered. */
export interface ReplayMark {
  of: number;
  mode: ReplayMode;
  url: string;
  status: number | null;
  ms: number;
  error: string | null;
  /** Why it was sent without a fresh signature, or what was re-signed. */
  note: string | null;
}

export type ReplayMode = 'original' | 'resign' | 'edit';

export interface Delivery {
  id: number;
  /** The listener session it came from, when known (history). */
  session: string | null;
  record: EventRecord;
  replay?: ReplayMark;
}

/** One row of the list: what the page filters and shows, no headers or body. */
export interface Summary {
  id: number;
  session: string | null;
  seq: number;
  at: string;
  method: string;
  path: string;
  provider: string | null;
  eventType: string | null;
  eventId: string | null;
  /** `valid`, a reason code (`no_match`, ...), or `unverified` (no secret). */
  verdict: string;
  status: number;
  duplicateOf: number | null;
  filtered: boolean;
  forward: string | null;
  replay: ReplayMark | null;
}

export interface Limits {
  /** Deliveries kept in memory. */
  count: number;
  /** Body bytes kept in memory. */
  bytes: number;
}

const DEFAULT_LIMITS: Limits = { count: 50_000, bytes: 256 * 1024 * 1024 };

/**
 * Each delivery is kept as its JSON line (one flat string), not as an object graph: thousands of
 * them held for the page cost the listener's garbage collector next to nothing. They are parsed
 * back when the page asks.
 */
interface Stored {
  id: number;
  session: string | null;
  line: string;
  replay?: ReplayMark;
  /** Its row of the live list as a server-sent event, made the first time a page asks. */
  frame?: Buffer;
}

export class Deliveries {
  private items: Stored[] = [];
  /** Index in `items` of the first one not yet evicted (evicted ones are cut in batches). */
  private head = 0;
  private nextId = 1;
  private bytes = 0;
  private readonly listeners = new Set<(d: Delivery) => void>();
  private readonly limits: Limits;

  constructor(limits: Partial<Limits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** `line`: the record as JSON, when the listener made it already (its NDJSON line). */
  add(record: EventRecord, session: string | null = null, replay?: ReplayMark, line = JSON.stringify(record)): Delivery {
    const d: Delivery = { id: this.nextId++, session, record, ...(replay ? { replay } : {}) };
    this.items.push({ id: d.id, session, line, ...(replay ? { replay } : {}) });
    this.bytes += line.length;
    while (this.items.length - this.head > this.limits.count || (this.bytes > this.limits.bytes && this.items.length - this.head > 1)) {
      const gone = this.items[this.head]!;
      this.bytes -= gone.line.length + (gone.frame?.length ?? 0);
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    for (const l of this.listeners) l(d);
    return d;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  get(id: number): Delivery | undefined {
    // Ids are consecutive: the one asked for is at a known place.
    const first = this.items[this.head];
    if (!first || !Number.isSafeInteger(id)) return undefined;
    const s = this.items[this.head + id - first.id];
    return s?.id === id ? parsed(s) : undefined;
  }

  /** Deliveries with an id above `afterId`, oldest first, at most `max`. */
  after(afterId: number, max = Infinity): Delivery[] {
    const first = this.items[this.head];
    if (!first) return [];
    const from = this.head + Math.max(0, afterId + 1 - first.id);
    return this.items.slice(from, Number.isFinite(max) ? from + max : undefined).map(parsed);
  }

  /**
   * The live list's server-sent events for the deliveries with an id above `afterId`, oldest
   * first, at most `max`: each frame is made once and shared by every page that reads it.
   */
  frames(afterId: number, max: number): Array<{ id: number; frame: Buffer }> {
    const first = this.items[this.head];
    if (!first) return [];
    const from = this.head + Math.max(0, afterId + 1 - first.id);
    const out: Array<{ id: number; frame: Buffer }> = [];
    for (let i = from; i < this.items.length && out.length < max; i++) {
      const s = this.items[i]!;
      if (!s.frame) {
        s.frame = Buffer.from(`id: ${s.id}\nevent: delivery\ndata: ${JSON.stringify(summary(parsed(s)))}\n\n`);
        this.bytes += s.frame.length;
      }
      out.push({ id: s.id, frame: s.frame });
    }
    return out;
  }

  /** Called with each delivery added; returns the unsubscribe function. */
  onAdd(listener: (d: Delivery) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Deliveries of the same provider event (same scheme and event id) as `d`, itself excluded. */
  sameEvent(d: Delivery): number[] {
    const { eventId, scheme } = d.record;
    if (eventId === null || d.replay) return [];
    const quoted = JSON.stringify(eventId);
    return this.ids((s) => s.id !== d.id && !s.replay && s.line.includes(quoted), (o) => o.record.eventId === eventId && o.record.scheme === scheme);
  }

  /** Ids of the deliveries whose headers or body text contain `text` (case-insensitive). */
  search(text: string): number[] {
    const needle = text.toLowerCase();
    // Only lines that hold the text, as JSON writes it, can match: only those are parsed.
    const escaped = JSON.stringify(needle).slice(1, -1);
    return this.ids((s) => needle === '' || s.line.toLowerCase().includes(escaped), (d) => needle === '' || matches(d, needle));
  }

  private ids(maybe: (s: Stored) => boolean, sure: (d: Delivery) => boolean): number[] {
    const out: number[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const s = this.items[i]!;
      if (maybe(s) && sure(parsed(s))) out.push(s.id);
    }
    return out;
  }
}

const parsed = (s: Stored): Delivery => ({ id: s.id, session: s.session, record: JSON.parse(s.line) as EventRecord, ...(s.replay ? { replay: s.replay } : {}) });

function matches(d: Delivery, needle: string): boolean {
  const r = d.record;
  if (r.bodyEncoding !== 'base64' && r.body.toLowerCase().includes(needle)) return true;
  for (const k in r.headers) {
    if (k.includes(needle) || String(r.headers[k]).toLowerCase().includes(needle)) return true;
  }
  return r.path.toLowerCase().includes(needle);
}

export function summary(d: Delivery): Summary {
  const r = d.record;
  const f = r.forward;
  return {
    id: d.id,
    session: d.session,
    seq: r.seq,
    at: r.receivedAt,
    method: r.method,
    path: r.path,
    provider: r.scheme,
    eventType: r.eventType,
    eventId: r.eventId,
    verdict: r.verdict === null ? 'unverified' : r.verdict.valid ? 'valid' : r.verdict.reason,
    status: r.response.status,
    duplicateOf: r.duplicate && r.duplicateOf !== undefined ? r.duplicateOf : null,
    filtered: r.filtered,
    forward: f === undefined ? null : 'error' in f ? `failed: ${f.error}` : `${f.status} in ${f.ms} ms`,
    replay: d.replay ?? null,
  };
}
