import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { WhkError } from '../errors.js';
import { newKey } from './access.js';
import type { Registry } from '../schemes/registry.js';
import { ActionError, copyCommands, replay, type ActionContext, type ReplayAsk, type Signer } from './actions.js';
import { summary, type Deliveries, type Delivery } from './deliveries.js';
import { Door, fail, json, send, SECURITY_HEADERS } from './door.js';
import { PAGE } from './page-assets.js';
import { LiveStreams, MAX_LIVE_PAGES } from './stream.js';

/**
 * The inspector: the page, its API and its live stream (server-sent events), on 127.0.0.1 only.
 * Other users of the machine can reach that address, and any web page can try to: every request
 * passes the door first (door.ts: socket budget, Host, the peer's user, the run's key, the
 * action token). No CORS header, ever; a CSP of `default-src 'self'; frame-ancestors 'none'`;
 * secrets stay in this process (replays are re-signed here).
 */

export { TOKEN_HEADER } from './door.js';
export const DEFAULT_PORTS = { first: 4040, last: 4050 };
/**
 * The most sockets the inspector holds at once: file descriptors the listener sets aside for it,
 * so that webhooks keep theirs. Past SERVED_SOCKETS a connection is told 503 and closed; past
 * this, the server closes it as it accepts it.
 */
export const INSPECTOR_MAX_SOCKETS = 64;
const SERVED_SOCKETS = INSPECTOR_MAX_SOCKETS - 8;

/** What the page is told about where it runs (never a secret). */
export interface PageInfo {
  /** `listen`: live deliveries from a listener; `history`: whk inspect. */
  mode: 'listen' | 'history';
  /** The listener's URL (listen mode). */
  listenerUrl: string | null;
  /** Where Replay sends by default: the listener's --forward-to, else its own URL. */
  replayTo: string | null;
  /** The listener's session (listen mode): its deliveries are "this run" on the page. */
  session?: string | null;
  /** Whether Re-sign & replay can work, and why not. */
  resign: { ok: boolean; why: string | null };
}

/** The forwarding queue, when the listener has one (--queue): each delivery's targets, and the two actions. */
export interface QueueAccess {
  view(id: string): { id: string; seq: number; targets: Array<{ url: string; state: string; attempts: number; status: number | null; error: string | null; next: string | null }> } | undefined;
  act(action: 'retry' | 'drop', id: string): boolean;
}

export interface InspectorOptions {
  /** The listener's queue (--queue): the page shows each target's state and can retry or drop. */
  queue?: QueueAccess;
  /** The run's schemes (re-signing, copy commands). */
  registry: Registry;
  /** undefined: 4040, or the next free port up to 4050, else any free port (said to onWarning); 0: any free port. */
  port?: number;
  deliveries: Deliveries;
  signer: Signer;
  info: Omit<PageInfo, 'resign'>;
  /** The listener's --path ('/' for history): a replay's URL takes its place. */
  listenPath?: string;
  onWarning?: (message: string) => void;
}

export interface Inspector {
  /** The address to open: http://127.0.0.1:<port>/?key=<the run's key>. Print it only where the user who started whk reads. */
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_ACTION_BODY = 8 * 1024 * 1024;

/** What the routes serve. */
interface Served {
  queue?: QueueAccess;
  html: Buffer;
  info: PageInfo;
  ctx: ActionContext;
  streams: LiveStreams;
}

export async function startInspector(o: InspectorOptions): Promise<Inspector> {
  const key = newKey();
  const token = randomBytes(24).toString('hex');
  const served: Served = {
    queue: o.queue,
    html: Buffer.from(PAGE.html.replace('__WHK_TOKEN__', token)),
    info: { ...o.info, resign: o.signer.ok ? { ok: true, why: null } : { ok: false, why: o.signer.why } },
    ctx: { registry: o.registry, deliveries: o.deliveries, signer: o.signer, listenPath: o.listenPath ?? '/' },
    streams: new LiveStreams(o.deliveries, SECURITY_HEADERS),
  };
  const server: Server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) => {
    void door.admit(req, res).then((ok) => ok && route(req, res, served));
  });
  const door = new Door(server, { key, token, maxSockets: INSPECTOR_MAX_SOCKETS, servedSockets: SERVED_SOCKETS });
  server.on('clientError', (_e, socket: Socket) => socket.destroy());
  server.on('error', () => undefined);
  const port = await listenOn(server, o.port, o.onWarning);
  door.port = port;
  return {
    url: `http://127.0.0.1:${port}/?key=${key}`,
    port,
    close: () => new Promise<void>((resolve) => {
      served.streams.close();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** What a route's handler is given: the request, what the inspector serves, and the delivery an :id names. */
interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  s: Served;
  url: URL;
  /** HEAD: the headers of GET, no body. */
  head: boolean;
  /** The delivery of a route with :id in its path (it exists: a missing one is a 404 before any handler). */
  delivery?: Delivery;
}

interface Route {
  /** GET routes answer HEAD too. */
  method: 'GET' | 'POST';
  /** The path, `:id` standing for a delivery's number (`:qid` for a queue id), as a pattern (see pathPattern). */
  pattern: RegExp;
  /** Whether the path names a delivery (:id): one not in memory is a 404 before the handler. */
  delivery: boolean;
  handler: (c: RouteContext) => void;
}

/** A path as a pattern: `:id` captures the digits of a delivery's number, the rest is literal. */
const pathPattern = (path: string) => new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(':id', '(\\d+)').replace(':qid', '(q-[a-z0-9-]{1,40})')}$`);
const get = (path: string, handler: Route['handler']): Route => ({ method: 'GET', pattern: pathPattern(path), delivery: path.includes(':id'), handler });
const post = (path: string, handler: Route['handler']): Route => ({ method: 'POST', pattern: pathPattern(path), delivery: path.includes(':id'), handler });

/** The route table, in the manner of hono: a request that passed the door goes to the first route of its method and path. */
const ROUTES: Route[] = [
  get('/', (c) => send(c.res, 200, 'text/html; charset=utf-8', c.s.html, c.head)),
  get('/inspector.js', (c) => send(c.res, 200, 'text/javascript; charset=utf-8', PAGE.js, c.head)),
  get('/inspector.css', (c) => send(c.res, 200, 'text/css; charset=utf-8', PAGE.css, c.head)),
  get('/api/info', (c) => json(c.res, 200, c.s.info)),
  get('/api/deliveries', (c) => json(c.res, 200, c.s.ctx.deliveries.after(0).map(summary))),
  get('/api/events', (c) => stream(c.req, c.res, c.s.streams)),
  get('/api/search', (c) => json(c.res, 200, { ids: c.s.ctx.deliveries.search(c.url.searchParams.get('q') ?? '') })),
  get('/api/deliveries/:id', (c) => json(c.res, 200, detail(c.s.ctx.deliveries, c.delivery!))),
  get('/api/deliveries/:id/copy', (c) => json(c.res, 200, copyCommands(c.s.ctx, c.delivery!, c.url.searchParams.get('to') ?? ''))),
  post('/api/deliveries/:id/replay', (c) => void runReplay(c.req, c.res, c.s.ctx, c.delivery!)),
  get('/api/queue/:qid', (c) => queueView(c)),
  post('/api/queue/:qid/retry', (c) => queueAct(c, 'retry')),
  post('/api/queue/:qid/drop', (c) => queueAct(c, 'drop')),
];

const queueId = (c: RouteContext) => /\/api\/queue\/(q-[a-z0-9-]+)/.exec(c.url.pathname)![1]!;

function queueView(c: RouteContext): void {
  const v = c.s.queue?.view(queueId(c));
  if (!v) return fail(c.res, 404, c.s.queue ? `no queued delivery ${queueId(c)}: one delivered (or dropped) for every target leaves the queue when its journal is compacted` : 'this listener has no queue (whk listen --queue)');
  json(c.res, 200, v);
}

function queueAct(c: RouteContext, action: 'retry' | 'drop'): void {
  c.req.resume();
  if (!c.s.queue?.act(action, queueId(c))) return fail(c.res, 404, c.s.queue ? `no queued delivery ${queueId(c)}: one delivered (or dropped) for every target leaves the queue when its journal is compacted` : 'this listener has no queue (whk listen --queue)');
  json(c.res, 200, c.s.queue.view(queueId(c)));
}

/**
 * Sends a request that passed the door to its route. A path with the number of a delivery no
 * longer (or never) in memory is a 404 whatever the method; no route for the path is a 404 for
 * GET and HEAD, a 405 for any other method.
 */
function route(req: IncomingMessage, res: ServerResponse, s: Served): void {
  const method = req.method ?? 'GET';
  const reading = method === 'GET' || method === 'HEAD';
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const path = url.pathname;
  const c: RouteContext = { req, res, s, url, head: method === 'HEAD' };
  try {
    for (const r of ROUTES) {
      const m = r.pattern.exec(path);
      if (!m) continue;
      if (r.delivery && m[1] !== undefined && !c.delivery) {
        c.delivery = s.ctx.deliveries.get(Number(m[1]));
        if (!c.delivery) return fail(res, 404, `no delivery #${m[1]} (it may have left memory: whk history show has it)`);
      }
      if (r.method === method || (r.method === 'GET' && reading)) return r.handler(c);
    }
    req.resume();
    return fail(res, reading ? 404 : 405, reading ? `nothing at ${path.slice(0, 100)}` : `${method} is not allowed here`);
  } catch (e) {
    req.resume();
    if (e instanceof ActionError) return fail(res, e.status, e.message);
    return fail(res, 500, `internal error: ${(e as Error).message}`);
  }
}

function stream(req: IncomingMessage, res: ServerResponse, streams: LiveStreams): void {
  if (!streams.start(req, res)) fail(res, 503, `the inspector has ${MAX_LIVE_PAGES} live pages open already: close some, then reload this one`);
}

function detail(deliveries: Deliveries, d: Delivery) {
  return { ...summary(d), record: d.record, sameEvent: deliveries.sameEvent(d) };
}

async function runReplay(req: IncomingMessage, res: ServerResponse, ctx: ActionContext, d: Delivery): Promise<void> {
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
 * Binds 127.0.0.1: the given port (a usage error, exit 2, when it is taken), or the first free one
 * of 4040-4050, else any free port: the inspector is an extra, and `onWarning` says where it went.
 */
export async function listenOn(server: Server, wanted: number | undefined, onWarning: (m: string) => void = () => undefined): Promise<number> {
  const ports = wanted === undefined ? [...range(DEFAULT_PORTS.first, DEFAULT_PORTS.last), 0] : [wanted];
  for (const p of ports) {
    try {
      await bind(server, p);
      const port = (server.address() as { port: number }).port;
      if (wanted === undefined && p === 0) onWarning(`the inspector's ports ${DEFAULT_PORTS.first}-${DEFAULT_PORTS.last} are all taken: it is on port ${port} instead (--inspect-port chooses one)`);
      return port;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' && wanted === undefined) continue;
      if (code === 'EADDRINUSE') throw new WhkError('port_in_use', `inspector port ${p} is already in use: pick another (--inspect-port 0 picks a free one), or --no-inspect`, 2);
      if (code === 'EACCES') throw new WhkError('port_denied', `permission denied to serve the inspector on port ${p}: use a port above 1023`, 2);
      throw new WhkError('listen_failed', `cannot serve the inspector on 127.0.0.1:${p}: ${(e as Error).message}`, 2);
    }
  }
  throw new WhkError('port_in_use', 'no free port for the inspector: pass --no-inspect', 2);
}

/** One attempt to listen: whichever of 'listening' and 'error' comes, the other's handler goes too. */
function bind(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => {
      server.off('listening', onListening);
      reject(e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host: '127.0.0.1' });
  });
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
