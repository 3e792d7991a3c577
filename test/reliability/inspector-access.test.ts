/**
 * The inspector answers only the user who started whk (issue 15, item 3): another user of the
 * machine can reach 127.0.0.1 too. Without the address whk printed (its key) nothing is served:
 * not the page (which holds the action token), not the list, not the stream, no action. On
 * Linux, a process of another user is refused even with the key. The built CLI, real sockets.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../send/_receiver.js';
import { startWhk, type Running } from '../helpers/cli.js';
import { get, home, http, listed, postJson } from '../inspector/_inspector.js';
import { github, post } from './_listen.js';

describe('the inspector, to a local user who was not given its address', () => {
  let whk: Running;
  let app: Receiver;
  let base = '';
  let key = '';
  beforeAll(async () => {
    app = await startReceiver(() => 200);
    whk = startWhk(['listen', '--port', '0', '--json', '--inspect', '--inspect-port', '0', '--secret', 'listener-s3cret'], { env: { WHK_HOME: home() } });
    const ready = JSON.parse(await whk.waitFor(/"type":"ready"/, 'stdout')) as { url: string; inspectUrl: string };
    base = `${new URL(ready.inspectUrl).origin}/`;
    key = new URL(ready.inspectUrl).searchParams.get('key') ?? '';
    expect((await post(ready.url, github('{"action":"opened","card":"4242 4242 4242 4242"}'))).status).toBe(401); // another secret: recorded all the same
    await listed({ base, auth: { authorization: `Bearer ${key}` } }, 1);
  });
  afterAll(async () => {
    whk?.child.kill('SIGINT');
    await whk?.exited;
    await app?.close();
  });

  it('gets 401 for the page, its script, the list, a delivery, a search and the live stream, and learns nothing', async () => {
    for (const path of ['', 'inspector.js', 'api/info', 'api/deliveries', 'api/deliveries/1', 'api/search?q=4242', 'api/events']) {
      const r = await get(`${base}${path}`);
      expect(r.status, path).toBe(401);
      expect(r.body, path).not.toMatch(/whk-token|4242 4242|"action"/);
    }
  });

  it('cannot replay (Edit & replay would sign any body with the listener\'s secret): 401, nothing sent', async () => {
    for (const mode of ['original', 'resign', 'edit']) {
      const r = await postJson(`${base}api/deliveries/1/replay`, { mode, url: app.url, body: '{"forged":true}' });
      expect(r.status, mode).toBe(401);
    }
    expect((await http(`${base}api/deliveries/1/replay`, { method: 'POST', headers: { 'x-whk-token': 'a'.repeat(48) }, body: '{"mode":"resign"}' })).status).toBe(401);
    expect(app.got).toHaveLength(0);
  });

  // Switching user needs root: as any other user this test cannot run, and says so by being skipped.
  it.runIf(process.platform === 'linux' && process.getuid?.() === 0)('refuses a process of another user (403) even with the key, and serves this one', async () => {
    const script = `fetch(process.argv[1], { headers: { authorization: 'Bearer ' + process.argv[2] } })
      .then(async (r) => console.log(r.status, await r.text()), (e) => console.log('error', e.message));`;
    const asNobody = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', script, `${base}api/deliveries`, key], { uid: 65534, gid: 65534, cwd: '/', env: { PATH: process.env.PATH } });
      let out = '';
      child.stdout.on('data', (c) => (out += c));
      child.stderr.on('data', (c) => (out += c));
      child.on('error', reject);
      child.on('close', () => resolve(out.trim()));
    });
    expect(asNobody).toMatch(/^403 .*answers only to the user who started whk/);
    expect(asNobody).not.toContain('4242');
    expect((await get(`${base}api/deliveries`, { authorization: `Bearer ${key}` })).status).toBe(200);
  });
});
