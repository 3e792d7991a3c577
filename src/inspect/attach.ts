import type { ListenerEvent } from '../listen/events.js';
import type { Scheme } from '../schemes/types.js';
import type { Signer } from './actions.js';
import { Deliveries } from './deliveries.js';
import { loadHistory } from './history.js';
import { startInspector, type Inspector } from './server.js';

/**
 * The inspector of a `whk listen` run: it takes the listener's events as they are emitted (from
 * the start, so none is missed) and serves the page once the listener's URL is known. Imported
 * only when the inspector is on.
 */
export class ListenInspector {
  readonly deliveries = new Deliveries();
  private server: Inspector | undefined;

  constructor(private readonly o: { port?: number; forwardTo?: string; secrets: string[]; scheme?: Scheme; path: string; session?: string }) {}

  /** Wraps the listener's `emit`: every event goes on to the session, and deliveries to the page too. */
  tap(emit: (e: ListenerEvent) => void): (e: ListenerEvent) => void {
    return (e) => {
      emit(e);
      if (e.kind === 'event') this.deliveries.add(e.record, this.o.session ?? null, undefined, e.line?.trimEnd());
    };
  }

  /**
   * The newest `max` deliveries of earlier sessions, listed below this one's: called before the
   * listener starts, so that they come before its first delivery.
   */
  async loadHistory(dir: string, max: number, onWarning: (m: string) => void): Promise<void> {
    await loadHistory(this.deliveries, max, onWarning, dir).catch((e: Error) => onWarning(`the inspector could not read the history: ${e.message}`));
  }

  async start(listenerUrl: string): Promise<string> {
    const signer: Signer = this.o.secrets.length > 0
      ? { ok: true, secrets: this.o.secrets, scheme: this.o.scheme }
      : { ok: false, why: 'the listener has no secret (start whk listen with --secret, --secret-file or WHK_SECRET)' };
    this.server = await startInspector({
      port: this.o.port,
      deliveries: this.deliveries,
      signer,
      info: { mode: 'listen', listenerUrl, replayTo: this.o.forwardTo ?? listenerUrl },
      listenPath: this.o.path,
    });
    return this.server.url;
  }

  close(): Promise<void> {
    return this.server?.close() ?? Promise.resolve();
  }
}
