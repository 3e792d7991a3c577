/**
 * The load-mode HTTP/1.1 client against servers that frame their answers every legal way, and
 * some that misbehave. Raw TCP servers on 127.0.0.1 write canned responses; node:http ones show
 * the ordinary case.
 */
import { createServer as createHttp } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutRequest } from '../../src/send/build.js';
import { RawDeliverer } from '../../src/send/raw.js';

const servers: Array<{ close(cb?: () => void): void }> = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** A TCP server that answers each request (read up to its body) with `answer(i)`, raw bytes. */
async function rawServer(answer: (i: number, s: Socket) => string | null): Promise<URL> {
  let i = 0;
  const server: Server = createServer((s) => {
    sockets.add(s);
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const len = Number(/content-length: (\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        buf = buf.slice(end + 4 + len);
        const out = answer(i++, s);
        if (out !== null) s.write(out);
      }
    });
    s.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
}

const req = (body = '{"a":1}', headers: string[] = ['Content-Type', 'application/json']): OutRequest => ({ method: 'POST', path: '/hook?x=1', headers, body, asciiHeaders: true });
const statuses = async (d: RawDeliverer, n: number) => {
  const out: Array<number | string> = [];
  for (let i = 0; i < n; i++) {
    const o = await d.send(req());
    out.push(o.ok ? o.status : o.error.code);
  }
  return out;
};

describe('RawDeliverer', () => {
  it('sends one well-formed request per write: method, path, Host, headers, Content-Length, body bytes', async () => {
    const seen: Array<{ method?: string; url?: string; headers: Record<string, unknown>; body: string }> = [];
    const server = createHttp((rq, rs) => {
      let body = '';
      rq.on('data', (c) => (body += c));
      rq.on('end', () => {
        seen.push({ method: rq.method, url: rq.url, headers: rq.headers, body });
        rs.end('ok');
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const d = new RawDeliverer(url, { connections: 2, timeoutMs: 5000 });
    const o = await d.send(req('{"név":"Zoë 🚀"}', ['Content-Type', 'application/json', 'X-Sig', 'sha256=ab']));
    expect(o).toMatchObject({ ok: true, status: 200 });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/hook?x=1', body: '{"név":"Zoë 🚀"}' });
    expect(seen[0]!.headers).toMatchObject({ host: url.host, 'content-type': 'application/json', 'x-sig': 'sha256=ab', 'content-length': String(Buffer.byteLength('{"név":"Zoë 🚀"}')) });
    const bytes = await d.send({ ...req(), body: Buffer.from([0xff, 0x00]), headers: ['X-Name', 'café'], asciiHeaders: false });
    expect(bytes.ok).toBe(true);
    expect(seen[1]!.headers['x-name']).toBe(Buffer.from('café', 'latin1').toString('latin1'));
    await d.close();
  });

  it.each([
    ['Content-Length', 'HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nhello'],
    ['chunked, with an extension and a trailer', 'HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n'],
    ['204 without a body', 'HTTP/1.1 204 No Content\r\n\r\n'],
    ['an interim 100 Continue first', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'],
    ['Content-Length: 0', 'HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n'],
  ])('%s: statuses of several requests on kept-alive connections', async (_what, response) => {
    const url = await rawServer(() => response);
    const d = new RawDeliverer(url, { connections: 1, timeoutMs: 5000 });
    const want = Number(/HTTP\/1\.1 (\d+) (?!Continue)/.exec(response.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, ''))![1]);
    expect(await statuses(d, 3)).toEqual([want, want, want]);
    await d.close();
  });

  it('responses split across packets, byte by byte', async () => {
    const url = await rawServer((_i, s) => {
      const bytes = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
      let k = 0;
      const drip = () => {
        if (k < bytes.length) s.write(bytes.subarray(k, ++k), () => setImmediate(drip));
      };
      drip();
      return null;
    });
    const d = new RawDeliverer(url, { connections: 1, timeoutMs: 5000 });
    expect(await statuses(d, 2)).toEqual([200, 200]);
    await d.close();
  });

  it('Connection: close and HTTP/1.0 bodies ended by closing: each request on a new connection', async () => {
    const url = await rawServer((i, s) => {
      s.end(i % 2 === 0 ? 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok' : 'HTTP/1.0 500 Oops\r\n\r\nbody until close');
      return null;
    });
    const d = new RawDeliverer(url, { connections: 1, timeoutMs: 5000 });
    expect(await statuses(d, 3)).toEqual([200, 500, 200]);
    expect(sockets.size).toBe(3);
    await d.close();
  });

  it('a server that closes without answering: a network error, and the next request reconnects', async () => {
    const url = await rawServer((i, s) => {
      if (i === 0) {
        s.destroy();
        return null;
      }
      return 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';
    });
    const d = new RawDeliverer(url, { connections: 1, timeoutMs: 5000 });
    expect(await statuses(d, 2)).toEqual(['connection_reset', 200]);
    await d.close();
  });

  it('garbage instead of HTTP: a network error naming it', async () => {
    const url = await rawServer(() => 'SSH-2.0-OpenSSH_9.6\r\n\r\n');
    const d = new RawDeliverer(url, { connections: 1, timeoutMs: 5000 });
    const o = await d.send(req());
    expect(o.ok).toBe(false);
    expect(!o.ok && o.error.message).toMatch(/not an HTTP\/1 response/);
    await d.close();
  });

  it('no answer within the timeout: exit-3 timeout error; a refused connection: connection_refused', async () => {
    const url = await rawServer(() => null);
    const d = new RawDeliverer(url, { connections: 1, timeoutMs: 100 });
    const o = await d.send(req());
    expect(!o.ok && o.error).toMatchObject({ code: 'timeout', exitCode: 3 });
    await d.close();
    const dead = new URL(url.href);
    servers.pop()!.close();
    for (const s of sockets) s.destroy();
    const d2 = new RawDeliverer(dead, { connections: 1, timeoutMs: 1000, hint: 'is the listener running?' });
    const r = await d2.send(req());
    expect(!r.ok && r.error.message).toBe(`connection refused at ${dead.origin} — is the listener running?`);
    await d2.close();
  });
});
