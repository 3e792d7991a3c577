/**
 * `whk listen --tunnel` offline: the failure paths of the real ngrok adapter (no authtoken; an
 * ngrok server that never answers; one that refuses), and the tunnelled output through the
 * test-only fake tunnel (WHK_TUNNEL_FAKE).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentServer } from '../helpers/silent.js';
import { sign } from '../../src/index.js';
import { runWhk, startWhk } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'whk-tunnel-e2e-'));
/** No ngrok configuration anywhere: an empty home, no NGROK_* variables. */
const bare = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'xdg'), NGROK_AUTHTOKEN: undefined, NGROK_CONFIG: undefined, WHK_TUNNEL_FAKE: undefined };

describe('whk listen --tunnel (ngrok), offline', () => {
  let silent: Awaited<ReturnType<typeof silentServer>>;
  let silentAddr = '';
  beforeAll(async () => {
    silent = await silentServer();
    silentAddr = silent.addr;
  });
  afterAll(() => silent.close());

  it('no authtoken: exit 2, saying where to get one', async () => {
    const r = await runWhk(['listen', '--port', '0', '--tunnel'], { env: bare });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^whk: --tunnel needs an ngrok authtoken: get yours at https:\/\/dashboard\.ngrok\.com\/get-started\/your-authtoken/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('ngrok does not answer: exit 3 within --tunnel-timeout, one line, no ready line', async () => {
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

  it('tunnelled: the public URL with the path, in the ready lines; URL-signing schemes verify against it', async () => {
    const l = startWhk(['listen', '--port', '0', '--json', '--tunnel', '--path', '/hooks', '--scheme', 'square', '--secret', 'sq-key'], {
      env: { ...bare, WHK_TUNNEL_FAKE: 'https://fake.example' },
    });
    try {
      const ready = JSON.parse(await l.waitFor(/"type":"ready"/, 'stdout'));
      expect(ready).toEqual({ type: 'ready', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/hooks$/), publicUrl: 'https://fake.example/hooks' });
      expect(l.stderrLines.slice(0, 2)).toEqual([`whk listening on ${ready.url}`, "public URL: https://fake.example/hooks  (paste it into the provider's webhook settings)"]);
      const body = '{"type":"payment.updated","event_id":"e-7"}';
      const r = await fetch(ready.url, { method: 'POST', body, headers: sign('square', { body, secrets: ['sq-key'], url: 'https://fake.example/hooks' }) });
      expect(r.status).toBe(200);
      expect(JSON.parse(await l.waitFor(/"type":"event"/, 'stdout'))).toMatchObject({ verdict: { valid: true }, eventId: 'e-7' });
    } finally {
      l.child.kill('SIGINT');
      expect((await l.exited).code).toBe(130);
    }
  });
});
