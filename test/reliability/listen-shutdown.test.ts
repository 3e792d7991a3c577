/**
 * Trust at the edges, `whk listen`: what a peer does never kills the listener, and a signal is a
 * graceful shutdown (as Go's Server.Shutdown): what was admitted is answered and written, then
 * the exit code of the signal. The built CLI, real sockets, real signals.
 */
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startWhk, type Running } from '../helpers/cli.js';
import { github, post, SECRET } from './_listen.js';

const running: Running[] = [];
const servers: Server[] = [];
afterEach(() => {
  for (const r of running.splice(0)) r.child.kill('SIGKILL');
  for (const s of servers.splice(0)) s.closeAllConnections(), s.close();
});

/** whk listen --json on a free port; resolves once its ready line is out. */
async function listen(...args: string[]) {
  const whk = startWhk(['listen', '--port', '0', '--json', '--no-history', ...args]);
  running.push(whk);
  const ready = JSON.parse(await whk.waitFor(/"type":"ready"/, 'stdout')) as { url: string };
  return { whk, url: ready.url };
}

/** An app that answers only when `release` is called (or never). */
async function slowApp() {
  let arrived: () => void = () => undefined;
  const got = new Promise<void>((r) => (arrived = r));
  const waiting: Array<() => void> = [];
  const server = createServer((req, res) => {
    req.resume();
    arrived();
    waiting.push(() => res.end('app says ok'));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, got, release: () => waiting.splice(0).forEach((f) => f()) };
}

const events = (w: Running) => w.stdoutLines.filter((l) => l.includes('"type":"event"')).map((l) => JSON.parse(l) as { seq: number; response: { status: number }; forward?: { error?: string; status?: number } });

describe('a sender that hangs up mid-forward', () => {
  it('does not kill the listener: the forward is cancelled, recorded, and the next request is served (was: exit 1 with RequestAbortedError)', async () => {
    const app = await slowApp();
    const { whk, url } = await listen('--forward-to', app.url);
    const gone = new AbortController();
    const first = fetch(url, { method: 'POST', body: '{"n":1}', signal: gone.signal }).catch(() => 'aborted');
    await app.got;
    gone.abort();
    expect(await first).toBe('aborted');
    await whk.waitFor(/"seq":1.*sender hung up/, 'stdout');
    app.release();
    const next = post(url, { body: '{"n":2}' });
    await new Promise((r) => setTimeout(r, 50));
    app.release();
    expect((await next).status).toBe(200);
    const [one] = events(whk);
    expect(one!.response.status).toBe(0);
    expect(one!.forward?.error).toMatch(/forward cancelled: the sender hung up after .* before your app answered/);
    whk.child.kill('SIGTERM');
    const r = await whk.exited;
    expect(r.code).toBe(143);
    expect(r.stderr).not.toMatch(/RequestAbortedError|\n\s+at /);
  });
});

describe('graceful shutdown', () => {
  it('SIGTERM while a forward is in flight: the app\'s answer reaches the sender, the event is written, exit 143 (was: exit 1)', async () => {
    const app = await slowApp();
    const { whk, url } = await listen('--forward-to', app.url);
    const pending = post(url, { body: '{"n":1}' });
    await app.got;
    whk.child.kill('SIGTERM');
    await whk.waitFor(/stopping: 1 request in flight/, 'stderr');
    app.release();
    const answer = await pending;
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('app says ok');
    const r = await whk.exited;
    expect(r.code).toBe(143);
    expect(events(whk)[0]).toMatchObject({ response: { status: 200 }, forward: { status: 200 } });
  });

  it('a --delay answer in flight at SIGTERM is given and written, then exit 143 (was: dropped, never written)', async () => {
    const { whk, url } = await listen('--scheme', 'github', '--secret', SECRET, '--delay', '1s');
    const pending = post(url, github());
    await new Promise((r) => setTimeout(r, 200));
    whk.child.kill('SIGTERM');
    expect((await pending).status).toBe(200);
    const r = await whk.exited;
    expect(r.code).toBe(143);
    expect(events(whk)).toHaveLength(1);
    expect(events(whk)[0]!.response.status).toBe(200);
  });

  it('a second signal ends the wait at once: the delayed answer goes out now; the first signal\'s code stands', async () => {
    const { whk, url } = await listen('--delay', '60s', '--shutdown-timeout', '60s');
    const pending = post(url, { body: '{}' });
    await new Promise((r) => setTimeout(r, 200));
    whk.child.kill('SIGTERM');
    await whk.waitFor(/stopping: 1 request in flight gets up to 60s/, 'stderr');
    whk.child.kill('SIGINT');
    expect((await pending).status).toBe(200);
    expect((await whk.exited).code).toBe(143);
    expect(events(whk)[0]!.response.status).toBe(200);
  });

  it('a body still being read at SIGHUP is read to its end, answered and written: exit 129', async () => {
    const { whk, url } = await listen();
    const { port } = new URL(url);
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => (answer += d));
    const closed = new Promise((r) => socket.on('close', r));
    socket.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 10\r\n\r\n{"a":`);
    await new Promise((r) => setTimeout(r, 200));
    whk.child.kill('SIGHUP');
    await whk.waitFor(/stopping: 1 request in flight/, 'stderr');
    socket.write('1234}');
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(answer).toMatch(/connection: close/i);
    expect((await whk.exited).code).toBe(129);
    expect(events(whk)).toHaveLength(1);
  });

  it('--shutdown-timeout bounds the wait: an app that never answers is cut off, the sender gets 503 and the event says why', async () => {
    const app = await slowApp();
    const { whk, url } = await listen('--forward-to', app.url, '--shutdown-timeout', '300ms');
    const pending = post(url, { body: '{"n":1}' });
    await app.got;
    whk.child.kill('SIGINT');
    const answer = await pending;
    expect(answer.status).toBe(503);
    expect(answer.text).toMatch(/whk was shutting down/);
    expect((await whk.exited).code).toBe(130);
    expect(events(whk)[0]!.forward?.error).toMatch(/shutting down and your app had not answered within the shutdown grace/);
  });
});

describe('what a client sends', () => {
  it('HTTP/1.1 without Host is 400, recorded as malformed; HTTP/1.0 without Host is served (was: accepted)', async () => {
    const { whk, url } = await listen();
    const { port } = new URL(url);
    const raw = (text: string) => new Promise<string>((resolve) => {
      const s = connect(Number(port), '127.0.0.1', () => s.end(text));
      let got = '';
      s.on('data', (d) => (got += d));
      s.on('close', () => resolve(got));
    });
    expect(await raw('POST / HTTP/1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}')).toMatch(/^HTTP\/1\.1 400 .*[\s\S]*needs a Host header/);
    expect(await raw('POST / HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}')).toMatch(/^HTTP\/1\.1 200/);
    await whk.waitFor(/"type":"event"/, 'stdout');
    expect(whk.stdoutLines.some((l) => /"type":"rejected".*"reason":"malformed_request".*without a Host header/.test(l))).toBe(true);
  });

  it('the password of --forward-to is never printed (was: on stderr)', async () => {
    const { whk, url } = await listen('--forward-to', 'http://alice:hunter2-secret@127.0.0.1:9/');
    await post(url, { body: '{}' });
    await whk.waitFor(/"type":"event"/, 'stdout');
    whk.child.kill('SIGTERM');
    const r = await whk.exited;
    expect(r.stderr).toMatch(/forwarding to http:\/\/alice:\*\*\*@127\.0\.0\.1:9\//);
    expect(r.stderr + r.stdout).not.toContain('hunter2');
  });
});

describe('the last resort', () => {
  it('an error nothing handled (a bug of ours) is one line, then the summary and exit 1: no stack trace', async () => {
    const { EventEmitter } = await import('node:events');
    const { main } = await import('../../src/cli.js');
    const crashes = new EventEmitter();
    const signals = new EventEmitter();
    const err: string[] = [];
    let ready: (url: string) => void = () => undefined;
    const url = new Promise<string>((r) => (ready = r));
    const io = { out: () => undefined, err: (t: string) => {
      err.push(t);
      const m = /listening on (\S+)/.exec(t);
      if (m) ready(m[1]!);
    } };
    const code = main(['node', 'whk', 'listen', '--port', '0', '--no-history', '--no-inspect'], { io, listen: { crashes, signals, debug: false } });
    expect((await post(await url, { body: '{}' })).status).toBe(200);
    crashes.emit('uncaughtException', new Error('boom in a renderer'));
    crashes.emit('unhandledRejection', new Error('and another'));
    expect(await code).toBe(1);
    const text = err.join('\n');
    expect(text.match(/internal error/g)).toHaveLength(1);
    expect(text).toMatch(/^whk: internal error: boom in a renderer \(run with --debug for the stack\)$/m);
    expect(text).toMatch(/1 event: 0 valid, 0 invalid, 1 not verified/);
    expect(text).not.toMatch(/\n\s+at /);
  });
});

describe('each failure said once, with the exit code it deserves', () => {
  it('--record on a full disk: the failed write is said once, and a later Ctrl-C exits 1, not 130 (was: said twice, exit 130)', async () => {
    const { whk, url } = await listen('--record', '/dev/full');
    expect((await post(url, { body: '{}' })).status).toBe(200);
    await whk.waitFor(/ENOSPC|no space/i, 'stderr');
    whk.child.kill('SIGINT');
    const r = await whk.exited;
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').filter((l) => /ENOSPC|no space/i.test(l))).toHaveLength(1);
  });
});
