import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { bearerKey, cookieKey, isKey, keyCookie, noKey, noKeyPage } from './access.js';
import { allowedUids, peerAllowed } from './peer.js';

/**
 * What every request to the inspector passes before its route, in this order:
 *  1. the socket budget: at most `maxSockets` at once (the server closes the next on accepting
 *     it); past `servedSockets`, 503 and closed;
 *  2. the Host header must name this server (127.0.0.1, localhost or [::1], with its port): a
 *     DNS-rebound name gets 403;
 *  3. on Linux, a peer of another user (peer.ts) gets 403;
 *  4. the run's key (access.ts): `/?key=<key>` is traded for the cookie; without the cookie or a
 *     bearer key, 401 (a page saying where the key is, for `/`; JSON for the rest);
 *  5. an action (anything but GET/HEAD) made with the cookie needs the page's token in the
 *     `X-Whk-Token` header and an Origin, when sent, of this server: 403 otherwise (CSRF).
 */

export const TOKEN_HEADER = 'x-whk-token';

export const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

export function send(res: ServerResponse, status: number, type: string, body: string | Buffer, head = false, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, ...extra, 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

export const json = (res: ServerResponse, status: number, value: unknown, extra?: Record<string, string>): void =>
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value), false, extra);

export const fail = (res: ServerResponse, status: number, message: string, extra?: Record<string, string>): void => json(res, status, { error: message }, extra);

/** The tab's icon: served to anyone (the browser asks for one even on the 401 page; a 404 would be a console error). */
const ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#23262d"/><path d="M3 5l2 6 3-5 3 5 2-6" stroke="#7fd1a8" stroke-width="1.6" fill="none"/></svg>';

export interface DoorOptions {
  key: string;
  /** The page's token, for actions made with the cookie. */
  token: string;
  maxSockets: number;
  servedSockets: number;
}

export class Door {
  /** Set once the server listens: the Host, the cookie's name and the 401 page name it. */
  port = 0;
  private readonly served = new Set<Socket>();
  private readonly over = new WeakSet<Socket>();
  private readonly peers = new WeakMap<Socket, Promise<boolean>>();
  private readonly uids = allowedUids();

  constructor(server: Server, private readonly o: DoorOptions) {
    server.maxConnections = o.maxSockets;
    server.on('connection', (socket: Socket) => this.count(socket));
  }

  /** Whether the request may go on to its route: if not, it has been answered. */
  async admit(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    res.on('error', () => undefined);
    req.on('error', () => undefined);
    const refuse = (status: number, message: string, extra?: Record<string, string>) => {
      req.resume();
      fail(res, status, message, extra);
      return false;
    };
    if (this.over.has(req.socket)) {
      return refuse(503, `the inspector has ${this.o.servedSockets} connections open already: close some of its pages, then reload`, { connection: 'close' });
    }
    if (!this.hostOk(req.headers.host)) return refuse(403, 'forbidden: the inspector answers only to http://127.0.0.1, localhost or [::1] with its port');
    if (!(await (this.peers.get(req.socket) ?? true))) return refuse(403, 'forbidden: the inspector answers only to the user who started whk');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const head = req.method === 'HEAD';
    if (url.pathname === '/favicon.ico' || url.pathname === '/favicon.svg') {
      req.resume();
      send(res, 200, 'image/svg+xml', ICON, head);
      return false;
    }
    const given = url.pathname === '/' ? url.searchParams.get('key') : null;
    if (given !== null) return this.exchange(req, res, given);
    const by = this.authOf(req);
    if (by === null) {
      if (url.pathname !== '/') return refuse(401, noKey(this.port), { 'www-authenticate': 'Bearer realm="whk inspector"' });
      req.resume();
      send(res, 401, 'text/html; charset=utf-8', noKeyPage(this.port), head);
      return false;
    }
    if (req.method !== 'GET' && !head && by === 'cookie') {
      if (!this.originOk(req.headers.origin)) return refuse(403, 'forbidden: an action from another site');
      const given = req.headers[TOKEN_HEADER];
      if (!isKey(typeof given === 'string' ? given : undefined, this.o.token)) return refuse(403, `forbidden: actions need the page's token (${TOKEN_HEADER} header)`);
    }
    return true;
  }

  private count(socket: Socket): void {
    if (this.served.size >= this.o.servedSockets) {
      // Told 503 if it asks at once, and closed within a second anyway: its descriptor is not for keeping.
      this.over.add(socket);
      socket.setTimeout(1000, () => socket.destroy());
      return;
    }
    this.served.add(socket);
    socket.once('close', () => this.served.delete(socket));
    const peer = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    const local = { address: socket.localAddress ?? '', port: socket.localPort ?? 0 };
    this.peers.set(socket, peerAllowed(peer, local, this.uids));
  }

  /** `/?key=...`: the right key becomes the cookie, and the browser goes on to `/` (the key leaves its address bar and history). */
  private exchange(req: IncomingMessage, res: ServerResponse, given: string): false {
    req.resume();
    if (!isKey(given, this.o.key)) {
      send(res, 401, 'text/html; charset=utf-8', noKeyPage(this.port), req.method === 'HEAD');
      return false;
    }
    res.writeHead(303, { ...SECURITY_HEADERS, location: '/', 'set-cookie': keyCookie(this.port, this.o.key), 'content-length': 0 });
    res.end();
    return false;
  }

  private authOf(req: IncomingMessage): 'bearer' | 'cookie' | null {
    if (isKey(bearerKey(req.headers.authorization), this.o.key)) return 'bearer';
    if (isKey(cookieKey(req.headers.cookie, this.port), this.o.key)) return 'cookie';
    return null;
  }

  private hostOk(host: string | undefined): boolean {
    const h = host?.toLowerCase();
    return h === `127.0.0.1:${this.port}` || h === `localhost:${this.port}` || h === `[::1]:${this.port}`;
  }

  private originOk(origin: string | undefined): boolean {
    return origin === undefined || this.hostOk(/^http:\/\/([^/]+)$/i.exec(origin)?.[1]);
  }
}
