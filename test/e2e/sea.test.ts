/**
 * The standalone executable (Node's single-executable application, `npm run sea`): built here for
 * this platform from the build in dist/ (`npm test` builds it first), then run as people without
 * Node run it: --version, sign, and a listener and a sender, two processes of the executable, on
 * 127.0.0.1. Skipped only where this node cannot make one (a node binary without the fuse Node's
 * own builds carry, as some Linux distributions ship).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { standIns } from '../helpers/stand-ins.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EXE = join(ROOT, 'dist-sea', process.platform === 'win32' ? 'whk.exe' : 'whk');
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const canBuild = readFileSync(process.execPath).includes(FUSE);
const env = { ...process.env, NO_COLOR: '1', WHK_SECRET: undefined, NGROK_AUTHTOKEN: undefined };
const run = (args: string[]) => spawnSync(EXE, args, { cwd: ROOT, encoding: 'utf8', env });
const SECRET = 'sea-s3cret';

describe.skipIf(!canBuild)(`the standalone executable${canBuild ? '' : ` (skipped: ${process.execPath} has no single-executable fuse)`}`, () => {
  beforeAll(() => {
    const started = performance.now();
    const out = execFileSync(process.execPath, ['scripts/sea.mjs'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    console.log(`${out.trim()} (measured by the test: ${((performance.now() - started) / 1000).toFixed(1)}s)`);
  }, 180_000);

  it('prints its version and signs like the npm package (checked against node:crypto)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(run(['--version']).stdout.trim()).toBe(pkg.version);
    const body = '{"action":"opened"}';
    const signed = run(['sign', '--scheme', 'github', '--secret', SECRET, '--body', body]);
    expect(signed.status, signed.stderr).toBe(0);
    expect(signed.stdout).toContain(`X-Hub-Signature-256: sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`);
  });

  it('a listener and a sender, two processes of the executable: a valid event, a re-serialized body refused with its diagnosis, kill <pid> exits 143', async () => {
    const listener = spawn(EXE, ['listen', '--port', '0', '--json', '--scheme', 'github', '--secret', SECRET, '--no-history'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => listener.once('close', (code) => resolve(code)));
    try {
      const lines = createInterface({ input: listener.stdout })[Symbol.asyncIterator]();
      const ready = JSON.parse((await lines.next()).value as string) as { url: string; pid: number };
      expect(ready.pid).toBe(listener.pid);
      const sent = spawnSync(EXE, ['send', ready.url, '--scheme', 'github', '--secret', SECRET, '--event', 'push'], { encoding: 'utf8', env });
      expect(sent.status, sent.stderr).toBe(0);
      expect(sent.stdout).toMatch(/✓ 200 is within --expect 2xx/);
      // Signed compact, delivered re-indented: a framework that parsed and re-encoded the body.
      const compact = '{"action":"opened","n":1}';
      const headers = { 'content-type': 'application/json', 'x-github-event': 'issues', 'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(compact).digest('hex')}` };
      expect((await fetch(ready.url, { method: 'POST', headers, body: JSON.stringify(JSON.parse(compact), null, 2) })).status).toBe(401);
      const first = JSON.parse((await lines.next()).value as string);
      const second = JSON.parse((await lines.next()).value as string);
      expect(first).toMatchObject({ type: 'event', eventType: 'push', verdict: { valid: true, scheme: 'github' } });
      expect(second).toMatchObject({ type: 'event', verdict: { valid: false, reason: 'no_match', diagnosis: expect.stringMatching(/compact JSON/) } });
      process.kill(ready.pid, 'SIGTERM');
      expect(await exited).toBe(143);
    } finally {
      listener.kill('SIGKILL');
    }
  }, 60_000);

  it('a bare --tunnel with an ngrok authtoken goes past ngrok, which it has not, to ssh (a stand-in here), and says why', async () => {
    const s = standIns(['ssh']);
    const listener = spawn(EXE, ['listen', '--port', '0', '--json', '--no-history', '--tunnel'], { cwd: ROOT, env: { ...env, ...s.env, NGROK_AUTHTOKEN: 'ngrok-token-for-the-test' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => listener.once('close', (code) => resolve(code)));
    let stderr = '';
    listener.stderr.on('data', (d: Buffer) => (stderr += d));
    try {
      const lines = createInterface({ input: listener.stdout })[Symbol.asyncIterator]();
      const ready = JSON.parse((await lines.next()).value as string) as { publicUrl: string; pid: number };
      const announced = s.log().find((l) => l.url)!;
      expect(ready.publicUrl).toBe(`${announced.url}/`);
      expect(stderr).toContain('whk: --tunnel auto chose ssh (the standalone whk has no ngrok; ssh is on PATH; --tunnel <provider> to choose)');
      process.kill(ready.pid, 'SIGTERM');
      expect(await exited).toBe(143);
    } finally {
      listener.kill('SIGKILL');
    }
  }, 60_000);

  it('--tunnel (ngrok, a native module it cannot carry) is one line and exit 2; the other tunnels and the npm package are named', () => {
    const help = run(['listen', '--help']).stdout;
    // With the tunnel kinds (--tunnel <kind>), ngrok is named; before them, --tunnel alone means ngrok.
    const r = run(['listen', '--port', '0', ...(/cloudflared/.test(help) ? ['--tunnel', 'ngrok'] : ['--tunnel'])]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^whk: the standalone whk has no ngrok: use --tunnel ssh\|localtunnel\|cloudflared or the npm package\b/)]);
  });
});
