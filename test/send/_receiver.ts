/**
 * Small node:http receivers for the end-to-end tests, on 127.0.0.1 port 0. Each records what it
 * got (exact body bytes) and answers what `answer` decides: a status, or "hang" (never answer).
 * Tests wait on `received(n)`, never on time.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  status: number | 'hang';
}

export type Answer = (r: Omit<Received, 'status'>, index: number) => number | 'hang' | Promise<number | 'hang'>;

export interface Receiver {
  url: string;
  port: number;
  got: Received[];
  /** Resolves once `n` requests have been answered (or left hanging). */
  received(n: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(answer: Answer): Promise<Receiver> {
  const got: Received[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const hanging = new Set<IncomingMessage>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const r = { method: req.method!, path: req.url!, headers, body: Buffer.concat(chunks) };
      const status = await answer(r, got.length);
      got.push({ ...r, status });
      for (const w of [...waiters]) if (got.length >= w.n) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
      if (status === 'hang') {
        hanging.add(req);
        return;
      }
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'refused');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    got,
    received: (n) => (got.length >= n ? Promise.resolve(got) : new Promise((resolve) => waiters.push({ n, resolve: () => resolve(got) }))),
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}
