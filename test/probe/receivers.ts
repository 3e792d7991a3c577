/**
 * Standard Webhooks receivers for testing `whk probe`: one correct, and one per classic flaw.
 * Written with node:crypto directly (not whk's core), the way an application would.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Flaw =
  | 'none'
  | 'accepts-everything'
  | 'verifies-reserialized-body'
  | 'ignores-timestamps'
  | 'accepts-missing-header'
  | 'checks-first-signature-only';

const KEY_OF = (secret: string) => Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** 204/401 decision of a Standard Webhooks receiver with the given flaw. */
function accept(flaw: Flaw, secret: string, headers: Record<string, string | string[] | undefined>, raw: Buffer): boolean {
  if (flaw === 'accepts-everything') return true;
  const id = headers['webhook-id'] as string | undefined;
  const ts = headers['webhook-timestamp'] as string | undefined;
  const sig = headers['webhook-signature'] as string | undefined;
  if (sig === undefined) return flaw === 'accepts-missing-header';
  if (id === undefined || ts === undefined || !/^\d+$/.test(ts)) return false;
  if (flaw !== 'ignores-timestamps' && Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
  let body = raw.toString('utf8');
  if (flaw === 'verifies-reserialized-body') {
    try {
      body = JSON.stringify(JSON.parse(body));
    } catch {
      return false;
    }
  }
  const want = `v1,${createHmac('sha256', KEY_OF(secret)).update(`${id}.${ts}.${body}`).digest('base64')}`;
  const entries = sig.split(' ');
  return (flaw === 'checks-first-signature-only' ? entries.slice(0, 1) : entries).some((e) => same(e, want));
}

export interface Receiver {
  url: string;
  /** Deliveries seen: [status answered, body]. */
  seen: Array<{ status: number; body: string }>;
  close(): Promise<void>;
}

export async function startReceiver(flaw: Flaw, secret: string): Promise<Receiver> {
  const seen: Receiver['seen'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const status = accept(flaw, secret, req.headers, body) ? 204 : 401;
      seen.push({ status, body: body.toString('utf8') });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    seen,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
