import { connect, type Socket } from 'node:net';
import { usage, WhkError } from '../errors.js';
import { formatDuration } from '../units.js';
import { supervised, type Link } from './supervise.js';
import type { TunnelAdapter } from './types.js';

/** The public localtunnel server (its URLs are https://<id>.loca.lt). */
export const DEFAULT_LOCALTUNNEL = 'https://localtunnel.me';

/** `--tunnel-host` for localtunnel: the server's URL (a bare host means https://host). */
export function parseLocaltunnelServer(text: string | undefined): string {
  const given = text ?? DEFAULT_LOCALTUNNEL;
  try {
    const u = new URL(given.includes('://') ? given : `https://${given}`);
    if ((u.protocol === 'http:' || u.protocol === 'https:') && u.hostname) return u.origin;
  } catch {
    // said below
  }
  throw usage('bad_tunnel_host', `--tunnel-host "${given}" is not a localtunnel server: give its URL, e.g. https://localtunnel.me`);
}

/** What a localtunnel server answers `GET /?new` (or `GET /<id>`, to keep an id). */
export interface Assignment {
  id: string;
  /** The TCP port to open the tunnel's connections to. */
  port: number;
  max_conn_count?: number;
  /** The public URL. */
  url: string;
  /** The address to connect to, when not the server's host. */
  ip?: string;
}

export interface LocaltunnelOptions {
  /** The server's origin (parseLocaltunnelServer). */
  server: string;
  timeoutMs: number;
  warn: (message: string) => void;
}

/**
 * localtunnel's protocol, spoken here (its npm client pins an old axios): `GET <server>/?new`
 * assigns an id, a public URL and a TCP port; whk opens `max_conn_count` connections to that
 * port and each one carries requests to the listener as they are, byte for byte. When the
 * tunnel drops, whk asks for the same id again, to keep the URL.
 */
export function localtunnelTunnel(o: LocaltunnelOptions): TunnelAdapter {
  let id: string | undefined;
  return supervised({
    name: `localtunnel via ${new URL(o.server).host}`,
    warn: o.warn,
    connect: async (localUrl, signal) => {
      const a = await register(o.server, id, signal, o.timeoutMs);
      id = a.id;
      const remote = { host: a.ip ?? new URL(o.server).hostname, port: a.port };
      const local = new URL(localUrl);
      return openPool(remote, { host: local.hostname.replace(/^\[|\]$/g, ''), port: Number(local.port) }, Math.min(Math.max(a.max_conn_count ?? 1, 1), 20), publicOrigin(a.url, o.server), o.timeoutMs);
    },
  });
}

/** Asks the server for a tunnel: a new id, or `id` again. */
export async function register(server: string, id: string | undefined, signal: AbortSignal, timeoutMs: number): Promise<Assignment> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  const onAbort = () => timeout.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const r = await fetch(id ? `${server}/${encodeURIComponent(id)}` : `${server}/?new`, { signal: timeout.signal, headers: { accept: 'application/json' } });
    const body = (await r.json().catch(() => ({}))) as Partial<Assignment> & { message?: string };
    if (!r.ok) throw new WhkError('tunnel_refused', `the localtunnel server ${server} answered ${r.status}${body.message ? `: ${String(body.message).slice(0, 200)}` : ''}`, 3);
    if (typeof body.id !== 'string' || typeof body.url !== 'string' || !Number.isInteger(body.port)) {
      throw new WhkError('tunnel_failed', `the localtunnel server ${server} answered something that is not a tunnel (no id, url and port)`, 3);
    }
    return body as Assignment;
  } catch (e) {
    if (e instanceof WhkError) throw e;
    const why = timeout.signal.aborted && !signal.aborted ? `no answer within ${formatDuration(timeoutMs)}` : ((e as { cause?: Error }).cause?.message ?? (e as Error).message);
    throw new WhkError('tunnel_unreachable', `cannot reach the localtunnel server ${server}: ${why} — check your network (or raise --tunnel-timeout)`, 3);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

function publicOrigin(url: string, server: string): string {
  try {
    const u = new URL(url);
    if (u.protocol === 'https:' || u.protocol === 'http:') return u.origin;
  } catch {
    // said below
  }
  throw new WhkError('tunnel_failed', `the localtunnel server ${server} gave a public URL that is not one: ${url.slice(0, 100)}`, 3);
}

interface Address {
  host: string;
  port: number;
}

/**
 * The tunnel's connections to the server: each, when a request arrives on it, gets a connection
 * to the listener and the two are piped both ways; one that closes is opened again (after a
 * second when it lasted less, so a server that hangs up at once is not hammered). Up once one
 * connection is; dropped when none is left and a new one cannot be opened.
 */
function openPool(remote: Address, local: Address, size: number, url: string, timeoutMs: number): Promise<Link> {
  const sockets = new Set<Socket>();
  let live = 0;
  let closed = false;
  let drop: (why: string) => void = () => undefined;
  const dropped = new Promise<string>((r) => (drop = r));
  const close = () => {
    closed = true;
    for (const s of sockets) s.destroy();
  };
  return new Promise<Link>((resolve, reject) => {
    let up = false;
    const fail = (why: string) => {
      if (up) {
        close();
        return drop(`its connections to ${remote.host}:${remote.port} are gone: ${why}`);
      }
      clearTimeout(timer);
      close();
      reject(new WhkError('tunnel_unreachable', `cannot connect to the localtunnel server at ${remote.host}:${remote.port}: ${why}`, 3));
    };
    const timer = setTimeout(() => fail(`no connection within ${formatDuration(timeoutMs)}`), timeoutMs);
    const open = () => {
      if (closed) return;
      const s = connect(remote.port, remote.host);
      const openedAt = Date.now();
      let connected = false;
      let error = 'closed';
      sockets.add(s);
      s.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
      s.once('connect', () => {
        connected = true;
        live++;
        s.setKeepAlive(true);
        s.once('data', (first: Buffer) => carry(s, first, local));
        if (up) return;
        up = true;
        clearTimeout(timer);
        resolve({ url, dropped, close: async () => close() });
      });
      s.once('close', () => {
        sockets.delete(s);
        if (closed) return;
        if (connected) live--;
        if (!connected && live === 0) return fail(error);
        setTimeout(open, Date.now() - openedAt < 1_000 ? 1_000 : 0).unref();
      });
    };
    for (let i = 0; i < size; i++) open();
  });
}

/** A request arrived on `remote`: a connection to the listener carries it and the answer back, byte for byte. */
function carry(remote: Socket, first: Buffer, local: Address): void {
  remote.pause();
  const l = connect(local.port, local.host);
  l.on('error', () => l.destroy());
  // The listener gone (or the connection to it broken): this connection ends; a new one is opened.
  l.once('close', () => remote.end());
  l.write(first);
  remote.pipe(l);
  l.pipe(remote);
  remote.once('close', () => l.destroy());
}
