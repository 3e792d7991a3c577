import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * One request and its answer, from the moment its headers arrived until its event (or its
 * rejection) has been handed on: the owner of everything that request started. Its abort signal
 * fires when the sender hangs up before the answer was written (`sender_gone`) or when a shutdown
 * stops waiting (`shutdown`): a forward in flight, a `--delay` timer or a body still being read
 * listens to it and ends at once. Nothing the sender does can throw out of here.
 */
export type AbortWhy = 'sender_gone' | 'shutdown';

export class Exchange {
  private why: AbortWhy | undefined;
  private controller: AbortController | undefined;
  private waiting: Array<(why: AbortWhy) => void> | undefined;
  private over = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    /** ms since the epoch. */
    readonly receivedAt: number,
    private readonly onOver: (x: Exchange) => void,
  ) {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    res.on('close', () => {
      if (!res.writableFinished) this.stop('sender_gone');
    });
  }

  /** Aborted when the exchange is cut short (made on first use: most exchanges never need one). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.why) this.controller.abort(this.why);
    }
    return this.controller.signal;
  }

  /** Why the exchange was cut short, if it was. */
  get aborted(): AbortWhy | undefined {
    return this.why;
  }

  /** Cuts the exchange short: whatever waits on it ends now; a body still being read at a shutdown is cut off. */
  stop(why: AbortWhy): void {
    if (this.why || this.over) return;
    this.why = why;
    if (why === 'shutdown' && !this.req.complete) this.req.destroy();
    this.controller?.abort(why);
    for (const f of this.waiting ?? []) f(why);
    this.waiting = undefined;
  }

  /** Runs `f` once, when the exchange is cut short (at once if it already was). */
  onAbort(f: (why: AbortWhy) => void): void {
    if (this.why) return f(this.why);
    (this.waiting ??= []).push(f);
  }

  /** The exchange is over for the listener: its event or rejection has been handed on. */
  end(): void {
    if (this.over) return;
    this.over = true;
    this.onOver(this);
  }
}

/**
 * The exchanges admitted and not yet over: what a graceful shutdown waits for (as Go's
 * `Server.Shutdown` does), and what it cuts short when the wait is over.
 */
export class InFlight {
  private readonly open = new Set<Exchange>();
  private waiters: Array<() => void> = [];

  admit(req: IncomingMessage, res: ServerResponse, receivedAt: number): Exchange {
    const x = new Exchange(req, res, receivedAt, (done) => {
      this.open.delete(done);
      if (this.open.size === 0) this.wake();
    });
    this.open.add(x);
    return x;
  }

  get size(): number {
    return this.open.size;
  }

  /** Resolves once no exchange is open (at once if none is). */
  drained(): Promise<void> {
    if (this.open.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Every connection with an exchange not yet answered closes after its answer (a shutdown began). */
  closeAfterAnswer(): void {
    for (const x of this.open) if (!x.res.headersSent) x.res.shouldKeepAlive = false;
  }

  /** Cuts every open exchange short. */
  stopAll(why: AbortWhy): void {
    for (const x of [...this.open]) x.stop(why);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
