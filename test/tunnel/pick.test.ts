/**
 * Which tunnel --tunnel opens: the one named, or with auto (a bare --tunnel) ngrok when an
 * authtoken is configured, else ssh when it is on PATH, else localtunnel; and the usage errors
 * (exit 2) for what cannot work. Also cloudflared's log line and its failures.
 */
import { describe, expect, it } from 'vitest';
import { pickTunnel, type TunnelMeans } from '../../src/tunnel/pick.js';
import { cloudflaredFailure, publicUrlInCloudflaredLog } from '../../src/tunnel/cloudflared.js';
import { parseLocaltunnelServer } from '../../src/tunnel/localtunnel.js';
import { WhkError } from '../../src/errors.js';
import { errorOf } from '../helpers/errors.js';

const means = (o: { token?: boolean; programs?: string[] }): TunnelMeans => ({
  ngrokToken: () => o.token ?? false,
  program: (name) => (o.programs?.includes(name) ? `/usr/bin/${name}` : undefined),
});
const usageOf = (f: () => unknown) => errorOf(f) as WhkError;

describe('--tunnel auto (a bare --tunnel)', () => {
  it('ngrok when an authtoken is configured: --tunnel works as it did', () => {
    expect(pickTunnel({ tunnel: true }, means({ token: true, programs: ['ssh'] }))).toEqual({ provider: 'ngrok', why: 'an ngrok authtoken is configured' });
  });
  it('else ssh when the system has it', () => {
    expect(pickTunnel({ tunnel: 'auto' }, means({ programs: ['ssh'] }))).toEqual({ provider: 'ssh', program: '/usr/bin/ssh', why: 'no ngrok authtoken; ssh is on PATH' });
  });
  it('else localtunnel', () => {
    expect(pickTunnel({ tunnel: true }, means({}))).toEqual({ provider: 'localtunnel', why: 'no ngrok authtoken; no ssh on PATH' });
  });
  it('the standalone executable (no ngrok client) goes past ngrok even with an authtoken, and says why', () => {
    expect(pickTunnel({ tunnel: true }, { ...means({ token: true, programs: ['ssh'] }), ngrokClient: false })).toEqual({ provider: 'ssh', program: '/usr/bin/ssh', why: 'the standalone whk has no ngrok; ssh is on PATH' });
    expect(pickTunnel({ tunnel: true }, { ...means({ token: true }), ngrokClient: false })).toEqual({ provider: 'localtunnel', why: 'the standalone whk has no ngrok; no ssh on PATH' });
  });
  it('--tunnel-host is not for ngrok: skipped even with an authtoken; --tunnel-domain is only for ngrok', () => {
    expect(pickTunnel({ tunnel: true, host: 'a.pinggy.io' }, means({ token: true, programs: ['ssh'] })).provider).toBe('ssh');
    expect(pickTunnel({ tunnel: true, domain: 'x.ngrok.app' }, means({ programs: ['ssh'] })).provider).toBe('ngrok');
  });
});

describe('--tunnel <provider>: usage errors, exit 2', () => {
  it('ssh without ssh on PATH says how to install OpenSSH', () => {
    const e = usageOf(() => pickTunnel({ tunnel: 'ssh' }, means({})));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/^--tunnel ssh needs the OpenSSH client \(ssh\) on PATH: install it \(apt install openssh-client/);
  });
  it('cloudflared without cloudflared says how to install it; whk never downloads it', () => {
    const e = usageOf(() => pickTunnel({ tunnel: 'cloudflared' }, means({ programs: ['ssh'] })));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/^--tunnel cloudflared needs the cloudflared program on PATH \(whk never downloads it\): install it \(brew install cloudflared, or https:\/\/developers\.cloudflare\.com\//);
  });
  it('--tunnel-host with ngrok or cloudflared, --tunnel-domain with another tunnel', () => {
    expect(usageOf(() => pickTunnel({ tunnel: 'ngrok', host: 'x' }, means({}))).message).toBe('--tunnel-host names an ssh service or a localtunnel server: ngrok takes none (a reserved domain is --tunnel-domain)');
    expect(usageOf(() => pickTunnel({ tunnel: 'cloudflared', host: 'x' }, means({ programs: ['cloudflared'] }))).exitCode).toBe(2);
    expect(usageOf(() => pickTunnel({ tunnel: 'ssh', domain: 'x' }, means({ programs: ['ssh'] }))).message).toBe('--tunnel-domain is a reserved ngrok domain: it needs --tunnel ngrok, not ssh');
  });
  it('a localtunnel server is a URL or a host; an ssh host is not a URL', () => {
    expect(parseLocaltunnelServer(undefined)).toBe('https://localtunnel.me');
    expect(parseLocaltunnelServer('lt.example.com')).toBe('https://lt.example.com');
    expect(parseLocaltunnelServer('http://127.0.0.1:9/')).toBe('http://127.0.0.1:9');
    expect(usageOf(() => pickTunnel({ tunnel: 'localtunnel', host: 'ftp://x' }, means({}))).exitCode).toBe(2);
    expect(usageOf(() => pickTunnel({ tunnel: 'ssh', host: 'http://127.0.0.1:9' }, means({ programs: ['ssh'] }))).exitCode).toBe(2);
  });
});

describe('cloudflared\'s log', () => {
  it('the URL in its box, nothing else', () => {
    expect(publicUrlInCloudflaredLog('2025-01-01T00:00:00Z INF |  Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):  |')).toBeUndefined();
    expect(publicUrlInCloudflaredLog('2025-01-01T00:00:00Z INF |  https://random-words-here.trycloudflare.com                                               |')).toBe('https://random-words-here.trycloudflare.com');
    expect(publicUrlInCloudflaredLog('2025-01-01T00:00:00Z INF Requesting new quick Tunnel on trycloudflare.com...')).toBeUndefined();
  });
  it('a failure is its last error line, exit 3', () => {
    const e = cloudflaredFailure([
      '2025-01-01T00:00:00Z INF Requesting new quick Tunnel on trycloudflare.com...',
      '2025-01-01T00:00:00Z ERR failed to request quick Tunnel: no such host',
      '2025-01-01T00:00:00Z INF bye',
    ], 'exited (code 1)');
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe('cloudflared could not open a quick tunnel: failed to request quick Tunnel: no such host');
  });
});
