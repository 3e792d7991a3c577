/**
 * Standard Webhooks receivers for testing `whk probe`: one correct, and one per classic flaw.
 * Written with node:crypto directly (not whk's core), the way an application would. Below them,
 * receivers built on whk's library `verify`, for which header a receiver trusts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getScheme, verify } from '../../src/index.js';

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
  return serve((headers, body) => accept(flaw, secret, headers, body));
}

/**
 * Receivers built on whk's library `verify` (not node:crypto), for the checks about which header a
 * receiver trusts:
 * - `'auto'`: detects the scheme from each request's headers, the flaw of a receiver that accepts
 *   any known scheme's signature;
 * - a list of scheme names: a receiver for several providers that picks the verifier by which
 *   signature header is present (the first of the list whose header is there);
 * - a list of one: a correct receiver, pinned to its provider's scheme.
 * 204 when the verdict is valid, 401 otherwise.
 */
export async function startVerifyReceiver(accepts: 'auto' | string[], secret: string): Promise<Receiver> {
  const pick = (headers: Record<string, unknown>) =>
    accepts === 'auto' ? 'auto' : (accepts.find((name) => headers[getScheme(name).headers[0]!.toLowerCase()] !== undefined) ?? accepts[0]!);
  return serve((headers, body) => verify(pick(headers), { body, headers, secrets: [secret] }).valid);
}

async function serve(accept: (headers: Record<string, string | string[] | undefined>, raw: Buffer) => boolean): Promise<Receiver> {
  const seen: Receiver['seen'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const status = accept(req.headers, body) ? 204 : 401;
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
