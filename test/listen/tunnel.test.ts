import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentServer } from '../helpers/silent.js';
import { WhkError } from '../../src/errors.js';
import { ngrokConfigPaths, parseNgrokConfig, resolveNgrokSettings } from '../../src/tunnel/authtoken.js';
import { ngrokTunnel, tunnelError } from '../../src/tunnel/ngrok.js';

const dir = mkdtempSync(join(tmpdir(), 'whk-tunnel-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('ngrok config file', () => {
  it('reads version 3 (agent: authtoken / connect_url) and version 2 (top-level authtoken / server_addr)', () => {
    expect(parseNgrokConfig('version: "3"\nagent:\n  authtoken: 2abc_DEF # mine\n  connect_url: 127.0.0.1:4443\nendpoints:\n  - name: x\n    authtoken: not-this\n'))
      .toEqual({ authtoken: '2abc_DEF', serverAddr: '127.0.0.1:4443' });
    expect(parseNgrokConfig("version: 2\nauthtoken: '2xyz'\nserver_addr: \"tunnel.example:443\"\nregion: eu\n"))
      .toEqual({ authtoken: '2xyz', serverAddr: 'tunnel.example:443' });
    expect(parseNgrokConfig('# authtoken: commented\nweb_addr: localhost:4040\n')).toEqual({});
  });

  it('looks where the ngrok agent looks, NGROK_CONFIG first', () => {
    expect(ngrokConfigPaths({ NGROK_CONFIG: '/a.yml,/b.yml' }, '/home/u', 'linux')).toEqual(['/a.yml', '/b.yml']);
    expect(ngrokConfigPaths({}, '/home/u', 'linux')).toEqual(['/home/u/.config/ngrok/ngrok.yml', '/home/u/.ngrok2/ngrok.yml']);
    expect(ngrokConfigPaths({}, '/Users/u', 'darwin')[0]).toBe('/Users/u/Library/Application Support/ngrok/ngrok.yml');
  });

  it('authtoken: --ngrok-authtoken, then NGROK_AUTHTOKEN, then the config file', () => {
    const cfg = file('a.yml', 'agent:\n  authtoken: from-file\n');
    expect(resolveNgrokSettings('from-flag', { NGROK_AUTHTOKEN: 'from-env' }, [cfg])).toMatchObject({ authtoken: 'from-flag', source: '--ngrok-authtoken' });
    expect(resolveNgrokSettings(undefined, { NGROK_AUTHTOKEN: 'from-env' }, [cfg])).toMatchObject({ authtoken: 'from-env', source: 'NGROK_AUTHTOKEN' });
    expect(resolveNgrokSettings(undefined, {}, [join(dir, 'missing.yml'), cfg])).toMatchObject({ authtoken: 'from-file', source: cfg });
  });

  it('no authtoken anywhere: a usage error (exit 2) that says where to get one', () => {
    let err: unknown;
    try {
      resolveNgrokSettings(undefined, {}, [join(dir, 'missing.yml')]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WhkError);
    expect((err as WhkError).exitCode).toBe(2);
    expect((err as WhkError).message).toContain('https://dashboard.ngrok.com/get-started/your-authtoken');
  });
});

describe('the real ngrok adapter, offline', () => {
  let silent: Awaited<ReturnType<typeof silentServer>>;
  let silentAddr = '';
  beforeAll(async () => {
    silent = await silentServer();
    silentAddr = silent.addr;
  });
  afterAll(() => silent.close());

  // The native agent serialises session attempts in a process: once one hangs, later ones wait
  // behind it. So the refused case runs first (whk itself makes one attempt per process).
  it('a refused connection: exit 3 with one line', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const addr = `127.0.0.1:${(closed.address() as { port: number }).port}`;
    await new Promise((r) => closed.close(r));
    const t = ngrokTunnel({ authtoken: 'x'.repeat(40), source: 'test', serverAddr: addr, timeoutMs: 5000 });
    const err = await t.start('http://127.0.0.1:1').catch((e) => e);
    await t.close();
    expect(err).toMatchObject({ code: 'tunnel_unreachable', exitCode: 3 });
    expect(err.message).toMatch(new RegExp(`^cannot open the ngrok tunnel via ${addr}: .+`));
    expect(err.message).not.toContain('\n');
  });

  it('no answer within --tunnel-timeout: exit 3 with one line, no hang', async () => {
    const t = ngrokTunnel({ authtoken: 'x'.repeat(40), source: 'test', serverAddr: silentAddr, timeoutMs: 500 });
    const started = Date.now();
    const err = await t.start('http://127.0.0.1:1').catch((e) => e);
    await t.close();
    expect(err).toBeInstanceOf(WhkError);
    expect(err).toMatchObject({ code: 'tunnel_timeout', exitCode: 3 });
    expect(err.message).toBe(`ngrok tunnel: no answer from ${silentAddr} within 500ms — check your network (or raise --tunnel-timeout)`);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('maps ngrok error codes: a rejected authtoken is a usage error, the rest network errors', () => {
    const e105 = Object.assign(new Error('authentication failed: The authtoken you specified is invalid\n\nERR_NGROK_105'), { errorCode: 'ERR_NGROK_105' });
    expect(tunnelError(e105, 'x:443', { source: 'NGROK_AUTHTOKEN' })).toMatchObject({ exitCode: 2, code: 'tunnel_authtoken' });
    expect(tunnelError(e105, 'x:443', { source: 'NGROK_AUTHTOKEN' }).message).toBe('ngrok rejected the authtoken from NGROK_AUTHTOKEN (ERR_NGROK_105): get a valid one at https://dashboard.ngrok.com/get-started/your-authtoken');
    const e108 = Object.assign(new Error('limited to 1 simultaneous ngrok agent session'), { errorCode: 'ERR_NGROK_108' });
    expect(tunnelError(e108, 'x:443', {})).toMatchObject({ exitCode: 3 });
    const other = Object.assign(new Error('something odd happened. error_code: ERR_NGROK_999'), { errorCode: 'ERR_NGROK_999' });
    expect(tunnelError(other, 'x:443', {}).message).toBe('cannot open the ngrok tunnel via x:443 (ERR_NGROK_999): something odd happened');
  });
});
