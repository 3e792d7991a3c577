import { createServer, type IncomingMessage, type Server } from 'node:http';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createForwarder, forwardHeaders, forwardUrl } from '../../src/listen/forward.js';

describe('forwardHeaders', () => {
  it('drops hop-by-hop headers, those named in Connection, host, content-length and expect', () => {
    const out = forwardHeaders({
      host: '127.0.0.1:4000', connection: 'keep-alive, x-private', 'keep-alive': 'timeout=5', 'x-private': 'p',
      'transfer-encoding': 'chunked', te: 'trailers', trailer: 'x', upgrade: 'h2c', 'proxy-authorization': 'Basic x',
      'proxy-connection': 'keep-alive', 'content-length': '12', expect: '100-continue',
      'content-type': 'application/json', 'x-dfns-webhook-signature': 'sha256=ab', 'user-agent': 'Dfns',
    });
    expect(out).toEqual({ 'content-type': 'application/json', 'x-dfns-webhook-signature': 'sha256=ab', 'user-agent': 'Dfns' });
  });
});

describe('forwardUrl', () => {
  it.each([
    ['http://localhost:3000', '/', '/', 'http://localhost:3000/'],
    ['http://localhost:3000/webhooks', '/', '/', 'http://localhost:3000/webhooks'],
    ['http://localhost:3000/webhooks', '/', '/stripe', 'http://localhost:3000/webhooks/stripe'],
    ['http://localhost:3000/webhooks/', '/', '/stripe?x=1', 'http://localhost:3000/webhooks/stripe?x=1'],
    ['http://localhost:3000/webhooks?tenant=7', '/', '/?x=1', 'http://localhost:3000/webhooks?tenant=7&x=1'],
    ['http://localhost:3000/app', '/hooks', '/hooks', 'http://localhost:3000/app'],
    ['http://localhost:3000/app', '/hooks', '/hooks/dfns', 'http://localhost:3000/app/dfns'],
  ])('%s (--path %s) + %s -> %s', (base, listenPath, reqPath, want) => {
    expect(forwardUrl(base, listenPath, reqPath)).toBe(want);
  });
});

/** A forwarder bound to one target, as the listener's fallback target (--forward-to) uses it. */
function to(base: string, opts: { timeoutMs?: number } = {}) {
  const f = createForwarder(opts);
  return Object.assign((r: Omit<Parameters<typeof f>[0], 'to'>) => f({ ...r, to: { base, listenPath: '/' } }), { close: f.close });
}

describe('createForwarder', () => {
  let app: Server;
  let url = '';
  const got: Array<{ req: IncomingMessage; body: Buffer }> = [];
  beforeAll(async () => {
    app = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        got.push({ req, body: Buffer.concat(chunks) });
        if (req.url === '/slow') return; // never answers
        res.writeHead(req.url === '/fail' ? 422 : 201, { 'content-type': 'text/plain', 'x-app': 'yes', connection: 'keep-alive' });
        res.end(req.url === '/fail' ? 'missing field' : 'created');
      });
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(app.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    app.closeAllConnections();
    await new Promise((r) => app.close(r));
  });

  it('delivers the exact bytes and the original headers, and brings back status, body and headers', async () => {
    const fwd = to(url);
    const body = Buffer.from([0x7b, 0x20, 0xff, 0x00, 0x0a, 0x7d]); // not UTF-8, not JSON: bytes are bytes
    const r = await fwd({ method: 'POST', path: '/x?y=1', headers: { 'content-type': 'application/json', 'x-sig': 'abc', connection: 'close' }, body });
    await fwd.close();
    expect(r).toMatchObject({ ok: true, status: 201, url: `${url}/x?y=1` });
    if (!r.ok) throw new Error('unreachable');
    expect(await text(r.body)).toBe('created');
    expect(r.headers[r.headers.indexOf('x-app') + 1]).toBe('yes');
    expect(r.headers).not.toContain('connection');
    const last = got.at(-1)!;
    expect(last.body.equals(body)).toBe(true);
    expect(last.req.headers['x-sig']).toBe('abc');
    expect(last.req.headers['content-length']).toBe(String(body.length));
  });

  it("relays the app's error status and body", async () => {
    const fwd = to(`${url}/fail`);
    const r = await fwd({ method: 'POST', path: '/', headers: {}, body: Buffer.from('{}') });
    await fwd.close();
    expect(r).toMatchObject({ ok: true, status: 422 });
    if (r.ok) expect(await text(r.body)).toBe('missing field');
  });

  it('an app that is down gives 502 and the one-line message', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as { port: number }).port;
    await new Promise((r) => dead.close(r));
    const fwd = to(`http://127.0.0.1:${port}/hooks`);
    const r = await fwd({ method: 'POST', path: '/', headers: {}, body: Buffer.from('{}') });
    await fwd.close();
    expect(r).toMatchObject({ ok: false, status: 502, code: 'connection_refused' });
    if (!r.ok) expect(r.error).toBe(`forward failed: connection refused at http://127.0.0.1:${port} — is your app running?`);
  });

  it('an app that does not answer in time gives 504', async () => {
    const fwd = to(`${url}/slow`, { timeoutMs: 300 });
    const r = await fwd({ method: 'POST', path: '/', headers: {}, body: Buffer.from('{}') });
    await fwd.close();
    expect(r).toMatchObject({ ok: false, status: 504 });
    if (!r.ok) expect(r.error).toMatch(/^forward failed: no answer from http:\/\/127\.0\.0\.1:\d+ within 300ms/);
  });
});
