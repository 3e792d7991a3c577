/**
 * `whk listen --tunnel ssh`: the built CLI with a stand-in `ssh` (test/helpers/stand-ins/ssh.mjs)
 * as the only program on its PATH. The stand-in checks host keys as ssh does, opens a "public"
 * HTTPS side on 127.0.0.1 and prints the URL as localhost.run and Pinggy print theirs. Nothing
 * touches the internet.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/index.js';
import { runWhk, startWhk, type Running } from '../helpers/cli.js';
import { alive, publicFetch, standIns } from '../helpers/stand-ins.js';

const running: Running[] = [];
afterEach(async () => {
  // A whk still running (a test that failed) is stopped as a user would, so that it stops its tunnel too.
  for (const w of running.splice(0)) {
    if (w.child.exitCode !== null || w.child.signalCode !== null) continue;
    w.child.kill('SIGTERM');
    await w.exited;
  }
});
const start = (args: string[], env: Record<string, string | undefined>) => {
  const w = startWhk(['listen', '--port', '0', '--json', '--no-inspect', ...args], { env });
  running.push(w);
  return w;
};
const portOf = (url: string) => new URL(url).port;

/** A Square delivery signed for `url` (Square signs the URL it posts to). */
function squareDelivery(url: string, id: string) {
  const body = JSON.stringify({ type: 'payment.updated', event_id: id });
  return publicFetch(url, { method: 'POST', body, headers: sign('square', { body, secrets: ['sq-key'], url }) });
}

describe('whk listen --tunnel ssh (localhost.run by default)', () => {
  it('runs ssh -T -R 80:... nokey@localhost.run, checking its published host key; the URL it prints is the public URL; the self-check is marked and not counted; SIGTERM leaves no ssh behind', async () => {
    const s = standIns(['ssh']);
    const w = start(['--tunnel', 'ssh', '--path', '/hooks', '--scheme', 'square', '--secret', 'sq-key'], s.env);
    const ready = JSON.parse(await w.waitFor(/"type":"ready"/, 'stdout'));
    const [run, announced] = s.log();
    expect(ready.publicUrl).toBe(`${announced!.url}/hooks`);
    expect(run!.argv).toEqual([
      '-T', '-o', 'BatchMode=yes', '-o', 'ExitOnForwardFailure=yes', '-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=3',
      '-o', 'ConnectTimeout=10', '-o', `UserKnownHostsFile=${join(s.home, 'known_hosts.published')}`, '-o', 'StrictHostKeyChecking=yes',
      '-o', 'HashKnownHosts=no', '-o', 'CheckHostIP=no', '-o', 'GlobalKnownHostsFile=/dev/null',
      '-p', '22', '-R', `80:127.0.0.1:${portOf(ready.url)}`, '--', 'nokey@localhost.run',
    ]);
    // The self-check's delivery came through the tunnel, marked; it is not a verified event.
    const check = JSON.parse(await w.waitFor(/"tunnelCheck":true/, 'stdout'));
    expect(check).toMatchObject({ path: '/hooks', verdict: null, response: { status: 200 }, headers: { 'x-whk-tunnel-check': expect.stringMatching(/^[0-9a-f]{32}$/) } });
    expect(w.stderrLines).toContain(`whk: ${announced!.url}/hooks is public: anyone who has it can post to it (ssh needs no account), and it may change when the tunnel reconnects (whk then says so)`);
    expect((await squareDelivery(ready.publicUrl, 'e-1')).status).toBe(200);
    expect(JSON.parse(await w.waitFor(/"eventId":"e-1"/, 'stdout'))).toMatchObject({ verdict: { valid: true } });
    w.child.kill('SIGTERM');
    const r = await w.exited;
    expect(r.code).toBe(143);
    expect(r.stderr.split('\n').pop()).toBe('whk: 1 event: 1 valid, 0 invalid, 0 duplicates');
    expect(alive(run!.pid)).toBe(false);
  });

  it('Pinggy (--tunnel-host a.pinggy.io): -p 443 -R 0:..., its host key trusted on first use with the fingerprint shown; when the tunnel drops, whk reconnects, prints the new URL, says it changed, and verifies against it', async () => {
    const s = standIns(['ssh']);
    const w = start(['--tunnel', 'ssh', '--tunnel-host', 'a.pinggy.io', '--scheme', 'square', '--secret', 'sq-key'], s.env);
    const ready = JSON.parse(await w.waitFor(/"type":"ready"/, 'stdout'));
    const [first, firstUrl] = s.log();
    // The https URL, not the http one Pinggy prints before it.
    expect(ready.publicUrl).toBe(`${firstUrl!.url}/`);
    expect(first!.argv).toContain('StrictHostKeyChecking=accept-new');
    expect(first!.argv).toContain(`UserKnownHostsFile=${join(s.home, 'known_hosts')}`);
    expect(first!.argv!.slice(-6)).toEqual(['-p', '443', '-R', `0:127.0.0.1:${portOf(ready.url)}`, '--', 'a.pinggy.io']);
    const known = join(s.home, 'known_hosts');
    expect(w.stderrLines).toContain(`whk: first connection to a.pinggy.io: its host key SHA256:EltqMDWU6HphLz6+htN8eWz7XUNmNc/30tiYwJQS9Ic (ED25519) is trusted from now on (remembered in ${known}; a different key will be refused)`);
    expect(readFileSync(known, 'utf8')).toBe('[a.pinggy.io]:443 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDQw0mH948Gh/w2NyhJvyOrpo0INth5Siev7i/LTX3i9\n');

    process.kill(first!.pid, 'SIGKILL');
    const back = await w.waitFor(/is back/, 'stderr');
    const [, , second, secondUrl] = s.log();
    expect(w.stderrLines).toContain('whk: ssh tunnel via a.pinggy.io dropped (ssh was stopped by SIGKILL): reconnecting');
    expect(back).toBe(`whk: ssh tunnel via a.pinggy.io is back on a new public URL: ${secondUrl!.url}/ (it changed: update the webhook URL at your provider)`);
    expect(secondUrl!.url).not.toBe(firstUrl!.url);
    // For scripts (--json): a record to update the provider's webhook URL from.
    expect(JSON.parse(await w.waitFor(/"type":"tunnel"/, 'stdout'))).toEqual({
      type: 'tunnel', tunnel: 'ssh tunnel via a.pinggy.io', publicUrl: `${secondUrl!.url}/`, previousUrl: ready.publicUrl, changed: true,
    });
    expect(w.stderrLines.filter((l) => l.includes('first connection'))).toHaveLength(1);
    // Square signs the URL it posts to: the new one now.
    expect((await squareDelivery(`${secondUrl!.url}/`, 'e-2')).status).toBe(200);
    expect(JSON.parse(await w.waitFor(/"eventId":"e-2"/, 'stdout'))).toMatchObject({ verdict: { valid: true } });
    w.child.kill('SIGINT');
    expect((await w.exited).code).toBe(130);
    expect(alive(second!.pid)).toBe(false);
  });
});

describe('whk listen --tunnel ssh: what goes wrong is one line', () => {
  it('a host key that changed since it was trusted: ssh refuses, whk says so in one line, exit 3', async () => {
    const s = standIns(['ssh']);
    mkdirSync(s.home, { recursive: true });
    writeFileSync(join(s.home, 'known_hosts'), '[a.pinggy.io]:443 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDQw0mH948Gh/w2NyhJvyOrpo0INth5Siev7i/LTX3i9\n');
    const r = await runWhk(['listen', '--port', '0', '--tunnel', 'ssh', '--tunnel-host', 'a.pinggy.io'], { env: { ...s.env, STANDIN_IMPOSTOR: '1' } });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`whk: ssh tunnel: the host key of a.pinggy.io changed since whk first trusted it (it sent SHA256:kXUsG8uvoFViMEy4giaK6bzomHOnRdXiZz25yTuyZCM): someone may be intercepting the connection; whk did not connect (if a.pinggy.io really changed its key, delete its line from ${join(s.home, 'known_hosts')})\n`);
  });

  it('localhost.run showing another key than the one it publishes: one line, exit 3', async () => {
    const s = standIns(['ssh']);
    const r = await runWhk(['listen', '--port', '0', '--tunnel', 'ssh'], { env: { ...s.env, STANDIN_IMPOSTOR: '1' } });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('whk: ssh tunnel: the host key of localhost.run is not the one localhost.run publishes (it sent SHA256:kXUsG8uvoFViMEy4giaK6bzomHOnRdXiZz25yTuyZCM): someone may be intercepting the connection; whk did not connect\n');
  });

  it('the service refusing: its words, one line, exit 3', async () => {
    const s = standIns(['ssh']);
    const r = await runWhk(['listen', '--port', '0', '--tunnel', 'ssh'], { env: { ...s.env, STANDIN_REFUSE: 'Error: remote port forwarding failed for listen port 80' } });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('whk: ssh tunnel via localhost.run failed: Error: remote port forwarding failed for listen port 80\n');
  });

  it('no ssh on PATH: --tunnel ssh says how to install OpenSSH, exit 2', async () => {
    const r = await runWhk(['listen', '--port', '0', '--tunnel', 'ssh'], { env: standIns([]).env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('whk: --tunnel ssh needs the OpenSSH client (ssh) on PATH: install it (apt install openssh-client, dnf install openssh-clients; macOS has it; Windows: Settings > Optional features > OpenSSH Client), or use --tunnel localtunnel (see whk listen --help)\n');
  });

  it('an unknown provider: exit 2, the four listed', async () => {
    const r = await runWhk(['listen', '--port', '0', '--tunnel', 'smee']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('whk: --tunnel "smee" is not a tunnel whk opens: give ngrok, ssh, localtunnel, cloudflared (or auto, the default) (see whk listen --help)\n');
  });
});

describe('the self-check: one delivery through the public URL must arrive byte for byte', () => {
  it('a relay that re-serializes JSON (as smee does) fails it: one line, exit 3, no ready line, no ssh left', async () => {
    const s = standIns(['ssh']);
    const r = await runWhk(['listen', '--port', '0', '--tunnel', 'ssh', '--secret', 's3cret'], { env: { ...s.env, STANDIN_RESERIALIZE: '1' } });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    const url = s.log().find((l) => l.url)!.url;
    expect(r.stderr).toBe(`whk: tunnel self-check: a signed test delivery through ${url}/ arrived changed: the tunnel re-serialized its JSON body (the same data, other bytes), so every signature would fail through this tunnel (--no-tunnel-check skips the check)\n`);
    expect(alive(s.log()[0]!.pid)).toBe(false);
  });

  it('--no-tunnel-check skips it: the listener starts through the same relay', async () => {
    const s = standIns(['ssh']);
    const w = start(['--tunnel', 'ssh', '--no-tunnel-check'], { ...s.env, STANDIN_RESERIALIZE: '1' });
    const ready = JSON.parse(await w.waitFor(/"type":"ready"/, 'stdout'));
    expect(ready.publicUrl).toBe(`${s.log().find((l) => l.url)!.url}/`);
    w.child.kill('SIGINT');
    const r = await w.exited;
    expect(r.code).toBe(130);
    expect(r.stdout).not.toContain('tunnelCheck');
  });

  it('the check\'s delivery is not forwarded: --forward-to gets only the real one', async () => {
    const got: string[] = [];
    const app = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += c)).on('end', () => (got.push(body), res.end('ok')));
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    try {
      const s = standIns(['ssh']);
      const w = start(['--tunnel', 'ssh', '--forward-to', `http://127.0.0.1:${(app.address() as { port: number }).port}/app`], s.env);
      // Ready once the check went through (had it been forwarded, the app would have answered it by then).
      const ready = JSON.parse(await w.waitFor(/"type":"ready"/, 'stdout'));
      const r = await publicFetch(ready.publicUrl, { method: 'POST', body: '{"real":true}', headers: { 'content-type': 'application/json' } });
      expect(await r.text()).toBe('ok');
      expect(got).toEqual(['{"real":true}']);
      w.child.kill('SIGINT');
      await w.exited;
      // Nor kept: the history (what whk replay sends again) has the real delivery only.
      const h = await runWhk(['history', '--json'], { env: s.env });
      expect(h.stdout.trim().split('\n').map((l) => JSON.parse(l).body)).toEqual(['{"real":true}']);
    } finally {
      app.close();
    }
  });
});
