/**
 * `whk listen --tunnel` without an account, besides ssh (listen-tunnel-ssh.test.ts): localtunnel
 * (whk speaks its protocol to a local server, test/helpers/fake-localtunnel.ts), chosen by auto
 * when there is no ngrok authtoken and no ssh; and cloudflared, a stand-in on PATH
 * (test/helpers/stand-ins/cloudflared.mjs). Nothing touches the internet.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/index.js';
import { runWhk, startWhk, type Running } from '../helpers/cli.js';
import { fakeLocaltunnel } from '../helpers/fake-localtunnel.js';
import { alive, publicFetch, standIns } from '../helpers/stand-ins.js';

const running: Running[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  // A whk still running (a test that failed) is stopped as a user would, so that it stops its tunnel too.
  for (const w of running.splice(0)) {
    if (w.child.exitCode !== null || w.child.signalCode !== null) continue;
    w.child.kill('SIGTERM');
    await w.exited;
  }
  for (const c of cleanups.splice(0)) await c();
});
const start = (args: string[], env: Record<string, string | undefined>) => {
  const w = startWhk(['listen', '--port', '0', '--json', '--no-inspect', ...args], { env });
  running.push(w);
  return w;
};

function githubDelivery(url: string, id: string, via = fetch) {
  const body = JSON.stringify({ action: 'opened', id });
  return via(url, { method: 'POST', body, headers: { ...sign('github', { body, secrets: ['gh-s3cret'] }), 'x-github-event': 'issues', 'x-github-delivery': id } });
}

describe('whk listen --tunnel localtunnel', () => {
  it('auto without an ngrok authtoken and without ssh: localtunnel (said), its URL the public URL, the self-check through it; when it drops, whk asks for the same id again: "the same public URL"', async () => {
    const lt = await fakeLocaltunnel();
    cleanups.push(() => lt.close());
    const w = start(['--tunnel', '--tunnel-host', lt.url, '--scheme', 'github', '--secret', 'gh-s3cret'], standIns([]).env);
    const ready = JSON.parse(await w.waitFor(/"type":"ready"/, 'stdout'));
    expect(ready.publicUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(w.stderrLines).toContain('whk: --tunnel auto chose localtunnel (--tunnel-host is not for ngrok; no ssh on PATH; --tunnel <provider> to choose)');
    expect(lt.asked).toEqual(['?new']);
    await w.waitFor(/"tunnelCheck":true/, 'stdout');
    expect((await githubDelivery(ready.publicUrl, 'd-1')).status).toBe(200);
    expect(JSON.parse(await w.waitFor(/"eventId":"d-1"/, 'stdout'))).toMatchObject({ verdict: { valid: true } });

    lt.drop();
    const back = await w.waitFor(/is back/, 'stderr');
    expect(back).toBe(`whk: localtunnel via ${new URL(lt.url).host} is back on the same public URL: ${ready.publicUrl}`);
    // For scripts (--json): the same news as a record.
    expect(JSON.parse(await w.waitFor(/"type":"tunnel"/, 'stdout'))).toEqual({
      type: 'tunnel', tunnel: `localtunnel via ${new URL(lt.url).host}`, publicUrl: ready.publicUrl, previousUrl: ready.publicUrl, changed: false,
    });
    expect(lt.asked).toEqual(['?new', 'tunnel1']);
    expect((await githubDelivery(ready.publicUrl, 'd-2')).status).toBe(200);
    expect(JSON.parse(await w.waitFor(/"eventId":"d-2"/, 'stdout'))).toMatchObject({ verdict: { valid: true } });
    w.child.kill('SIGTERM');
    const r = await w.exited;
    expect(r.code).toBe(143);
    expect(r.stderr.split('\n').pop()).toBe('whk: 2 events: 2 valid, 0 invalid, 0 duplicates');
  });

  it('a server that does not answer: one line, exit 3', async () => {
    const r = await runWhk(['listen', '--port', '0', '--tunnel', 'localtunnel', '--tunnel-host', 'http://127.0.0.1:9'], { env: standIns([]).env });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^whk: cannot reach the localtunnel server http:\/\/127\.0\.0\.1:9: .+ — check your network \(or raise --tunnel-timeout\)\n$/);
  });
});

describe('whk listen --tunnel cloudflared', () => {
  it('a quick tunnel: cloudflared tunnel --url <listener>, the URL of its log box the public URL; SIGTERM leaves no cloudflared behind', async () => {
    const s = standIns(['cloudflared']);
    const w = start(['--tunnel', 'cloudflared', '--scheme', 'github', '--secret', 'gh-s3cret'], s.env);
    const ready = JSON.parse(await w.waitFor(/"type":"ready"/, 'stdout'));
    const [run, announced] = s.log();
    expect(run!.argv).toEqual(['tunnel', '--no-autoupdate', '--url', ready.url.replace(/\/$/, '')]);
    expect(ready.publicUrl).toBe(`${announced!.url}/`);
    await w.waitFor(/"tunnelCheck":true/, 'stdout');
    expect((await githubDelivery(ready.publicUrl, 'c-1', publicFetch as typeof fetch)).status).toBe(200);
    await w.waitFor(/"eventId":"c-1"/, 'stdout');
    w.child.kill('SIGTERM');
    expect((await w.exited).code).toBe(143);
    expect(alive(run!.pid)).toBe(false);
  });

  it('no cloudflared on PATH: how to install it, exit 2; whk downloads nothing', async () => {
    const r = await runWhk(['listen', '--port', '0', '--tunnel', 'cloudflared'], { env: standIns([]).env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('whk: --tunnel cloudflared needs the cloudflared program on PATH (whk never downloads it): install it (brew install cloudflared, or https://developers.cloudflare.com/cloudflare-one/connections/connect-networks/downloads/), or use --tunnel ssh (see whk listen --help)\n');
  });

  it('cloudflared failing: its error line, exit 3', async () => {
    const s = standIns(['cloudflared']);
    const r = await runWhk(['listen', '--port', '0', '--tunnel', 'cloudflared'], { env: { ...s.env, STANDIN_REFUSE: 'failed to request quick Tunnel: 429 Too Many Requests' } });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('whk: cloudflared could not open a quick tunnel: failed to request quick Tunnel: 429 Too Many Requests\n');
  });
});

describe('whk.json "tunnel" and "tunnelHost"', () => {
  it('are --tunnel and --tunnel-host; a tunnel whk does not open is one line, exit 2', async () => {
    const s = standIns([]);
    const { mkdirSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    mkdirSync(s.home, { recursive: true });
    const config = join(s.home, 'whk.json');
    writeFileSync(config, JSON.stringify({ tunnel: 'ssh', tunnelHost: 'a.pinggy.io' }));
    const r = await runWhk(['listen', '--port', '0', '--config', config], { env: s.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^whk: --tunnel ssh needs the OpenSSH client \(ssh\) on PATH/);
    writeFileSync(config, JSON.stringify({ tunnel: 'smee' }));
    const bad = await runWhk(['listen', '--port', '0', '--config', config], { env: s.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^whk: .*whk\.json: "tunnel": "smee" is not one of true, false, auto, ngrok, ssh, localtunnel, cloudflared /);
  });
});
