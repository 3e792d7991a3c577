import { readFileSync } from 'node:fs';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { bindError } from '../net-errors.js';
import type { RejectedRecord } from './events.js';

/**
 * The listener's node:http server: slow clients bounded, connections capped within the process's
 * file budget, malformed requests answered, sockets paused while the output is full. What it
 * refuses before a request exists is told through `onRejected`.
 */
export interface HttpOptions {
  maxBody: number;
  /** Connections open at once (default 1,000), within the open-file limit less `reservedFiles`. */
  maxConnections?: number;
  /** File descriptors kept for others (the inspector's sockets, the history, the forwarder). */
  reservedFiles?: number;
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  now: () => number;
  closing: () => boolean;
  onRequest: (req: IncomingMessage, res: ServerResponse) => void;
  onRejected: (r: Pick<RejectedRecord, 'method' | 'path' | 'reason' | 'message' | 'response'>) => void;
  warn: (message: string) => void;
}

export interface HttpServer {
  server: Server;
  /** Stops reading from every connection (the output is full), and starts again. */
  pause(): void;
  resume(): void;
  /** Binds; a usage error (exit 2) when the port or host cannot be had. */
  listen(host: string, port: number): Promise<number>;
}

export function createHttpServer(o: HttpOptions): HttpServer {
  const headersTimeout = o.headersTimeoutMs ?? 10_000;
  const requestTimeout = o.requestTimeoutMs ?? 30_000;
  const server = createServer({
    requestTimeout,
    headersTimeout: Math.min(headersTimeout, requestTimeout),
    connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor(headersTimeout / 4))),
    keepAliveTimeout: 5_000,
    // Checked by the accepting step, which answers and records it.
    requireHostHeader: false,
  }, o.onRequest);

  // Expect: 100-continue with a declared body over the limit gets its 413 without `100 Continue`.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const declared = req.headers['content-length'];
    if (declared === undefined || Number(declared) <= o.maxBody) res.writeContinue();
    o.onRequest(req, res);
  });
  capConnections(server, o);
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => onClientError(err, socket, o));
  server.on('error', (e) => o.warn(`server error: ${e.message}`));

  const sockets = new Set<Socket>();
  let paused = false;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    if (paused) s.pause();
  });
  return {
    server,
    pause() {
      if (paused) return;
      paused = true;
      for (const s of sockets) s.pause();
    },
    resume() {
      if (!paused) return;
      paused = false;
      for (const s of sockets) s.resume();
    },
    listen: (host, port) => bind(server, host, port),
  };
}

/** Connections: capped, and the cap (or the process's file limit) said when hit, at most every 10 s. */
function capConnections(server: Server, o: HttpOptions): void {
  const fileLimit = openFileLimit();
  const byFiles = fileLimit === undefined ? Infinity : fileLimit - 64 - (o.reservedFiles ?? 0);
  const cap = Math.max(1, Math.min(o.maxConnections ?? 1000, byFiles));
  server.maxConnections = cap;
  let warnedAt = -Infinity;
  server.on('drop', () => {
    const t = o.now();
    if (t - warnedAt < 10_000) return;
    warnedAt = t;
    o.warn(cap === byFiles
      ? `refusing connections: ${cap} open, near this process's open-file limit (${fileLimit}; raise it with ulimit -n)`
      : `refusing connections: ${cap} open at once (--max-connections ${cap})`);
  });
}

/** A request node:http could not parse, or a client that left mid-request. */
function onClientError(err: NodeJS.ErrnoException, socket: Socket, o: HttpOptions): void {
  const code = err.code ?? '';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'HPE_INVALID_EOF_STATE' || !socket.writable) {
    // The client went away. Mid-body, the request's own 'close' reports it as aborted; mid-headers
    // (no request in flight on this socket: node's internal _httpMessage) it is reported here.
    socket.destroy();
    if (code === 'HPE_INVALID_EOF_STATE' && !(socket as { _httpMessage?: unknown })._httpMessage && !o.closing()) {
      o.onRejected({ method: null, path: null, reason: 'aborted', message: 'the client closed the connection in the middle of the request headers', response: null });
    }
    return;
  }
  const [status, reason, what] =
    code === 'HPE_HEADER_OVERFLOW' ? [431, 'headers_too_large', 'headers larger than 16 KB'] as const
    : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'timeout', 'the client was too slow sending the request'] as const
    : [400, 'malformed_request', `malformed request (${code || err.message})`] as const;
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroySoon?.();
  o.onRejected({ method: null, path: null, reason, message: `${status}: ${what}`, response: { status } });
}

function bind(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(bindError(e, { what: `port ${port}`, on: host, host, port, otherPort: 'stop the other server or pick another port (--port 0 picks a free one)' }));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as { port: number }).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host });
  });
}

/** The soft limit on open files (Linux /proc), or undefined where it cannot be read. */
export function openFileLimit(): number | undefined {
  try {
    const m = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The host as a URL shows it: a wildcard address becomes the loopback one. */
export function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
