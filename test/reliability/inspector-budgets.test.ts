/**
 * Budgets no inspector client can shift (issue 15, item 4a): live pages past 32 and sockets past
 * the inspector's share are told 503 and why; however many connect, the inspector holds at most
 * 64 of the process's file descriptors, and webhooks are still answered. The built CLI, real
 * sockets.
 */
import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startWhk, type Running } from '../helpers/cli.js';
import { home } from '../inspector/_inspector.js';
import { github, post } from './_listen.js';

interface Inspected {
  whk: Running;
  url: string;
  port: number;
  key: string;
}

/** whk listen with the inspector on; what it printed. */
async function listen(): Promise<Inspected> {
  const whk = startWhk(['listen', '--port', '0', '--json', '--inspect', '--inspect-port', '0'], { env: { WHK_HOME: home() } });
  const ready = JSON.parse(await whk.waitFor(/"type":"ready"/, 'stdout')) as { url: string; inspectUrl: string };
  const u = new URL(ready.inspectUrl);
  return { whk, url: ready.url, port: Number(u.port), key: u.searchParams.get('key') ?? '' };
}

/** One connection of its own (a script's, with the key): its answer's start (status null: closed without an answer). Left open. */
function ask(l: Inspected, path: string, sockets: Socket[]): Promise<{ status: number | null; text: string }> {
  const { port } = l;
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${l.key}\r\n\r\n`));
    sockets.push(s);
    let text = '';
    s.setEncoding('utf8');
    s.on('data', (c: string) => {
      text += c;
      if (/\r\n\r\n[^]/.test(text) || text.includes('event-stream')) resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1]), text });
    });
    s.on('error', () => undefined);
    s.on('close', () => resolve({ status: text ? Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1]) : null, text }));
  });
}

const fds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

describe('the inspector\'s budgets', () => {
  let l: Inspected | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    l?.whk.child.kill('SIGINT');
    await l?.whk.exited;
  });

  it('serves 32 live pages; the 33rd is told 503 and why; when one closes, a new one gets in', async () => {
    l = await listen();
    const live = await Promise.all(Array.from({ length: 32 }, () => ask(l!, '/api/events', sockets)));
    expect(live.map((r) => r.status)).toEqual(Array(32).fill(200));
    const extra = await ask(l, '/api/events', sockets);
    expect(extra.status).toBe(503);
    expect(extra.text).toMatch(/the inspector has 32 live pages open already: close some, then reload this one/);
    // The others still stream: a delivery reaches the first page.
    const first = sockets[0]!;
    const seen = new Promise<string>((resolve) => first.on('data', (c: string) => c.includes('event: delivery') && resolve(c)));
    expect((await post(l.url, github())).status).toBe(200);
    expect(await seen).toMatch(/^id: 1\nevent: delivery\ndata: \{"id":1,/m);
    first.destroy();
    // Its seat is freed once the inspector sees it close: the next page gets in.
    for (;;) {
      const again = await ask(l, '/api/events', sockets);
      if (again.status === 200) break;
      expect(again.status).toBe(503);
    }
  });

  it.runIf(process.platform === 'linux')('holds at most 64 file descriptors however many connect; past 56, says 503; webhooks still answered', async () => {
    l = await listen();
    const pid = l.whk.child.pid!;
    const before = fds(pid);
    const answers = await Promise.all(Array.from({ length: 100 }, () => ask(l!, '/api/info', sockets)));
    const held = fds(pid) - before;
    expect(held).toBeLessThanOrEqual(64);
    const count = (s: number | null) => answers.filter((a) => a.status === s).length;
    expect(count(200)).toBe(56);
    expect(count(503) + count(null)).toBe(44);
    expect(count(503)).toBeGreaterThan(0);
    expect(answers.find((a) => a.status === 503)!.text).toMatch(/the inspector has 56 connections open already: close some of its pages, then reload/);
    expect((await post(l.url, github())).status).toBe(200);
  });
});

describe('the process\'s file budget', () => {
  it.runIf(process.platform === 'linux')('under ulimit -n 256, 300 inspector connections cannot starve the webhooks: a delivery is still answered (was: the listener reset webhook connections, nothing said)', async () => {
    const { spawn } = await import('node:child_process');
    const { createInterface } = await import('node:readline');
    const { WHK } = await import('../helpers/cli.js');
    const child = spawn('bash', ['-c', `ulimit -n 256 && exec "${process.execPath}" "${WHK}" listen --port 0 --json --inspect --inspect-port 0`], { env: { ...process.env, WHK_HOME: home(), NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const ready = await new Promise<{ url: string; inspectUrl: string }>((resolve) => createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('"type":"ready"')) resolve(JSON.parse(line));
    }));
    const stderr: string[] = [];
    createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
    const inspector = new URL(ready.inspectUrl);
    const held: Socket[] = [];
    await Promise.all(Array.from({ length: 300 }, () => new Promise<void>((resolve) => {
      const s = connect(Number(inspector.port), '127.0.0.1', () => resolve());
      s.on('error', () => resolve());
      held.push(s);
    })));
    try {
      expect((await post(ready.url, github())).status).toBe(200);
      // The inspector closes what is past its share within a second.
      await new Promise((r) => setTimeout(r, 1200));
      // And the webhooks' own share is capped below the limit, said once when reached.
      const hooks = await Promise.all(Array.from({ length: 160 }, () => new Promise<Socket>((resolve) => {
        const s = connect(Number(new URL(ready.url).port), '127.0.0.1', () => resolve(s));
        s.on('error', () => resolve(s));
        held.push(s);
      })));
      expect(hooks.length).toBe(160);
      for (let i = 0; i < 50 && !stderr.some((l) => l.includes('refusing connections')); i++) await new Promise((r) => setTimeout(r, 100));
      expect(stderr.join('\n')).toMatch(/refusing connections: \d+ open, near this process's open-file limit \(256/);
    } finally {
      for (const s of held) s.destroy();
      child.kill('SIGTERM');
    }
  });
});
