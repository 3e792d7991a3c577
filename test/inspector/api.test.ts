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
import { SECRET, get, githubRecord, historyWith, home, http, listed, listenWithInspector, openInspector, postJson, type Listening } from './_inspector.js';

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
    await listed(l, 2);
  });
  afterAll(async () => {
    await l.stop();
    await app.close();
  });

  it('says where the page is, with the run\'s key: the ready record and the ready line', () => {
    expect(l.inspectUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?key=[A-Za-z0-9_-]{43}$/);
    expect(l.whk.stderrLines).toContain(`whk inspector on ${l.inspectUrl}`);
  });

  it('trades the key for an HttpOnly, SameSite=Strict cookie and sends the browser on to / (303)', async () => {
    const r = await get(l.inspectUrl);
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/');
    const port = new URL(l.inspectUrl).port;
    expect(r.headers['set-cookie']).toEqual([`whk_inspector_${port}=${l.key}; HttpOnly; SameSite=Strict; Path=/`]);
    expect(r.body).toBe('');
    const page = await get(l.base, l.auth);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>whk inspector</title>');
  });

  const everything = ['', 'inspector.js', 'inspector.css', 'api/info', 'api/deliveries', 'api/deliveries/1', 'api/deliveries/1/copy?to=http://127.0.0.1:9/', 'api/search?q=opened', 'api/events'];

  it('answers 401 to every page, asset, API call and the stream without the key, saying where it is', async () => {
    for (const path of everything) {
      const r = await get(`${l.base}${path}`);
      expect(r.status, path).toBe(401);
      expect(r.body, path).not.toContain('opened');
      expect(r.body, path).not.toContain(l.token);
      expect(r.body, path).not.toContain(l.key);
      expect(r.body, path).toMatch(/open the address whk printed|Open that address/);
    }
    expect(JSON.parse((await get(`${l.base}api/deliveries`)).body).error).toMatch(/^the inspector needs its key: open the address whk printed when it started \(http:\/\/127\.0\.0\.1:\d+\/\?key=\.\.\./);
  });

  it('answers 401 to a wrong key, in the address, the cookie or a bearer header, and sets no cookie', async () => {
    const port = new URL(l.inspectUrl).port;
    const wrong = `${l.key.slice(0, -1)}${l.key.endsWith('A') ? 'B' : 'A'}`;
    const r = await get(`${l.base}?key=${wrong}`);
    expect(r.status).toBe(401);
    expect(r.headers['set-cookie']).toBeUndefined();
    expect((await get(`${l.base}?key=`)).status).toBe(401);
    expect((await get(`${l.base}?key=${l.key}x`)).status).toBe(401);
    for (const path of everything) {
      expect((await get(`${l.base}${path}`, { cookie: `whk_inspector_${port}=${wrong}` })).status, path).toBe(401);
      expect((await get(`${l.base}${path}`, { cookie: `whk_inspector_${Number(port) + 1}=${l.key}` })).status, path).toBe(401);
      expect((await get(`${l.base}${path}`, { authorization: `Bearer ${wrong}` })).status, path).toBe(401);
    }
    // The key in the address counts only at / (where it becomes the cookie).
    expect((await get(`${l.base}api/deliveries?key=${l.key}`)).status).toBe(401);
  });

  it('serves scripts that send the key as a bearer header; the icon to anyone', async () => {
    const r = await get(`${l.base}api/deliveries`, { authorization: `Bearer ${l.key}` });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toHaveLength(2);
    const icon = await get(`${l.base}favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers['content-type']).toBe('image/svg+xml');
  });

  it('serves the page with a CSP, no CORS header, and the run token in the HTML only', async () => {
    const page = await get(l.base, l.auth);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe("default-src 'self'; frame-ancestors 'none'");
    expect(l.token).toMatch(/^[0-9a-f]{48}$/);
    for (const path of everything.filter((p) => p !== 'api/events').concat('nothing')) {
      for (const auth of [{}, l.auth]) {
        const r = await get(`${l.base}${path}`, { origin: 'https://evil.example', ...auth });
        expect(Object.keys(r.headers).filter((h) => h.startsWith('access-control-')), path).toEqual([]);
        expect(r.headers['content-security-policy'], path).toBeDefined();
      }
    }
    for (const auth of [{}, l.auth]) {
      const preflight = await http(`${l.base}api/deliveries/1/replay`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', ...auth } });
      expect([401, 403]).toContain(preflight.status);
      expect(Object.keys(preflight.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('weighs under 150 KB (HTML, script and style sheet)', async () => {
    const sizes = await Promise.all(['', 'inspector.js', 'inspector.css'].map(async (p) => Buffer.byteLength((await get(`${l.base}${p}`, l.auth)).body)));
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThan(150 * 1024);
  });

  it('answers 403 to a Host header that is not 127.0.0.1, localhost or [::1] with its port (DNS rebinding)', async () => {
    const port = new URL(l.inspectUrl).port;
    for (const host of ['evil.example', `evil.example:${port}`, '127.0.0.1', `127.0.0.1:${Number(port) + 1}`, `localhost.evil.example:${port}`]) {
      const r = await get(`${l.base}api/deliveries`, { host, ...l.auth });
      expect(r.status, host).toBe(403);
      expect(r.body).not.toContain('opened');
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      expect((await get(`${l.base}api/info`, { host, ...l.auth })).status, host).toBe(200);
    }
  });

  it('refuses every action without the key (401), and with the cookie but without the page\'s token or from another origin (403); sends nothing', async () => {
    const ask = { mode: 'original', url: app.url };
    const replay = `${l.base}api/deliveries/1/replay`;
    expect((await postJson(replay, ask)).status).toBe(401);
    expect((await postJson(replay, ask, { 'x-whk-token': l.token })).status).toBe(401);
    expect((await postJson(replay, ask, l.auth)).status).toBe(403);
    expect((await postJson(replay, ask, { ...l.auth, 'x-whk-token': 'a'.repeat(48) })).status).toBe(403);
    expect((await postJson(replay, ask, { cookie: `${l.auth.cookie}; x-whk-token=${l.token}` })).status).toBe(403);
    expect((await postJson(replay, ask, { ...l.auth, 'x-whk-token': l.token, origin: 'http://127.0.0.1:9' })).status).toBe(403);
    expect((await postJson(replay, ask, { ...l.auth, 'x-whk-token': l.token, origin: 'null' })).status).toBe(403);
    expect((await http(`${l.base}api/deliveries/1`, { method: 'DELETE', headers: l.auth })).status).toBe(403);
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
    const all = await listed(l, 2);
    expect(all.map((s) => [s.method, s.path, s.provider, s.eventType, s.verdict, s.status])).toEqual([
      ['POST', '/hooks/a', 'github', 'issues', 'valid', 200],
      ['POST', '/hooks/b', 'github', 'issues', 'no_match', 401],
    ]);
    const d = await get(`${l.base}api/deliveries/2`, l.auth);
    expect(JSON.parse(d.body).record.verdict.reason).toBe('no_match');
    for (const path of ['api/info', 'api/deliveries', 'api/deliveries/1', 'api/deliveries/2', '']) {
      expect((await get(`${l.base}${path}`, l.auth)).body, path).not.toContain(SECRET);
    }
    expect((await get(`${l.base}api/deliveries/99`, l.auth)).status).toBe(404);
  });

  it('routes by method and path: HEAD as GET, 405 for another method, 404 for a path or a delivery not there', async () => {
    const acting = { ...l.auth, 'x-whk-token': l.token };
    const head = await http(`${l.base}inspector.js`, { method: 'HEAD', headers: l.auth });
    expect([head.status, head.headers['content-type'], head.body]).toEqual([200, 'text/javascript; charset=utf-8', '']);
    const error = (r: { status: number; body: string }) => [r.status, JSON.parse(r.body).error];
    // The dot of /inspector.js is a dot.
    expect(error(await get(`${l.base}inspectorXjs`, l.auth))).toEqual([404, 'nothing at /inspectorXjs']);
    expect(error(await http(`${l.base}api/info`, { method: 'POST', headers: acting }))).toEqual([405, 'POST is not allowed here']);
    expect(error(await http(`${l.base}api/deliveries/1`, { method: 'DELETE', headers: acting }))).toEqual([405, 'DELETE is not allowed here']);
    expect(error(await get(`${l.base}api/deliveries/1/replay`, l.auth))).toEqual([404, 'nothing at /api/deliveries/1/replay']);
    expect(error(await get(`${l.base}api/deliveries/1/other`, l.auth))).toEqual([404, 'nothing at /api/deliveries/1/other']);
    // A delivery no longer in memory is a 404 whatever the method.
    expect(error(await postJson(`${l.base}api/deliveries/99/replay`, { mode: 'original' }, acting)))
      .toEqual([404, 'no delivery #99 (it may have left memory: whk history show has it)']);
  });

  it('searches headers and body text', async () => {
    const ids = async (q: string) => JSON.parse((await get(`${l.base}api/search?q=${encodeURIComponent(q)}`, l.auth)).body).ids;
    expect(await ids('CLOSED')).toEqual([2]);
    expect(await ids('x-github-event')).toEqual([1, 2]);
    expect(await ids('nothing like it')).toEqual([]);
  });

  it('replays the original bytes and headers, re-signs, and sends an edited body, each added to the list', async () => {
    const replay = (mode: string, extra = {}) => postJson(`${l.base}api/deliveries/1/replay`, { mode, url: `${app.url}/app`, ...extra }, { ...l.auth, 'x-whk-token': l.token });
    const original = JSON.parse((await get(`${l.base}api/deliveries/1`, l.auth)).body).record;

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

    const all = await listed(l, 5);
    expect(all.slice(2).map((s) => (s.replay as { of: number; mode: string }).mode)).toEqual(['original', 'resign', 'edit']);
  });

  it('says what is wrong with a replay that cannot be made, in one sentence', async () => {
    const h = { ...l.auth, 'x-whk-token': l.token };
    expect(JSON.parse((await postJson(`${l.base}api/deliveries/1/replay`, { mode: 'original', url: 'not a url' }, h)).body).error).toMatch(/is not a URL/);
    expect((await postJson(`${l.base}api/deliveries/1/replay`, { mode: 'sideways', url: app.url }, h)).status).toBe(400);
    expect((await http(`${l.base}api/deliveries/1/replay`, { method: 'POST', headers: h, body: '{' })).status).toBe(400);
    const dead = JSON.parse((await postJson(`${l.base}api/deliveries/1/replay`, { mode: 'original', url: 'http://127.0.0.1:9/' }, h)).body);
    expect(dead).toMatchObject({ status: null, error: expect.stringMatching(/connection refused/) });
  });

  it('gives the commands that send a delivery again: curl (exact bytes) and whk send', async () => {
    const c = JSON.parse((await get(`${l.base}api/deliveries/1/copy?to=${encodeURIComponent(`${app.url}/x`)}`, l.auth)).body);
    expect(c.curl).toContain(`curl -X POST '${app.url}/x/a'`);
    expect(c.curl).toContain("-H 'x-hub-signature-256: sha256=");
    expect(c.whkSend).toMatch(/^whk send '.*\/x\/a' --scheme github --body '/);
    expect(c.whkSend).not.toContain('x-hub-signature-256');
  });

  it('lets an action through with the cookie, the token and its own origin, or with the bearer key alone', async () => {
    const ask = { mode: 'original', url: `${app.url}/door` };
    const replay = `${l.base}api/deliveries/1/replay`;
    const origin = l.base.replace(/\/$/, '');
    expect((await postJson(replay, ask, { ...l.auth, 'x-whk-token': l.token, origin })).status).toBe(200);
    expect((await postJson(replay, ask, { authorization: `Bearer ${l.key}` })).status).toBe(200);
    expect(app.got.slice(-2).map((g) => g.path)).toEqual(['/door/a', '/door/a']);
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
    await listed(l, 1);
    expect(JSON.parse((await get(`${l.base}api/info`, l.auth)).body).resign).toEqual({ ok: false, why: expect.stringMatching(/no secret/) });
    const r = await postJson(`${l.base}api/deliveries/1/replay`, { mode: 'resign', url: app.url }, { ...l.auth, 'x-whk-token': l.token });
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
        const req = request(`${l.base}api/events`, { headers: l.auth }, (res) => res.once('data', () => (req.destroy(), resolve())));
        req.end();
      });
    }
    const body = '{"action":"after"}';
    expect((await deliver(l.url, body, github(body))).status).toBe(200);
    expect((await listed(l, 1))[0]!.verdict).toBe('valid');
    await l.stop();
    expect(l.whk.child.exitCode).toBe(130);
  });
});

describe('whk inspect', () => {
  it('serves the page over history alone, and replays from it, re-signed', async () => {
    const dir = historyWith([githubRecord(1, 'opened'), githubRecord(2, 'closed')]);
    const app = await startReceiver(() => 200);
    const whk = startWhk(['inspect', '--port', '0', '--secret', SECRET], { env: { WHK_HOME: dir } });
    const printed = (await whk.waitFor(/^whk inspector on /, 'stderr')).replace('whk inspector on ', '');
    expect(printed).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?key=[A-Za-z0-9_-]{43}$/);
    await whk.waitFor(/^2 deliveries from /, 'stderr');
    const o = await openInspector(printed);
    expect((await get(`${o.base}api/deliveries`)).status).toBe(401);
    const all = JSON.parse((await get(`${o.base}api/deliveries`, o.auth)).body);
    expect(all.map((s: { eventType: string; session: string }) => [s.eventType, s.session])).toEqual([['opened', expect.stringMatching(/-4242$/)], ['closed', expect.stringMatching(/-4242$/)]]);
    const r = JSON.parse((await postJson(`${o.base}api/deliveries/2/replay`, { mode: 'resign', url: app.url }, { ...o.auth, 'x-whk-token': o.token })).body);
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
    const o = await openInspector((await whk.waitFor(/^whk inspector on /, 'stderr')).replace('whk inspector on ', ''));
    expect(JSON.parse((await get(`${o.base}api/info`, o.auth)).body)).toMatchObject({ mode: 'history', resign: { ok: false, why: expect.stringMatching(/without a secret/) } });
    whk.child.kill('SIGTERM');
    expect((await whk.exited).code).toBe(143);
  });

  it('serves others while live readers that never read sit on their stream (bounded buffers)', async () => {
    const whk = startWhk(['inspect', '--port', '0'], { env: { WHK_HOME: historyWith(Array.from({ length: 20_000 }, (_, i) => githubRecord(i + 1, 'opened'))) } });
    const o = await openInspector((await whk.waitFor(/^whk inspector on /, 'stderr')).replace('whk inspector on ', ''));
    const url = new URL(o.base);
    await whk.waitFor(/^20000 deliveries/, 'stderr');
    // Three readers that ask for the live list (about 8 MB of rows each) and never read a byte.
    const stalled = await Promise.all([1, 2, 3].map(() => new Promise<import('node:net').Socket>((resolve) => {
      const s = connect(Number(url.port), '127.0.0.1', () => {
        s.write(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${url.port}\r\nCookie: ${o.auth.cookie}\r\n\r\n`);
        s.pause();
        resolve(s);
      });
    })));
    for (let i = 0; i < 3; i++) expect((await get(`${url}api/info`, o.auth)).status).toBe(200);
    expect(JSON.parse((await get(`${url}api/deliveries/20000`, o.auth)).body).path).toBe('/n/20000');
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
    const cli = readFileSync(new URL('cli.js', dir), 'utf8');
    expect(cli).not.toContain('frame-ancestors');
    const listen = readFileSync(new URL('commands/listen.js', dir), 'utf8');
    expect(listen).not.toContain('frame-ancestors');
    // The listener's chunks (static imports) hold none of it either.
    const statics = [...listen.matchAll(/^import[^;]*?from\s*"\.\/([^"]+)"/gm)].map((m) => m[1]!);
    for (const f of statics) expect(readFileSync(new URL(`commands/${f}`, dir), 'utf8'), f).not.toContain('frame-ancestors');
    expect(readdirSync(new URL('commands/', dir)).some((f) => readFileSync(new URL(`commands/${f}`, dir), 'utf8').includes('frame-ancestors'))).toBe(true);
  });
});
