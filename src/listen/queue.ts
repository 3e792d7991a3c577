/**
 * What the listener needs of the forwarding queue (--queue): a delivery it accepted is handed
 * over, journaled on disk before the sender gets its 2xx, and delivered later to each target, in
 * order per target, with retries (src/listen/queue-runner.ts, over src/history/queue-journal.ts).
 */
import type { PutRecord } from '../history/queue-journal.js';

/** A delivery as the listener hands it over: the journal's record, before it has an id. */
export type QueuedDelivery = Omit<PutRecord, 't' | 'id' | 'at' | 'body'> & {
  /** ISO 8601. */
  receivedAt: string;
  body: Buffer;
};

export interface Queue {
  /**
   * Journals the delivery (written before this returns); its queue id, or why it could not be
   * (the sender then gets 503 and retries).
   */
  enqueue(d: QueuedDelivery): { ok: true; id: string } | { ok: false; error: string };
  /**
   * Stops delivering (a shutdown): a delivery in flight may finish within `graceMs`, or until
   * `hurried` settles, and is then marked as it ended; past that it is cut off and stays pending.
   */
  close(graceMs?: number, hurried?: Promise<void>): Promise<void>;
  /** Deliveries not yet delivered (one per target), failed ones aside. */
  readonly pending: number;
}
