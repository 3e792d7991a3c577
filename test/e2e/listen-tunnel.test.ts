/**
 * `whk listen --tunnel` offline: the failure paths of the real ngrok adapter (no authtoken; an
 * ngrok server that never answers; one that refuses), and the tunnelled output through the
 * fake tunnel injected into whk running in-process (main() takes its dependencies).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentServer } from '../helpers/silent.js';
import { sign } from '../../src/index.js';
import { runWhk } from '../helpers/cli.js';
import { EventEmitter } from 'node:events';
import { main } from '../../src/cli.js';
import { fakeTunnel } from '../helpers/fake-tunnel.js';

const dir = mkdtempSync(join(tmpdir(), 'whk-tunnel-e2e-'));
/** No ngrok configuration anywhere: an empty home, no NGROK_* variables. */
const bare = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'xdg'), NGROK_AUTHTOKEN: undefined, NGROK_CONFIG: undefined };

describe('whk listen --tunnel (ngrok), offline', () => {
  let silent: Awaited<ReturnType<typeof silentServer>>;
  let silentAddr = '';
  beforeAll(async () => {
    silent = await silentServer();
    silentAddr = silent.addr;
  });
  afterAll(() => silent.close());

  it('--tunnel ngrok without an authtoken: exit 2, saying where to get one', async () => {
    const r = await runWhk(['listen', '--port', '0', '--tunnel', 'ngrok'], { env: bare });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^whk: --tunnel needs an ngrok authtoken: get yours at https:\/\/dashboard\.ngrok\.com\/get-started\/your-authtoken/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a bare --tunnel with an authtoken is ngrok, as before; ngrok does not answer: exit 3 within --tunnel-timeout, one line, no ready line', async () => {
    const config = join(dir, 'silent.yml');
    writeFileSync(config, `version: "3"\nagent:\n  authtoken: ${'x'.repeat(40)}\n  connect_url: ${silentAddr}\n`);
    const r = await runWhk(['listen', '--port', '0', '--tunnel', '--tunnel-timeout', '1s'], { env: { ...bare, NGROK_CONFIG: config } });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`whk: ngrok tunnel: no answer from ${silentAddr} within 1s — check your network (or raise --tunnel-timeout)\n`);
  });

  it('ngrok refuses the connection: exit 3, one line', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const addr = `127.0.0.1:${(closed.address() as { port: number }).port}`;
    await new Promise((r) => closed.close(r));
    const r = await runWhk(['listen', '--port', '0', '--tunnel', '--ngrok-authtoken', 'y'.repeat(40)], {
      env: { ...bare, NGROK_CONFIG: (writeFileSync(join(dir, 'closed.yml'), `server_addr: ${addr}\n`), join(dir, 'closed.yml')) },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^whk: cannot open the ngrok tunnel via ${addr}: .+\\n$`));
  });

  it('tunnelled (in-process, the tunnel injected): the public URL with the path, in the ready lines; URL-signing schemes verify against it', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const waitFor = async (lines: string[], re: RegExp) => {
      for (;;) {
        const hit = lines.flatMap((l) => l.split('\n')).find((l) => re.test(l));
        if (hit) return hit;
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const signals = new EventEmitter();
    const tunnel = fakeTunnel('https://fake.example');
    const exit = main(['node', 'whk', 'listen', '--port', '0', '--json', '--tunnel', 'ngrok', '--no-tunnel-check', '--path', '/hooks', '--scheme', 'square', '--secret', 'sq-key'], {
      io: { out: (t) => void out.push(t), err: (t) => void err.push(t) },
      listen: { tunnel: async () => tunnel, signals },
    });
    const ready = JSON.parse(await waitFor(out, /"type":"ready"/));
    expect(ready).toEqual({ type: 'ready', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/hooks$/), publicUrl: 'https://fake.example/hooks', inspectUrl: null, pid: process.pid });
    expect(err.join('').split('\n').slice(0, 2)).toEqual([`whk listening on ${ready.url}`, "public URL: https://fake.example/hooks  (paste it into the provider's webhook settings)"]);
    const body = '{"type":"payment.updated","event_id":"e-7"}';
    const r = await fetch(ready.url, { method: 'POST', body, headers: sign('square', { body, secrets: ['sq-key'], url: 'https://fake.example/hooks' }) });
    expect(r.status).toBe(200);
    expect(JSON.parse(await waitFor(out, /"type":"event"/))).toMatchObject({ verdict: { valid: true }, eventId: 'e-7' });
    signals.emit('SIGINT');
    expect(await exit).toBe(130);
    expect(tunnel.started).toHaveLength(1);
    expect(tunnel.closed).toBe(1);
  });
});
