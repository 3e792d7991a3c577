import { WhkError } from '../errors.js';
import type { TunnelAdapter } from './types.js';

/** One connection of a tunnel, up. */
export interface Link {
  /** Its public origin (https://abc.lhr.life). */
  url: string;
  /** Resolves, with why in a few words, when the connection is gone (the process exited, the server went). */
  dropped: Promise<string>;
  /** Ends it (kills and reaps a child process); never throws. */
  close(): Promise<void>;
}

/** Opens one connection; `signal` aborts it (close() while it is being opened). Rejects with a WhkError. */
export type Connect = (localUrl: string, signal: AbortSignal) => Promise<Link>;

export interface SupervisedOptions {
  /** For messages: "ssh tunnel via localhost.run". */
  name: string;
  connect: Connect;
  warn: (message: string) => void;
  /** Waits between reconnection attempts (ms): the last one repeats. */
  backoffMs?: readonly number[];
}

const BACKOFF = [500, 1_000, 2_000, 5_000, 10_000, 30_000];

/** Failures that trying again cannot fix: a host key that changed. */
const isFinal = (e: unknown) => e instanceof WhkError && e.code === 'tunnel_host_key';

/**
 * A tunnel that comes back when it drops: says so, reconnects with backoff, and tells the public
 * origin it came back on to `onUrl` listeners (the listener signs with it; the command says
 * whether it changed). A failure that trying again cannot fix (a host key that changed) stops it.
 */
export function supervised(o: SupervisedOptions): TunnelAdapter {
  const backoff = o.backoffMs ?? BACKOFF;
  const listeners: Array<(url: string) => void> = [];
  const stop = new AbortController();
  let link: Link | undefined;
  let localUrl = '';

  const reconnect = async (why: string): Promise<void> => {
    o.warn(`${o.name} dropped (${why}): reconnecting`);
    for (let attempt = 0; !stop.signal.aborted; attempt++) {
      await pause(backoff[Math.min(attempt, backoff.length - 1)]!, stop.signal);
      if (stop.signal.aborted) return;
      try {
        link = await o.connect(localUrl, stop.signal);
      } catch (e) {
        if (stop.signal.aborted) return;
        if (isFinal(e)) return o.warn(`${o.name}: giving up: ${(e as Error).message}`);
        o.warn(`${o.name}: reconnecting failed (${(e as Error).message}): trying again`);
        continue;
      }
      if (stop.signal.aborted) return link.close();
      for (const f of listeners) f(link.url);
      return watch(link);
    }
  };
  const watch = (l: Link): void => {
    void l.dropped.then((why) => (stop.signal.aborted || l !== link ? undefined : reconnect(why)));
  };

  return {
    name: o.name,
    async start(local) {
      localUrl = local;
      link = await o.connect(local, stop.signal);
      watch(link);
      return link.url;
    },
    onUrl(f) {
      listeners.push(f);
    },
    async close() {
      stop.abort();
      await link?.close();
    },
  };
}

/** Waits `ms`, or less when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
