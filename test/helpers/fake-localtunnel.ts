/**
 * A localtunnel server on 127.0.0.1, speaking its protocol as localtunnel.me does: `GET /?new`
 * (or `GET /<id>` to keep an id) answers {id, port, max_conn_count, url}; the client then opens
 * up to max_conn_count TCP connections to `port`, and each request to the public URL (plain HTTP
 * here) goes over one of them. `drop()` cuts the client's connections (a tunnel that drops).
 */
import { createServer as createHttpServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';

export interface FakeLocaltunnel {
  /** The server's URL, for --tunnel-host. */
  url: string;
  /** The ids asked for, in order ('?new' for a new one). */
  asked: string[];
  /** Public requests relayed. */
  relayed: number;
  /** Closes every connection of the client and refuses new ones until it asks for its id again. */
  drop(): void;
  close(): Promise<void>;
}

interface Client {
  id: string;
  tcp: Server;
  port: number;
  idle: Socket[];
  waiting: Array<(s: Socket) => void>;
}

const listen = (s: Server | ReturnType<typeof createHttpServer>) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as { port: number }).port)));

export async function fakeLocaltunnel(): Promise<FakeLocaltunnel> {
  const clients = new Map<string, Client>();
  let next = 0;
  const fake = { url: '', asked: [] as string[], relayed: 0, drop, close };
  const publicSide = createHttpServer((req, res) => relay(req, res));
  const publicPort = await listen(publicSide);
  const control = createHttpServer((req, res) => void register(req, res));
  fake.url = `http://127.0.0.1:${await listen(control)}`;
  return fake;

  async function register(req: IncomingMessage, res: ServerResponse) {
    const asked = (req.url ?? '/').slice(1);
    fake.asked.push(asked);
    const id = asked === '?new' ? `tunnel${++next}` : asked;
    let c = clients.get(id);
    if (!c) {
      const tcp = createTcpServer((s) => {
        const waiter = c!.waiting.shift();
        if (waiter) waiter(s);
        else c!.idle.push(s);
        s.once('close', () => (c!.idle = c!.idle.filter((x) => x !== s)));
      });
      c = { id, tcp, port: await listen(tcp), idle: [], waiting: [] };
      clients.set(id, c);
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id, port: c.port, max_conn_count: 2, url: `http://127.0.0.1:${publicPort}` }));
  }

  /** One public request over one of the client's connections (then closed: the client opens another). */
  function relay(req: IncomingMessage, res: ServerResponse) {
    const c = [...clients.values()].pop();
    if (!c) return res.writeHead(502).end('no tunnel\n');
    const take = (s: Socket) => {
      fake.relayed++;
      const out = request({ method: req.method, path: req.url, headers: req.headers, createConnection: () => s }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => s.destroy());
      });
      out.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end('tunnel connection failed\n')));
      req.pipe(out);
    };
    const s = c.idle.shift();
    if (s) take(s);
    else c.waiting.push(take);
  }

  function drop() {
    for (const c of clients.values()) {
      c.tcp.close();
      for (const s of c.idle) s.destroy();
      clients.delete(c.id);
    }
  }

  async function close() {
    drop();
    publicSide.closeAllConnections();
    control.closeAllConnections();
    await Promise.all([new Promise((r) => publicSide.close(r)), new Promise((r) => control.close(r))]);
  }
}
