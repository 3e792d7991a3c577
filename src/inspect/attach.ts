import type { ListenerEvent } from '../listen/events.js';
import type { Registry } from '../schemes/registry.js';
import type { Scheme } from '../schemes/types.js';
import type { Signer } from './actions.js';
import { Deliveries } from './deliveries.js';
import { loadHistory } from './history.js';
import { INSPECTOR_MAX_SOCKETS, startInspector, type Inspector, type QueueAccess } from './server.js';

/**
 * The inspector of a `whk listen` run: it takes the listener's events as they are emitted (from
 * the start, so none is missed) and serves the page once the listener's URL is known. Imported
 * only when the inspector is on.
 */
export class ListenInspector {
  readonly deliveries = new Deliveries();
  /** File descriptors the inspector may hold: the listener keeps them out of its own connection budget. */
  readonly maxSockets = INSPECTOR_MAX_SOCKETS;
  private server: Inspector | undefined;
  /** The listener's emit (from tap): how the inspector's own warnings reach the user. */
  private emit: ((e: ListenerEvent) => void) | undefined;

  constructor(private readonly o: { registry: Registry; port?: number; forwardTo?: string; secrets: string[]; scheme?: Scheme; path: string; session?: string }) {}

  /** Wraps the listener's `emit`: every event goes on to the session, and deliveries to the page too. */
  tap(emit: (e: ListenerEvent) => void): (e: ListenerEvent) => void {
    this.emit = emit;
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

  /**
   * Serves the page; returns its address with the run's key (http://127.0.0.1:<port>/?key=...),
   * for the listener's ready line and record only. When 4040-4050 are all taken it goes to any
   * free port and says so, as a warning of the listener's (through tap's emit).
   */
  async start(listenerUrl: string, queue?: QueueAccess): Promise<string> {
    const signer: Signer = this.o.secrets.length > 0
      ? { ok: true, secrets: this.o.secrets, scheme: this.o.scheme }
      : { ok: false, why: 'the listener has no secret (start whk listen with --secret, --secret-file or WHK_SECRET)' };
    this.server = await startInspector({
      queue,
      registry: this.o.registry,
      port: this.o.port,
      deliveries: this.deliveries,
      signer,
      info: { mode: 'listen', listenerUrl, replayTo: this.o.forwardTo ?? listenerUrl, session: this.o.session ?? null },
      listenPath: this.o.path,
      onWarning: (message) => this.emit?.({ kind: 'warning', message }),
    });
    return this.server.url;
  }

  close(): Promise<void> {
    return this.server?.close() ?? Promise.resolve();
  }
}
