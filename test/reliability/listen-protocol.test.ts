/**
 * Trust at the edges, HTTP details of `whk listen`: a 413 every client can read, Expect:
 * 100-continue, the forward target's answer streamed (not buffered) with its headers intact,
 * --forward-timeout, and bodies that cannot be pretty-printed still recorded. Real sockets; whk
 * in-process (main()), the built CLI where its memory is measured.
 */
import { createServer, request, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWhk } from '../helpers/cli.js';
import { startInProcess, type InProcess } from '../helpers/in-process.js';
import { tmp } from './_listen.js';

async function listen(args: string[]) {
  const l = startInProcess(['listen', '--port', '0', '--json', ...args]);
  const ready = JSON.parse(await l.waitFor(/"type":"ready"/, 'stdout'));
  return { l, url: ready.url as string };
}
const stop = async (l: InProcess) => {
  l.signal('SIGTERM');
  return l.exited;
};
const vmHwmMb = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** node:http's client, which sees EPIPE when a server closes on it mid-upload. */
function nodePost(url: string, body: Buffer, headers: Record<string, string> = {}): Promise<{ status?: number; error?: string; continued: boolean }> {
  return new Promise((resolve) => {
    let continued = false;
    const req = request(url, { method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, continued }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code, continued }));
    if (headers.expect) req.on('continue', () => ((continued = true), req.end(body)));
    else req.end(body);
  });
}

describe('413 that every client can read (was: EPIPE for node:http and fetch)', () => {
  let l: InProcess;
  let url = '';
  beforeAll(async () => ({ l, url } = await listen(['--max-body', '64kb'])));
  afterAll(() => stop(l));
  // Sizes at which a client still writing when the connection is cut saw EPIPE, not the 413.
  const sizes = [4, 16, 32].map((mb) => Buffer.alloc(mb * 1024 * 1024, 97));
  const big = sizes[1]!;

  it('fetch with a declared length', async () => {
    for (const body of sizes) {
      const r = await fetch(url, { method: 'POST', body });
      expect(r.status).toBe(413);
      expect(r.headers.get('connection')).toBe('close');
      expect(await r.text()).toMatch(/body too large: over the 64 KB limit \(--max-body\)/);
    }
  });

  it('node:http with a declared length, and chunked', async () => {
    for (const body of sizes) {
      expect(await nodePost(url, body)).toMatchObject({ status: 413 });
      expect(await nodePost(url, body, { 'transfer-encoding': 'chunked' })).toMatchObject({ status: 413 });
    }
  });

  it('Expect: 100-continue with a declared length over the limit: 413 without 100 Continue', async () => {
    expect(await nodePost(url, big, { expect: '100-continue', 'content-length': String(big.length) })).toEqual({ status: 413, continued: false });
    // Under the limit, the client is told to continue and the event arrives.
    expect(await nodePost(url, Buffer.from('{}'), { expect: '100-continue', 'content-length': '2' })).toEqual({ status: 200, continued: true });
  });
});

describe('--forward-to', () => {
  let app: Server;
  let appUrl = '';
  beforeAll(async () => {
    app = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/big') {
          // 200 MB, written as the client takes it.
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          const chunk = Buffer.alloc(1024 * 1024, 120);
          let left = 200;
          const pump = () => {
            while (left > 0) {
              left--;
              if (!res.write(chunk)) return void res.once('drain', pump);
            }
            res.end();
          };
          pump();
        } else if (req.url === '/cookies') {
          res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/']);
          res.end('ok');
        } else if (req.url === '/stuck') {
          // never answers
        } else {
          res.end('ok');
        }
      });
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    appUrl = `http://127.0.0.1:${(app.address() as { port: number }).port}`;
  });
  afterAll(() => {
    app.closeAllConnections();
    return new Promise((r) => app.close(r));
  });

  it("streams the app's answer: a 200 MB answer passes through without being held (was: 686 MB for 300 MB)", async () => {
    // A process of its own: its peak memory is the listener's alone.
    const l = startWhk(['listen', '--port', '0', '--json', '--forward-to', appUrl]);
    const { url } = JSON.parse(await l.waitFor(/"type":"ready"/, 'stdout')) as { url: string };
    const r = await fetch(`${url}big`, { method: 'POST', body: '{}' });
    let bytes = 0;
    for await (const chunk of r.body!) bytes += (chunk as Uint8Array).length;
    expect(bytes).toBe(200 * 1024 * 1024);
    const peak = vmHwmMb(l.child.pid!);
    l.child.kill('SIGTERM');
    await l.exited;
    expect(peak).toBeLessThan(150);
    const e = l.stdoutLines.map((x) => JSON.parse(x)).find((x) => x.type === 'event');
    expect(e.forward).toMatchObject({ status: 200 });
  });

  it('keeps repeated Set-Cookie headers apart', async () => {
    const { l, url } = await listen(['--forward-to', appUrl]);
    const r = await fetch(`${url}cookies`, { method: 'POST', body: '{}' });
    expect(r.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    await stop(l);
  });

  it('--forward-timeout: a stuck app gets 504 after that long, naming the flag', async () => {
    const { l, url } = await listen(['--forward-to', appUrl, '--forward-timeout', '300ms']);
    const r = await fetch(`${url}stuck`, { method: 'POST', body: '{}' });
    expect(r.status).toBe(504);
    expect(await r.text()).toMatch(/within 300ms \(--forward-timeout\)/);
    await stop(l);
  });
});

describe('bodies that cannot be pretty-printed', () => {
  it('100,000 levels of nesting: answered, written as NDJSON and recorded (the terminal side is in terminal.test.ts)', async () => {
    const dir = tmp('deep');
    const record = join(dir, 'rec.ndjson');
    const { l, url } = await listen(['--record', record]);
    const body = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect((await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } })).status).toBe(200);
    await l.waitFor(/"type":"event"/, 'stdout');
    await stop(l);
    const recorded = JSON.parse(readFileSync(record, 'utf8').trim());
    expect(recorded.body).toBe(body);
  });
});
