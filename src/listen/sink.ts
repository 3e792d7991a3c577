/**
 * Where the listener's lines go (stdout): written in batches, with backpressure, and failures
 * kept. `write` answers false while the reader is behind (more than `highWater` bytes waiting):
 * the listener then stops reading requests until `onDrain`. Nothing is dropped: a line is
 * either written or counted in `lost` with the error that lost it.
 */
export interface Writable {
  write(chunk: string, cb?: (err?: Error | null) => void): boolean;
  writableLength?: number;
  once(event: 'drain', listener: () => void): unknown;
}

export class Sink {
  private pending = '';
  private pendingLines = 0;
  private scheduled = false;
  /** The first write error (EPIPE, ENOSPC, ...). */
  error: Error | undefined;
  /** Lines that could not be written. */
  lost = 0;
  private full = false;

  constructor(
    private readonly stream: Writable,
    private readonly hooks: { onFull?: () => void; onDrain?: () => void; onError?: (e: Error) => void } = {},
    private readonly highWater = 1024 * 1024,
  ) {}

  /** Queues one line (ending in \n); they go out together at the end of this turn of the event loop. */
  line(text: string): void {
    if (this.error) {
      this.lost++;
      return;
    }
    this.pending += text;
    this.pendingLines++;
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Writes what is queued now. */
  flush(): void {
    this.scheduled = false;
    if (this.pending === '') return;
    const text = this.pending;
    const lines = this.pendingLines;
    this.pending = '';
    this.pendingLines = 0;
    this.stream.write(text, (err) => {
      if (!err) return;
      this.lost += lines;
      if (!this.error) {
        this.error = err;
        this.hooks.onError?.(err);
      }
    });
    if (!this.full && (this.stream.writableLength ?? 0) > this.highWater) {
      this.full = true;
      this.hooks.onFull?.();
      this.stream.once('drain', () => {
        this.full = false;
        this.hooks.onDrain?.();
      });
    }
  }
}
