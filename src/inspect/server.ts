import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { WhkError } from '../errors.js';
import { ActionError, copyCommands, replay, type ActionContext, type ReplayAsk, type Signer } from './actions.js';
import { summary, type Deliveries, type Delivery } from './deliveries.js';
import { PAGE } from './page-assets.js';

/**
 * The inspector: the page, its API and its live stream (server-sent events), on 127.0.0.1 only.
 * It sits next to the user's browser, where any web page could try to reach it, so:
 *  - the Host header must name this server (127.0.0.1, localhost or [::1], with the port): a
 *    DNS-rebound name gets 403;
 *  - anything but GET/HEAD needs the run's token in the `X-Whk-Token` header, which only the
 *    page itself holds (written into its HTML; no other origin can read it): 403 without it;
 *  - no CORS header, ever; a CSP of `default-src 'self'; frame-ancestors 'none'`;
 *  - secrets stay in this process: replays are re-signed here.
 */

export const TOKEN_HEADER = 'x-whk-token';
export const DEFAULT_PORTS = { first: 4040, last: 4050 };

/** What the page is told about where it runs (never a secret). */
export interface PageInfo {
  /** `listen`: live deliveries from a listener; `history`: whk inspect. */
  mode: 'listen' | 'history';
  /** The listener's URL (listen mode). */
  listenerUrl: string | null;
  /** Where Replay sends by default: the listener's --forward-to, else its own URL. */
  replayTo: string | null;
  /** Whether Re-sign & replay can work, and why not. */
  resign: { ok: boolean; why: string | null };
}

export interface InspectorOptions {
  /** undefined: 4040, or the next free port up to 4050; 0: any free port. */
  port?: number;
  deliveries: Deliveries;
  signer: Signer;
  info: Omit<PageInfo, 'resign'>;
  /** The listener's --path ('/' for history): a replay's URL takes its place. */
  listenPath?: string;
}

export interface Inspector {
  url: string;
  port: number;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** Per SSE client: bytes it may have waiting before it is behind (then it waits for 'drain'). */
const STALLED_MS = 30_000;
const MAX_ACTION_BODY = 8 * 1024 * 1024;

export async function startInspector(o: InspectorOptions): Promise<Inspector> {
  const token = randomBytes(24).toString('hex');
  const info: PageInfo = { ...o.info, resign: o.signer.ok ? { ok: true, why: null } : { ok: false, why: o.signer.why } };
  const html = Buffer.from(PAGE.html.replace('__WHK_TOKEN__', token));
  const { deliveries } = o;
  const ctx: ActionContext = { deliveries, signer: o.signer, listenPath: o.listenPath ?? '/' };
  let port = 0;
  const streams = new Set<ServerResponse>();

  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer, head = false) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(head ? undefined : body);
  };
  const json = (res: ServerResponse, status: number, value: unknown) => send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
  const fail = (res: ServerResponse, status: number, message: string) => json(res, status, { error: message });

  const hostOk = (host: string | undefined) => {
    if (!host) return false;
    const h = host.toLowerCase();
    return h === `127.0.0.1:${port}` || h === `localhost:${port}` || h === `[::1]:${port}`;
  };
  const tokenOk = (given: string | string[] | undefined) => {
    if (typeof given !== 'string' || given.length !== token.length) return false;
    return timingSafeEqual(Buffer.from(given), Buffer.from(token));
  };

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    res.on('error', () => undefined);
    req.on('error', () => undefined);
    if (!hostOk(req.headers.host)) {
      req.resume();
      return fail(res, 403, 'forbidden: the inspector answers only to http://127.0.0.1, localhost or [::1] with its port');
    }
    const method = req.method ?? 'GET';
    const reading = method === 'GET' || method === 'HEAD';
    if (!reading && !tokenOk(req.headers[TOKEN_HEADER])) {
      req.resume();
      return fail(res, 403, `forbidden: actions need the page's token (${TOKEN_HEADER} header)`);
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const head = method === 'HEAD';
    try {
      if (reading && path === '/') return send(res, 200, 'text/html; charset=utf-8', html, head);
      if (reading && path === '/inspector.js') return send(res, 200, 'text/javascript; charset=utf-8', PAGE.js, head);
      if (reading && path === '/inspector.css') return send(res, 200, 'text/css; charset=utf-8', PAGE.css, head);
      if (reading && path === '/api/info') return json(res, 200, info);
      if (reading && path === '/api/deliveries') return json(res, 200, deliveries.after(0).map(summary));
      if (reading && path === '/api/events') return stream(req, res);
      if (reading && path === '/api/search') return json(res, 200, { ids: deliveries.search(url.searchParams.get('q') ?? '') });
      const m = /^\/api\/deliveries\/(\d+)(\/copy|\/replay)?$/.exec(path);
      if (m) {
        const d = deliveries.get(Number(m[1]));
        if (!d) return fail(res, 404, `no delivery #${m[1]} (it may have left memory: whk history show has it)`);
        if (reading && !m[2]) return json(res, 200, detail(d));
        if (reading && m[2] === '/copy') return json(res, 200, copyCommands(ctx, d, url.searchParams.get('to') ?? ''));
        if (method === 'POST' && m[2] === '/replay') return void runReplay(req, res, d);
      }
      req.resume();
      return fail(res, reading ? 404 : 405, reading ? `nothing at ${path.slice(0, 100)}` : `${method} is not allowed here`);
    } catch (e) {
      req.resume();
      if (e instanceof ActionError) return fail(res, e.status, e.message);
      return fail(res, 500, `internal error: ${(e as Error).message}`);
    }
  }

  function detail(d: Delivery) {
    return { ...summary(d), record: d.record, sameEvent: deliveries.sameEvent(d) };
  }

  async function runReplay(req: IncomingMessage, res: ServerResponse, d: Delivery) {
    let ask: ReplayAsk;
    try {
      const text = await readJson(req);
      ask = JSON.parse(text) as ReplayAsk;
      if (!ask || typeof ask !== 'object' || !['original', 'resign', 'edit'].includes(ask.mode)) throw new ActionError(400, 'mode must be "original", "resign" or "edit"');
    } catch (e) {
      return fail(res, e instanceof ActionError ? e.status : 400, e instanceof ActionError ? e.message : 'the request body is not JSON');
    }
    try {
      json(res, 200, await replay(ctx, d, ask));
    } catch (e) {
      fail(res, e instanceof ActionError ? e.status : 500, (e as Error).message);
    }
  }

  /**
   * The live list: every delivery after the client's Last-Event-ID (all of them on a first
   * connection), then each new one. A client that reads slowly gets what it has room for: at
   * most one batch waits in its buffer, the rest stays in the list until 'drain'; one that has
   * not read for STALLED_MS is dropped (its browser reconnects where it left off).
   */
  function stream(req: IncomingMessage, res: ServerResponse) {
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8' });
    res.write('retry: 1000\n\n');
    streams.add(res);
    let cursor = Number(req.headers['last-event-id']) || 0;
    let stalled: NodeJS.Timeout | undefined;
    let scheduled = false;
    const pump = () => {
      scheduled = false;
      if (stalled || res.destroyed) return;
      for (;;) {
        const batch = deliveries.after(cursor, 256);
        if (batch.length === 0) return;
        let chunk = '';
        for (const d of batch) chunk += `id: ${d.id}\nevent: delivery\ndata: ${JSON.stringify(summary(d))}\n\n`;
        cursor = batch[batch.length - 1]!.id;
        if (!res.write(chunk)) {
          stalled = setTimeout(() => res.destroy(), STALLED_MS);
          return;
        }
      }
    };
    res.on('drain', () => {
      clearTimeout(stalled);
      stalled = undefined;
      pump();
    });
    const off = deliveries.onAdd(() => {
      if (scheduled) return;
      scheduled = true;
      setImmediate(pump);
    });
    res.on('close', () => {
      off();
      clearTimeout(stalled);
      streams.delete(res);
    });
    pump();
  }

  const server: Server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, onRequest);
  server.on('clientError', (_e, socket: Socket) => socket.destroy());
  server.on('error', () => undefined);
  port = await listenOn(server, o.port);
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () => new Promise<void>((resolve) => {
      for (const s of streams) s.destroy();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** Binds 127.0.0.1: the given port, or the first free one of 4040-4050. Usage errors (exit 2) otherwise. */
export async function listenOn(server: Server, wanted: number | undefined): Promise<number> {
  const ports = wanted === undefined ? range(DEFAULT_PORTS.first, DEFAULT_PORTS.last) : [wanted];
  for (const p of ports) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port: p, host: '127.0.0.1' }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return (server.address() as { port: number }).port;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' && wanted === undefined) continue;
      if (code === 'EADDRINUSE') throw new WhkError('port_in_use', `inspector port ${p} is already in use: pick another (--inspect-port 0 picks a free one), or --no-inspect`, 2);
      if (code === 'EACCES') throw new WhkError('port_denied', `permission denied to serve the inspector on port ${p}: use a port above 1023`, 2);
      throw new WhkError('listen_failed', `cannot serve the inspector on 127.0.0.1:${p}: ${(e as Error).message}`, 2);
    }
  }
  throw new WhkError('port_in_use', `no free port for the inspector between ${DEFAULT_PORTS.first} and ${DEFAULT_PORTS.last}: pass --inspect-port 0 (any free port), or --no-inspect`, 2);
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

function readJson(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_ACTION_BODY) chunks.push(c);
    });
    req.on('end', () => (size > MAX_ACTION_BODY ? reject(new ActionError(413, 'the edited request is over 8 MB')) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}
