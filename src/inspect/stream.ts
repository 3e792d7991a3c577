import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Deliveries } from './deliveries.js';

/**
 * The live list (server-sent events) of every open page, within budgets no page can shift:
 *  - each delivery's frame is made once (Deliveries.frames) and written to every stream as it is;
 *  - at most MAX_LIVE_PAGES streams at a time: the next one gets 503;
 *  - a stream is written only while it reads: once its buffer reaches its high-water mark
 *    (16 KB) it waits for 'drain', and the rest stays in the shared list, so no more than that
 *    and one frame ever waits in memory for one page; one that has not read for STALLED_MS is
 *    dropped, and its browser reconnects with Last-Event-ID where it left off.
 */
export const MAX_LIVE_PAGES = 32;
const STALLED_MS = 30_000;
/** Frames written per turn to one stream before the next stream's turn. */
const BATCH = 64;

interface Stream {
  res: ServerResponse;
  /** The id of the last delivery written to it. */
  cursor: number;
  /** Set while its buffer is full: it is dropped if no 'drain' comes before. */
  stalled?: NodeJS.Timeout;
}

export class LiveStreams {
  private readonly open = new Set<Stream>();
  private scheduled = false;
  private readonly off: () => void;

  constructor(private readonly deliveries: Deliveries, private readonly headers: Record<string, string>) {
    this.off = deliveries.onAdd(() => this.schedule());
  }

  get size(): number {
    return this.open.size;
  }

  /** Starts a stream on `res`; false (nothing written) when MAX_LIVE_PAGES are open already. */
  start(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.open.size >= MAX_LIVE_PAGES) return false;
    res.writeHead(200, { ...this.headers, 'content-type': 'text/event-stream; charset=utf-8' });
    res.write('retry: 1000\n\n');
    const s: Stream = { res, cursor: Number(req.headers['last-event-id']) || 0 };
    this.open.add(s);
    res.on('drain', () => {
      clearTimeout(s.stalled);
      s.stalled = undefined;
      this.pump(s);
    });
    res.on('close', () => {
      clearTimeout(s.stalled);
      this.open.delete(s);
    });
    this.pump(s);
    return true;
  }

  close(): void {
    this.off();
    for (const s of this.open) s.res.destroy();
  }

  /** A burst of deliveries is written in one pass, on the next turn. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (const s of this.open) this.pump(s);
    });
  }

  private pump(s: Stream): void {
    const { res } = s;
    while (!s.stalled && !res.destroyed) {
      const batch = this.deliveries.frames(s.cursor, BATCH);
      if (batch.length === 0) return;
      let room = true;
      res.cork();
      for (const f of batch) {
        room = res.write(f.frame);
        s.cursor = f.id;
        if (!room) break;
      }
      res.uncork();
      if (!room) s.stalled = setTimeout(() => res.destroy(), STALLED_MS);
    }
  }
}
