/**
 * Trust at the edges, `whk listen` as a hostile network would try it: paths that escape
 * --path, methods an app never expects, a forward loop, a stale delivery under another scheme's
 * header, secrets in what is written, a flood of connections. Real sockets; whk in-process (main()),
 * the built CLI for the process's open-file limit.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, createServer as netServer, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../src/index.js';
import { type InProcess, startInProcess, whk } from '../helpers/in-process.js';
import { dfns, github, post, SECRET, shell, tmp } from './_listen.js';

async function listen(args: string[]) {
  const l = startInProcess(['listen', '--port', '0', '--json', ...args]);
  const ready = JSON.parse(await l.waitFor(/"type":"ready"/, 'stdout'));
  return { l, url: ready.url as string, port: Number(new URL(ready.url).port) };
}
const stop = async (l: InProcess) => {
  l.signal('SIGTERM');
  return l.exited;
};
const lines = (l: InProcess) => l.stdoutLines.map((x) => JSON.parse(x));

/** The app behind --forward-to: records every request it gets. */
let app: Server;
let appUrl = '';
const hits: Array<{ method: string; url: string; via?: string }> = [];
beforeAll(async () => {
  app = createServer((req: IncomingMessage, res) => {
    hits.push({ method: req.method!, url: req.url!, via: req.headers.via });
    req.resume();
    req.on('end', () => res.end('app says hi'));
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  appUrl = `http://127.0.0.1:${(app.address() as { port: number }).port}`;
});
afterAll(() => new Promise((r) => app.close(r)));

/** Raw HTTP, so that the request target reaches the listener exactly as written. */
function rawRequest(port: number, method: string, target: string, body = ''): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => (got += d));
    s.on('close', () => resolve(got));
    s.on('error', () => resolve(got));
    s.write(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}

describe('--path and --forward-to', () => {
  it('dot segments, encoded or not, never leave --path: 400, and the app is never reached (was: DELETE /admin/db relayed)', async () => {
    const { l, port } = await listen(['--path', '/hooks', '--forward-to', `${appUrl}/webhooks`]);
    hits.length = 0;
    for (const target of ['/hooks/%2e%2e/%2e%2e/admin/db', '/hooks/../admin', '/hooks/%2E%2E/admin', '/hooks/.%2e/admin', '/hooks/x/../../admin', '/hooks%2f..%2fadmin', '/hooks/..\\admin']) {
      const answer = await rawRequest(port, 'DELETE', target);
      expect(answer, target).toMatch(/^HTTP\/1\.1 400 /);
    }
    expect(hits).toEqual([]);
    // Dot segments that stay inside are resolved before forwarding, not passed on.
    expect(await rawRequest(port, 'POST', '/hooks/a/../b//c')).toMatch(/^HTTP\/1\.1 200 /);
    expect(hits).toEqual([{ method: 'POST', url: '/webhooks/b/c', via: expect.stringMatching(/^1\.1 whk-[0-9a-f]+$/) }]);
    await stop(l);
    const rejected = lines(l).filter((x) => x.type === 'rejected');
    expect(rejected.map((x) => x.reason)).toEqual(Array(7).fill('bad_path'));
  });

  it('a dot segment with parameters (..;), which Tomcat and Spring read as .., is refused like one: 400, nothing forwarded (was: forwarded as is)', async () => {
    const { l, port } = await listen(['--path', '/hooks', '--forward-to', `${appUrl}/webhooks`]);
    hits.length = 0;
    for (const target of ['/hooks/..;/admin', '/hooks/..;jsessionid=x/admin', '/hooks/x/..%3b/..%3B/admin', '/hooks/.;/x']) {
      expect(await rawRequest(port, 'POST', target, '{}'), target).toMatch(/^HTTP\/1\.1 400 [^]*\(\.\.;\)/);
    }
    expect(hits).toEqual([]);
    // A parameter on an ordinary segment is nobody's dot segment.
    expect(await rawRequest(port, 'POST', '/hooks/a;v=1', '{}')).toMatch(/^HTTP\/1\.1 200 /);
    await stop(l);
  });

  it('only the methods providers use are forwarded (POST, GET); others get 405; --forward-methods changes the list', async () => {
    const { l, port } = await listen(['--path', '/hooks', '--forward-to', appUrl]);
    hits.length = 0;
    expect(await rawRequest(port, 'DELETE', '/hooks/x')).toMatch(/^HTTP\/1\.1 405 [^]*allow: POST, GET/i);
    expect(await rawRequest(port, 'PUT', '/hooks/x', '{}')).toMatch(/^HTTP\/1\.1 405 /);
    // GET: the verification handshake of Meta and others (hub.challenge) reaches the app.
    expect(await rawRequest(port, 'GET', '/hooks/x?hub.challenge=42')).toMatch(/^HTTP\/1\.1 200 [^]*app says hi/);
    expect(hits.map((h) => h.method)).toEqual(['GET']);
    await stop(l);
    const other = await listen(['--forward-to', appUrl, '--forward-methods', 'post,put']);
    expect(await rawRequest(other.port, 'PUT', '/x', '{}')).toMatch(/^HTTP\/1\.1 200 /);
    expect(await rawRequest(other.port, 'GET', '/x')).toMatch(/^HTTP\/1\.1 405 /);
    await stop(other.l);
  });

  it('a forward loop is answered 508 at once (was: 9,990 events and 20,000 open files in 5 s)', async () => {
    // The listener's own port, reached through another loopback address than the one it names.
    const probe = netServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const { l, url } = await listen(['--host', '0.0.0.0', '--port', String(port), '--forward-to', `http://127.0.0.2:${port}/`]);
    const r = await post(url, { body: '{"hello":1}', headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(508);
    expect(r.text).toMatch(/forward loop/);
    await stop(l);
    const all = lines(l).filter((x) => x.type !== 'ready');
    expect(all.map((x) => [x.type, x.type === 'event' ? x.response.status : x.reason])).toEqual(
      expect.arrayContaining([['rejected', 'forward_loop'], ['event', 508]]),
    );
    expect(all).toHaveLength(2);
  });
});

describe('--scheme auto', () => {
  it('a stale Dfns signature re-sent as X-Hub-Signature-256 is refused once dfns is established (scheme_mismatch)', async () => {
    const { l, url } = await listen(['--secret', SECRET]);
    expect((await post(url, dfns())).status).toBe(200);
    await l.waitFor(/verifying as dfns from now on; pass --scheme to choose/, 'stderr');
    const stale = dfns(3600);
    expect((await post(url, stale)).status).toBe(401); // as Dfns: an hour old
    // GitHub signs the same HMAC-SHA256 hex of the body, and has no timestamp.
    const signature = Object.values(sign('dfns', { body: stale.body, secrets: [SECRET] }))[0]!;
    const asGithub = { body: stale.body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature } };
    const r = await post(url, asGithub);
    expect(r.status).toBe(401);
    expect(r.text).toMatch(/scheme_mismatch/);
    await stop(l);
    const events = lines(l).filter((x) => x.type === 'event');
    expect(events.map((e) => e.verdict.reason)).toEqual(['ok', 'timestamp_too_old', 'scheme_mismatch']);
    // Said once, not per delivery.
    expect(l.stderrLines.filter((x) => x.includes('from now on'))).toHaveLength(1);
  });
});

describe('--scheme auto does not depend on arrival order', () => {
  it('a six-year-old Dfns delivery re-sent as X-Hub-Signature-256 as the FIRST delivery is refused and pins nothing; genuine Dfns deliveries then pass (was: accepted, github pinned, every Dfns delivery 401)', async () => {
    const { l, url } = await listen(['--secret', SECRET]);
    const stale = dfns(6 * 365 * 86_400);
    const signature = Object.values(sign('dfns', { body: stale.body, secrets: [SECRET] }))[0]!;
    const asGithub = { body: stale.body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature } };
    const r = await post(url, asGithub);
    expect(r.status).toBe(401);
    expect(r.text).toMatch(/timestamp_too_old.*signed as github \(X-Hub-Signature-256\), but the same signature is dfns's/);
    expect((await post(url, dfns())).status).toBe(200);
    expect((await post(url, dfns())).status).toBe(200);
    await stop(l);
    const events = lines(l).filter((x) => x.type === 'event');
    expect(events.map((e) => [e.scheme, e.verdict.reason, e.eventType])).toEqual([['github', 'timestamp_too_old', null], ['dfns', 'ok', 'wallet.created'], ['dfns', 'ok', 'wallet.created']]);
    expect(l.stderrLines.filter((x) => x.includes('verifying as dfns from now on'))).toHaveLength(1);
  });
});

describe('secrets', () => {
  it('a short secret and the part after whsec_ are never written (headers redacted)', async () => {
    const dir = tmp('redact');
    const record = join(dir, 'rec.ndjson');
    const std = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const { l, url } = await listen(['--secret', 'abc', '--secret', std, '--record', record]);
    await post(url, { body: '{}', headers: { 'x-short': 'abc', 'x-decoded': 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'x-fine': 'abcdef' } });
    await l.waitFor(/"type":"event"/, 'stdout');
    await stop(l);
    const written = readFileSync(record, 'utf8') + l.stdoutLines.join('\n');
    expect(written).not.toContain('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    const e = lines(l).find((x) => x.type === 'event');
    expect(e.headers).toMatchObject({ 'x-short': '[redacted: contains the secret]', 'x-decoded': '[redacted: contains the secret]', 'x-fine': 'abcdef' });
  });
});

describe('limits', () => {
  it('--max-connections: connections over the cap are refused, and that is said in one line (was: silent)', async () => {
    const { l, url } = await listen(['--max-connections', '5']);
    const port = Number(new URL(url).port);
    const sockets: Socket[] = [];
    for (let i = 0; i < 12; i++) sockets.push(connect(port, '127.0.0.1'));
    await l.waitFor(/refusing connections: 5 open at once \(--max-connections 5\)/, 'stderr');
    for (const s of sockets) s.destroy();
    // Still serving once they are gone.
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) status = (await post(url, github()).catch(() => ({ status: 0 }))).status;
    expect(status).toBe(200);
    await stop(l);
  });
});

describe('probe against whk listen --scheme auto', () => {
  it('every check passes, the signature under another scheme\'s header included (was: accepted as GitHub)', async () => {
    const { l, url } = await listen(['--secret', SECRET]);
    // The first valid delivery fixes the scheme, as a provider's first delivery would.
    expect((await post(url, dfns())).status).toBe(200);
    const r = await whk(['probe', url, '--scheme', 'dfns', '--secret', SECRET, '--json']);
    await stop(l);
    const report = JSON.parse(r.stdout);
    const row = report.checks.find((c: { id: string }) => c.id === 'other-header-github');
    expect(row).toMatchObject({ result: 'PASS' });
    expect(r.code).toBe(0);
  });
});

describe('the open-file limit', () => {
  it('connections near the process\'s file limit are refused, and that is said (was: a silent EMFILE)', async () => {
    const { child, done } = shell(`ulimit -n 100; exec $WHK listen --port 0 --json --ready-file ${join(tmp('nofile'), 'url')}`);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    while (!/"type":"ready"/.test(stdout)) await new Promise((r) => setTimeout(r, 20));
    const port = Number(new URL(JSON.parse(stdout.split('\n')[0]!).url).port);
    const sockets: Socket[] = [];
    for (let i = 0; i < 60; i++) sockets.push(connect(port, '127.0.0.1').on('error', () => undefined));
    while (!/refusing connections/.test(stderr)) await new Promise((r) => setTimeout(r, 20));
    expect(stderr).toMatch(/refusing connections: 36 open, near this process's open-file limit \(100; raise it with ulimit -n\)/);
    for (const s of sockets) s.destroy();
    child.kill('SIGTERM');
    expect((await done).code).toBe(143);
  });
});
