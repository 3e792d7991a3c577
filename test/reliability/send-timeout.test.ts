/**
 * `whk send --timeout` counts until the response headers, as users mean it; the body then gets a
 * --timeout of its own. A receiver that answers and then stalls (or cuts) its body is reachable:
 * it gets its own message and exit 1, not "no answer" and exit 3.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Deliverer } from '../../src/send/deliver.js';
import { RawDeliverer } from '../../src/send/raw.js';
import { whk } from '../helpers/in-process.js';

const SECRET = 'dfns-timeout-s3cret';
const STALL_300 = 'the receiver answered 200 but its body did not finish within 300ms — answer at once, before any slow work (or raise --timeout)';

let server: Server;
let base: string;
const open = new Set<ServerResponse>();
beforeAll(async () => {
  // /stall: headers and a first piece of body, then nothing. /cut: the same, then the connection
  // is dropped. /slow-headers and /slow-body: headers after 1.5 s, the end of the body 2 s later.
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = req.url!.split('?')[0];
      if (path === '/slow') {
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('on its way');
          setTimeout(() => res.end(' and done'), 2000);
        }, 1500);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      if (path === '/stall') {
        open.add(res);
        res.write('partial');
      } else if (path === '/cut') {
        res.write('partial', () => res.socket?.destroy());
      } else res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const send = (path: string, ...args: string[]) => whk(['send', `${base}${path}`, '--scheme', 'dfns', '--secret', SECRET, ...args]);

describe('whk send: a body that stalls after the headers', () => {
  it('its own message after the report, exit 1 (the receiver is reachable)', async () => {
    const r = await send('/stall', '--timeout', '300ms');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^← 200 OK {2}\S+ ms {2}then body timeout$/m);
    expect(r.stdout).toMatch(/^ {2}partial\n {2}… \(incomplete: 7 B received\)$/m);
    expect(r.stdout.trimEnd().split('\n').pop()).toBe(`✗ ${STALL_300}`);
  });

  it('--json: the status, the body so far, error body_timeout; exit 1 and the line on stderr', async () => {
    const r = await send('/stall', '--timeout', '300ms', '--json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      ok: false, status: 200,
      deliveries: [{
        attempts: [{ attempt: 1, status: 200, error: { code: 'body_timeout', message: STALL_300 } }],
        response: { status: 200, body: 'partial', bodyBytes: 7, incomplete: true },
        error: { code: 'body_timeout', message: STALL_300 },
        withinExpect: false,
      }],
    });
    expect(r.stderr).toBe(`whk: ${STALL_300}\n`);
  });

  it('a body cut off by the receiver: body_incomplete, exit 1', async () => {
    const r = await send('/cut', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).deliveries[0].error.code).toBe('body_incomplete');
    expect(r.stderr).toMatch(/^whk: the receiver answered 200 but its body did not arrive in full \(.+\) — the connection ended mid-answer\n$/);
  });

  it('--timeout is per stage: headers within it, then the body within it again', async () => {
    // 1.5 s to the headers and 2 s more to the end of the body: 3.5 s in all, each stage within 3 s.
    const r = await send('/slow', '--timeout', '3s');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}on its way and done$/m);
  });

  it('load mode, whk\'s own client and undici: counted as body timeouts, exit 1 (not "no answer", 3)', async () => {
    for (const env of [{}, { WHK_SEND_CLIENT: 'undici' }]) {
      const r = await whk(['send', `${base}/stall`, '--scheme', 'dfns', '--secret', SECRET, '--count', '4', '--concurrency', '2', '--timeout', '300ms', '--json'], { env });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toMatchObject({ requests: 4, failed: 4, incomplete: 4, errors: { body_timeout: 4 }, stopped: null });
    }
  });
});

describe('the clients: an answer whose body stalls carries its status', () => {
  it('Deliverer (undici, precise timer)', async () => {
    const d = new Deliverer(base, { connections: 1, timeoutMs: 200, keepBody: 64, preciseTimeout: true });
    try {
      const o = await d.send({ method: 'POST', path: '/stall', headers: [], body: '{}' });
      expect(o).toMatchObject({ ok: false, status: 200, error: { code: 'body_timeout', exitCode: 1 }, response: { status: 200, bodyBytes: 7 } });
      expect(!o.ok && o.response!.body.toString()).toBe('partial');
      // The connection it was on is dropped; the next request gets a fresh one.
      expect(await d.send({ method: 'POST', path: '/ok', headers: [], body: '{}' })).toMatchObject({ ok: true, status: 200 });
    } finally {
      await d.close();
    }
  });

  it('RawDeliverer (load mode)', async () => {
    const d = new RawDeliverer(new URL(base), { connections: 1, timeoutMs: 200 });
    try {
      expect(await d.send({ method: 'POST', path: '/stall', headers: [], body: '{}' })).toMatchObject({ ok: false, status: 200, error: { code: 'body_timeout', exitCode: 1 } });
      expect(await d.send({ method: 'POST', path: '/cut', headers: [], body: '{}' })).toMatchObject({ ok: false, status: 200, error: { code: 'body_incomplete', exitCode: 1 } });
      expect(await d.send({ method: 'POST', path: '/ok', headers: [], body: '{}' })).toMatchObject({ ok: true, status: 200 });
    } finally {
      await d.close();
    }
  });
});
