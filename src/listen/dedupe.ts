import { createHash } from 'node:crypto';

/**
 * A bounded least-recently-used map: the listener's memory of event ids (duplicates) and of
 * delivery counts (--fail-first). At most `capacity` entries; keys longer than 200 characters
 * are replaced by their SHA-256, so a client sending huge ids cannot grow memory either.
 */
export class Lru<V> {
  private readonly map = new Map<string, V>();

  constructor(readonly capacity = 10_000) {
    if (!(capacity >= 1)) throw new RangeError('capacity must be >= 1');
  }

  get size(): number {
    return this.map.size;
  }

  /** The value, refreshed as most recently used; undefined when absent. */
  get(key: string): V | undefined {
    return this.refresh(boundKey(key));
  }

  /**
   * The value, refreshed as most recently used; when absent, `value` is set instead (evicting as
   * `set` does) and undefined returned. One key and one lookup, where `get` then `set` made two.
   */
  getOrSet(key: string, value: V): V | undefined {
    const k = boundKey(key);
    const v = this.refresh(k);
    if (v === undefined) this.put(k, value);
    return v;
  }

  /** Sets the value as most recently used, evicting the least recently used beyond capacity. */
  set(key: string, value: V): void {
    this.put(boundKey(key), value);
  }

  private refresh(k: string): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }

  private put(k: string, value: V): void {
    this.map.delete(k);
    this.map.set(k, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as string);
  }
}

export const boundKey = (key: string): string => (key.length <= 200 ? key : `#${createHash('sha256').update(key).digest('base64')}`);

/**
 * Duplicate detection: the first sequence number seen for each (scheme, event id). The listener
 * checks and remembers accepted deliveries only, so a forged copy can neither look like a
 * duplicate nor make the real event look like one.
 */
export class Dedupe {
  private readonly seen: Lru<number>;

  constructor(capacity = 10_000) {
    this.seen = new Lru(capacity);
  }

  /** Sequence number of the first delivery of this event; undefined when it is new, and then `seq` is remembered as its first. */
  firstSeen(scheme: string | null, eventId: string, seq: number): number | undefined {
    return this.seen.getOrSet(`${scheme ?? ''}\n${eventId}`, seq);
  }

  get size(): number {
    return this.seen.size;
  }
}
