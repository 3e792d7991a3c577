/**
 * The inspector's API and security rules over plain HTTP (no browser): the built CLI, real
 * listeners and receivers on 127.0.0.1, real signatures.
 */
import { networkInterfaces } from 'node:os';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../src/index.js';
import { runWhk, startWhk } from '../helpers/cli.js';
import { startReceiver, type Receiver } from '../send/_receiver.js';
import { SECRET, get, githubRecord, historyWith, home, http, listed, listenWithInspector, postJson, type Listening } from './_inspector.js';

const github = (body: string, secret = SECRET) => ({ 'content-type': 'application/json', 'x-github-event': 'issues', ...sign('github', { body, secrets: [secret] }) });
const deliver = (url: string, body: string, headers: Record<string, string>) => fetch(url, { method: 'POST', body, headers });

describe('whk listen --inspect: the API', () => {
  let l: Listening;
  let app: Receiver;
  beforeAll(async () => {
    app = await startReceiver(() => 202);
    l = await listenWithInspector(['--scheme', 'github', '--secret', SECRET, '--path', '/hooks', '--host', '0.0.0.0']);
    await deliver(`${l.url}/a`, '{"action":"opened","secret":"<img src=x onerror=alert(1)>"}', github('{"action":"opened","secret":"<img src=x onerror=alert(1)>"}'));
    await deliver(`${l.url}/b`, '{"action":"closed"}', github('{"action":"closed"}', 'wrong'));
    await listed(l.inspectUrl, 2);
  });
  afterAll(async () => {
    await l.stop();
    await app.close();
  });

  it('says where the page is: the ready record and the ready line', () => {
    expect(l.inspectUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(l.whk.stderrLines).toContain(`whk inspector on ${l.inspectUrl}`);
  });

  it('serves the page with a CSP, no CORS header, and the run token in the HTML only', async () => {
    const page = await get(l.inspectUrl);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe("default-src 'self'; frame-ancestors 'none'");
    expect(l.token).toMatch(/^[0-9a-f]{48}$/);
    for (const path of ['', 'inspector.js', 'inspector.css', 'api/info', 'api/deliveries', 'api/deliveries/1', 'nothing']) {
      const r = await get(`${l.inspectUrl}${path}`, { origin: 'https://evil.example' });
      expect(Object.keys(r.headers).filter((h) => h.startsWith('access-control-')), path).toEqual([]);
      expect(r.headers['content-security-policy'], path).toBeDefined();
    }
    const preflight = await http(`${l.inspectUrl}api/deliveries/1/replay`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect(Object.keys(preflight.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('weighs under 150 KB (HTML, script and style sheet)', async () => {
    const sizes = await Promise.all(['', 'inspector.js', 'inspector.css'].map(async (p) => Buffer.byteLength((await get(`${l.inspectUrl}${p}`)).body)));
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThan(150 * 1024);
  });

  it('answers 403 to a Host header that is not 127.0.0.1, localhost or [::1] with its port (DNS rebinding)', async () => {
    const port = new URL(l.inspectUrl).port;
    for (const host of ['evil.example', `evil.example:${port}`, '127.0.0.1', `127.0.0.1:${Number(port) + 1}`, `localhost.evil.example:${port}`]) {
      const r = await get(`${l.inspectUrl}api/deliveries`, { host });
      expect(r.status, host).toBe(403);
      expect(r.body).not.toContain('opened');
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      expect((await get(`${l.inspectUrl}api/info`, { host })).status, host).toBe(200);
    }
  });

  it('refuses every action without the token, or with a wrong one (403), and sends nothing', async () => {
    const ask = { mode: 'original', url: app.url };
    expect((await postJson(`${l.inspectUrl}api/deliveries/1/replay`, ask)).status).toBe(403);
    expect((await postJson(`${l.inspectUrl}api/deliveries/1/replay`, ask, { 'x-whk-token': 'a'.repeat(48) })).status).toBe(403);
    expect((await postJson(`${l.inspectUrl}api/deliveries/1/replay`, ask, { cookie: `x-whk-token=${l.token}` })).status).toBe(403);
    expect((await http(`${l.inspectUrl}api/deliveries/1`, { method: 'DELETE' })).status).toBe(403);
    expect(app.got).toHaveLength(0);
  });

  it('binds 127.0.0.1 only, even when the listener has --host 0.0.0.0', async () => {
    const port = Number(new URL(l.inspectUrl).port);
    const other = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (!other) return; // no other address on this machine to try
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect(port, other, () => (s.destroy(), resolve(false)));
      s.on('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  it('lists deliveries with their verdict, and details one without any secret', async () => {
    const all = await listed(l.inspectUrl, 2);
    expect(all.map((s) => [s.method, s.path, s.provider, s.eventType, s.verdict, s.status])).toEqual([
      ['POST', '/hooks/a', 'github', 'issues', 'valid', 200],
      ['POST', '/hooks/b', 'github', 'issues', 'no_match', 401],
    ]);
    const d = await get(`${l.inspectUrl}api/deliveries/2`);
    expect(JSON.parse(d.body).record.verdict.reason).toBe('no_match');
    for (const path of ['api/info', 'api/deliveries', 'api/deliveries/1', 'api/deliveries/2', '']) {
      expect((await get(`${l.inspectUrl}${path}`)).body, path).not.toContain(SECRET);
    }
    expect((await get(`${l.inspectUrl}api/deliveries/99`)).status).toBe(404);
  });

  it('searches headers and body text', async () => {
    const ids = async (q: string) => JSON.parse((await get(`${l.inspectUrl}api/search?q=${encodeURIComponent(q)}`)).body).ids;
    expect(await ids('CLOSED')).toEqual([2]);
    expect(await ids('x-github-event')).toEqual([1, 2]);
    expect(await ids('nothing like it')).toEqual([]);
  });

  it('replays the original bytes and headers, re-signs, and sends an edited body, each added to the list', async () => {
    const replay = (mode: string, extra = {}) => postJson(`${l.inspectUrl}api/deliveries/1/replay`, { mode, url: `${app.url}/app`, ...extra }, { 'x-whk-token': l.token });
    const original = JSON.parse((await get(`${l.inspectUrl}api/deliveries/1`)).body).record;

    const r1 = await replay('original');
    expect(r1.status).toBe(200);
    expect(JSON.parse(r1.body)).toMatchObject({ status: 202, error: null });
    expect(app.got[0]!.path).toBe('/app/a'); // the listener's --path replaced by the target's, as --forward-to does
    expect(app.got[0]!.body.toString()).toBe(original.body);
    expect(app.got[0]!.headers['x-hub-signature-256']).toBe(original.headers['x-hub-signature-256']);

    expect(JSON.parse((await replay('resign')).body)).toMatchObject({ status: 202, note: 're-signed as github' });
    const edited = '{"action":"edited"}';
    expect(JSON.parse((await replay('edit', { body: edited, headers: { ...original.headers, 'x-extra': 'yes' } })).body)).toMatchObject({ status: 202 });
    expect(app.got[2]!.body.toString()).toBe(edited);
    expect(app.got[2]!.headers['x-extra']).toBe('yes');
    const v = await runWhk(['verify', '--scheme', 'github', '--secret', SECRET, '--body', edited, '--header', `X-Hub-Signature-256: ${app.got[2]!.headers['x-hub-signature-256']}`]);
    expect(v.code).toBe(0);

    const all = await listed(l.inspectUrl, 5);
    expect(all.slice(2).map((s) => (s.replay as { of: number; mode: string }).mode)).toEqual(['original', 'resign', 'edit']);
  });

  it('says what is wrong with a replay that cannot be made, in one sentence', async () => {
    const h = { 'x-whk-token': l.token };
    expect(JSON.parse((await postJson(`${l.inspectUrl}api/deliveries/1/replay`, { mode: 'original', url: 'not a url' }, h)).body).error).toMatch(/is not a URL/);
    expect((await postJson(`${l.inspectUrl}api/deliveries/1/replay`, { mode: 'sideways', url: app.url }, h)).status).toBe(400);
    expect((await http(`${l.inspectUrl}api/deliveries/1/replay`, { method: 'POST', headers: h, body: '{' })).status).toBe(400);
    const dead = JSON.parse((await postJson(`${l.inspectUrl}api/deliveries/1/replay`, { mode: 'original', url: 'http://127.0.0.1:9/' }, h)).body);
    expect(dead).toMatchObject({ status: null, error: expect.stringMatching(/connection refused/) });
  });

  it('gives the commands that send a delivery again: curl (exact bytes) and whk send', async () => {
    const c = JSON.parse((await get(`${l.inspectUrl}api/deliveries/1/copy?to=${encodeURIComponent(`${app.url}/x`)}`)).body);
    expect(c.curl).toContain(`curl -X POST '${app.url}/x/a'`);
    expect(c.curl).toContain("-H 'x-hub-signature-256: sha256=");
    expect(c.whkSend).toMatch(/^whk send '.*\/x\/a' --scheme github --body '/);
    expect(c.whkSend).not.toContain('x-hub-signature-256');
  });
});

describe('the inspector, on or off', () => {
  it('is off in a pipe, with --json, --expect or --no-inspect: inspectUrl is null and no line is printed', async () => {
    for (const flags of [[], ['--no-inspect'], ['--inspect', '--no-inspect']]) {
      const whk = startWhk(['listen', '--port', '0', ...flags], { env: { WHK_HOME: home() } });
      const ready = JSON.parse(await whk.waitFor(/"type":"ready"/, 'stdout'));
      expect(ready.inspectUrl, flags.join(' ')).toBeNull();
      whk.child.kill('SIGINT');
      const r = await whk.exited;
      expect(r.stderr).not.toContain('inspector');
    }
  });

  it('refuses a bad --inspect-port or a taken one with one line, exit 2', async () => {
    const bad = await runWhk(['listen', '--inspect-port', '70000'], { env: { WHK_HOME: home() } });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const l = await listenWithInspector();
    const port = new URL(l.inspectUrl).port;
    const taken = await runWhk(['listen', '--port', '0', '--inspect', '--inspect-port', port], { env: { WHK_HOME: home() } });
    await l.stop();
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(new RegExp(`^whk: inspector port ${port} is already in use: .*--inspect-port 0`));
    expect(taken.stderr).not.toMatch(/\n\s+at /);
  });

  it('re-signing without a secret is said, not attempted', async () => {
    const app = await startReceiver(() => 200);
    const l = await listenWithInspector();
    await deliver(l.url, '{"a":1}', { 'content-type': 'application/json' });
    await listed(l.inspectUrl, 1);
    expect(JSON.parse((await get(`${l.inspectUrl}api/info`)).body).resign).toEqual({ ok: false, why: expect.stringMatching(/no secret/) });
    const r = await postJson(`${l.inspectUrl}api/deliveries/1/replay`, { mode: 'resign', url: app.url }, { 'x-whk-token': l.token });
    expect(r.status).toBe(409);
    expect(JSON.parse(r.body).error).toMatch(/^cannot re-sign: the listener has no secret/);
    expect(app.got).toHaveLength(0);
    await l.stop();
    await app.close();
  });

  it('drops nothing and never crashes when a live reader goes away mid-stream', async () => {
    const l = await listenWithInspector(['--secret', SECRET]);
    const { request } = await import('node:http');
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve) => {
        const req = request(`${l.inspectUrl}api/events`, (res) => res.once('data', () => (req.destroy(), resolve())));
        req.end();
      });
    }
    const body = '{"action":"after"}';
    expect((await deliver(l.url, body, github(body))).status).toBe(200);
    expect((await listed(l.inspectUrl, 1))[0]!.verdict).toBe('valid');
    await l.stop();
    expect(l.whk.child.exitCode).toBe(130);
  });
});

describe('whk inspect', () => {
  it('serves the page over history alone, and replays from it, re-signed', async () => {
    const dir = historyWith([githubRecord(1, 'opened'), githubRecord(2, 'closed')]);
    const app = await startReceiver(() => 200);
    const whk = startWhk(['inspect', '--port', '0', '--secret', SECRET], { env: { WHK_HOME: dir } });
    const url = (await whk.waitFor(/^whk inspector on /, 'stderr')).replace('whk inspector on ', '');
    await whk.waitFor(/^2 deliveries from /, 'stderr');
    const all = JSON.parse((await get(`${url}api/deliveries`)).body);
    expect(all.map((s: { eventType: string; session: string }) => [s.eventType, s.session])).toEqual([['opened', expect.stringMatching(/-4242$/)], ['closed', expect.stringMatching(/-4242$/)]]);
    const token = /content="([0-9a-f]+)"/.exec((await get(url)).body)![1]!;
    const r = JSON.parse((await postJson(`${url}api/deliveries/2/replay`, { mode: 'resign', url: app.url }, { 'x-whk-token': token })).body);
    expect(r).toMatchObject({ status: 200, note: 're-signed as github' });
    expect(app.got[0]!.path).toBe('/n/2');
    const v = await runWhk(['verify', '--scheme', 'github', '--secret', SECRET, '--body', app.got[0]!.body.toString(), '--header', `X-Hub-Signature-256: ${app.got[0]!.headers['x-hub-signature-256']}`]);
    expect(v.code).toBe(0);
    whk.child.kill('SIGINT');
    expect((await whk.exited).code).toBe(130);
    await app.close();
  });

  it('without a secret, says re-signing is impossible and why', async () => {
    const whk = startWhk(['inspect', '--port', '0'], { env: { WHK_HOME: historyWith([githubRecord(1, 'opened')]) } });
    const url = (await whk.waitFor(/^whk inspector on /, 'stderr')).replace('whk inspector on ', '');
    expect(JSON.parse((await get(`${url}api/info`)).body)).toMatchObject({ mode: 'history', resign: { ok: false, why: expect.stringMatching(/without a secret/) } });
    whk.child.kill('SIGTERM');
    expect((await whk.exited).code).toBe(143);
  });

  it('serves others while live readers that never read sit on their stream (bounded buffers)', async () => {
    const whk = startWhk(['inspect', '--port', '0'], { env: { WHK_HOME: historyWith(Array.from({ length: 20_000 }, (_, i) => githubRecord(i + 1, 'opened'))) } });
    const url = new URL((await whk.waitFor(/^whk inspector on /, 'stderr')).replace('whk inspector on ', ''));
    await whk.waitFor(/^20000 deliveries/, 'stderr');
    // Three readers that ask for the live list (about 8 MB of rows each) and never read a byte.
    const stalled = await Promise.all([1, 2, 3].map(() => new Promise<import('node:net').Socket>((resolve) => {
      const s = connect(Number(url.port), '127.0.0.1', () => {
        s.write(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${url.port}\r\n\r\n`);
        s.pause();
        resolve(s);
      });
    })));
    for (let i = 0; i < 3; i++) expect((await get(`${url}api/info`)).status).toBe(200);
    expect(JSON.parse((await get(`${url}api/deliveries/20000`)).body).path).toBe('/n/20000');
    for (const s of stalled) s.destroy();
    whk.child.kill('SIGINT');
    expect((await whk.exited).code).toBe(130);
  });

  it('refuses a bad --port with one line, exit 2', async () => {
    const r = await runWhk(['inspect', '--port', 'abc'], { env: { WHK_HOME: home() } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('lazy loading', () => {
  it('the CLI bundle and the listener hold no inspector code: it loads only when on', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const dir = new URL('../../dist/bin/', import.meta.url);
    const cli = readFileSync(new URL('cli.cjs', dir), 'utf8');
    expect(cli).not.toContain('frame-ancestors');
    const listen = readFileSync(new URL('commands/listen.js', dir), 'utf8');
    expect(listen).not.toContain('frame-ancestors');
    // The listener's chunks (static imports) hold none of it either.
    const statics = [...listen.matchAll(/^import[^;]*?from\s*"\.\/([^"]+)"/gm)].map((m) => m[1]!);
    for (const f of statics) expect(readFileSync(new URL(`commands/${f}`, dir), 'utf8'), f).not.toContain('frame-ancestors');
    expect(readdirSync(new URL('commands/', dir)).some((f) => readFileSync(new URL(`commands/${f}`, dir), 'utf8').includes('frame-ancestors'))).toBe(true);
  });
});
