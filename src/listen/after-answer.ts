/**
 * The work done after a request was answered (describing it, emitting its event), in arrival
 * order, a slice of at most `sliceMs` at a time so that answering new requests never waits long
 * behind it. A job may wait for something (the diagnosis of a no_match, in a worker thread): the
 * jobs behind it wait too, keeping the order.
 */
export class AfterAnswer {
  private readonly jobs: Array<{ run: () => void; ready: boolean }> = [];
  private readonly waiting = new Set<Promise<unknown>>();
  private scheduled = false;

  constructor(
    /** Told when a job throws (a bug of ours while describing an event already answered). */
    private readonly onError: (e: Error) => void,
    private readonly sliceMs = 5,
  ) {}

  /** Queues `run`, to run once `wait` (if any) has settled and every earlier job has run. */
  add(run: () => void, wait?: Promise<unknown>): void {
    const job = { run, ready: wait === undefined };
    this.jobs.push(job);
    if (!wait) return this.schedule();
    this.waiting.add(wait);
    const ready = () => {
      this.waiting.delete(wait);
      job.ready = true;
      this.schedule();
    };
    wait.then(ready, ready);
  }

  /** Runs every job, waiting for those that wait: the queue is empty when it resolves. */
  async drain(): Promise<void> {
    while (this.waiting.size > 0) await Promise.all([...this.waiting].map((w) => w.catch(() => undefined)));
    this.run(true);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.run(false));
  }

  private run(all: boolean): void {
    this.scheduled = false;
    const until = performance.now() + this.sliceMs;
    while (this.jobs.length > 0 && this.jobs[0]!.ready && (all || performance.now() < until)) {
      const job = this.jobs.shift()!;
      try {
        job.run();
      } catch (e) {
        this.onError(e as Error);
      }
    }
    if (this.jobs.length > 0 && this.jobs[0]!.ready) this.schedule();
  }
}
