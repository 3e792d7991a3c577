/**
 * The pure parts of the ssh tunnel: reading --tunnel-host, the arguments given to ssh, the public
 * URL in a service's output (as localhost.run and Pinggy print it), why ssh failed, and the host
 * keys of whk's known_hosts file with their fingerprints (as `ssh-keygen -lf` prints them).
 */
import { describe, expect, it } from 'vitest';
import { parseSshTarget, publicUrlInSshOutput, sshArgs, sshFailure } from '../../src/tunnel/ssh.js';
import { hostKeysIn, knownHostName } from '../../src/tunnel/known-hosts.js';
import { WhkError } from '../../src/errors.js';

describe('--tunnel-host for ssh', () => {
  it('defaults to localhost.run as nokey, port 22, -R 80, with its published host key', () => {
    const t = parseSshTarget(undefined);
    expect(t).toMatchObject({ user: 'nokey', host: 'localhost.run', port: 22, remotePort: 80 });
    expect(t.hostKeys).toHaveLength(1);
  });

  it('knows Pinggy (port 443, -R 0) and takes any [user@]host[:port]', () => {
    expect(parseSshTarget('a.pinggy.io')).toEqual({ host: 'a.pinggy.io', port: 443, remotePort: 0 });
    expect(parseSshTarget('tok+qr@a.pinggy.io')).toEqual({ user: 'tok+qr', host: 'a.pinggy.io', port: 443, remotePort: 0 });
    expect(parseSshTarget('me@tunnel.example.com:2222')).toEqual({ user: 'me', host: 'tunnel.example.com', port: 2222, remotePort: 80 });
  });

  it.each([
    ['-oProxyCommand=touch /tmp/x'],
    ['-oProxyCommand=x@example.com'],
    ['https://localtunnel.me'],
    ['host name'],
    ['example.com:99999'],
  ])('refuses %j (an option ssh would obey, a URL, garbage): exit 2, one line', (given) => {
    const e = (() => {
      try {
        parseSshTarget(given);
      } catch (err) {
        return err as WhkError;
      }
    })();
    expect(e).toBeInstanceOf(WhkError);
    expect(e!.exitCode).toBe(2);
    expect(e!.message).toMatch(/^--tunnel-host ".*" is not an ssh host: give \[user@\]host\[:port\]/);
  });
});

describe('the arguments of ssh', () => {
  it('no TTY, no prompt, keepalives, the forward or nothing, whk\'s known_hosts; localhost.run strictly', () => {
    const args = sshArgs(parseSshTarget(undefined), 'http://127.0.0.1:4000', '/s/known_hosts.published', 10_000);
    expect(args[0]).toBe('-T');
    for (const o of ['BatchMode=yes', 'ExitOnForwardFailure=yes', 'ServerAliveInterval=15', 'UserKnownHostsFile=/s/known_hosts.published', 'StrictHostKeyChecking=yes', 'HashKnownHosts=no', 'ConnectTimeout=10']) {
      expect(args[args.indexOf(o) - 1]).toBe('-o');
    }
    expect(args.slice(-6)).toEqual(['-p', '22', '-R', '80:127.0.0.1:4000', '--', 'nokey@localhost.run']);
  });

  it('a host without a published key is trusted on first use (accept-new), never without checking', () => {
    const args = sshArgs(parseSshTarget('a.pinggy.io'), 'http://[::1]:4000', '/my state/known_hosts', 1_500);
    expect(args).toContain('StrictHostKeyChecking=accept-new');
    expect(args).not.toContain('StrictHostKeyChecking=no');
    expect(args).toContain('UserKnownHostsFile="/my state/known_hosts"');
    expect(args).toContain('ConnectTimeout=2');
    expect(args.slice(-6)).toEqual(['-p', '443', '-R', '0:[::1]:4000', '--', 'a.pinggy.io']);
  });
});

describe('the public URL in the service\'s output', () => {
  it('localhost.run: the tunneled line, not the links of its banner', () => {
    const banner = [
      '===============================================================================',
      'Welcome to localhost.run!',
      'Follow your favourite reverse tunnel at [https://twitter.com/localhost_run].',
      '** your connection id is 1a2b, please mention it if you send me a message about an issue. **',
      'create an account and add your key for a longer lasting domain name. see https://localhost.run/docs/forever-free/ for more information.',
      'https://localhost.run/docs/',
    ];
    for (const line of banner) expect(publicUrlInSshOutput(line, 'localhost.run')).toBeUndefined();
    expect(publicUrlInSshOutput('8beaa541ba3dc2.lhr.life tunneled with tls termination, https://8beaa541ba3dc2.lhr.life', 'localhost.run')).toBe('https://8beaa541ba3dc2.lhr.life');
  });

  it('Pinggy: the https line, not the http one nor the dashboard', () => {
    expect(publicUrlInSshOutput('Your tunnel will expire in 60 minutes. Upgrade to Pinggy Pro to get unrestricted tunnels. https://dashboard.pinggy.io', 'a.pinggy.io')).toBeUndefined();
    expect(publicUrlInSshOutput('http://yqycl-98-162-69-48.a.free.pinggy.link', 'a.pinggy.io')).toBeUndefined();
    expect(publicUrlInSshOutput('https://yqycl-98-162-69-48.a.free.pinggy.link', 'a.pinggy.io')).toBe('https://yqycl-98-162-69-48.a.free.pinggy.link');
    expect(publicUrlInSshOutput('https://a.pinggy.io', 'a.pinggy.io')).toBeUndefined();
  });

  it('another service: "Forwarding HTTP traffic from https://..."', () => {
    expect(publicUrlInSshOutput('Forwarding HTTP traffic from https://abc.serveo.net', 'serveo.net')).toBe('https://abc.serveo.net');
  });
});

describe('why ssh failed', () => {
  const changed = [
    '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
    'The fingerprint for the ED25519 key sent by the remote host is',
    'SHA256:kXUsG8uvoFViMEy4giaK6bzomHOnRdXiZz25yTuyZCM.',
    'Host key verification failed.',
  ];

  it('a host key trusted on first use that changed: one line, exit 3, the key it sent and the file to fix', () => {
    const e = sshFailure(changed, 'exited (code 255)', { host: 'a.pinggy.io', file: '/s/known_hosts', pinned: false });
    expect(e.exitCode).toBe(3);
    expect(e.code).toBe('tunnel_host_key');
    expect(e.message).toBe('ssh tunnel: the host key of a.pinggy.io changed since whk first trusted it (it sent SHA256:kXUsG8uvoFViMEy4giaK6bzomHOnRdXiZz25yTuyZCM): someone may be intercepting the connection; whk did not connect (if a.pinggy.io really changed its key, delete its line from /s/known_hosts)');
  });

  it('a published host key that does not match: one line, exit 3', () => {
    const e = sshFailure(['Host key verification failed.'], 'exited (code 255)', { host: 'localhost.run', file: '/s/k', pinned: true });
    expect(e.message).toBe('ssh tunnel: the host key of localhost.run is not the one localhost.run publishes: someone may be intercepting the connection; whk did not connect');
  });

  it('anything else: its last line (ssh\'s own "Permanently added" note skipped)', () => {
    const e = sshFailure(["Warning: Permanently added 'x' (ED25519) to the list of known hosts.", 'Error: remote port forwarding failed for listen port 80', "Warning: Permanently added 'y' (RSA) to the list of known hosts."], 'exited (code 255)', { host: 'x', file: '/k', pinned: false });
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe('ssh tunnel via x failed: Error: remote port forwarding failed for listen port 80');
    expect(sshFailure([], 'exited (code 255)', { host: 'x', file: '/k', pinned: false }).message).toBe('ssh tunnel via x failed: ssh exited (code 255) before printing a public URL');
  });
});

describe('whk\'s known_hosts', () => {
  it('finds a host\'s keys and their fingerprints as ssh-keygen -lf prints them', () => {
    const text = [
      '# a comment',
      '[a.pinggy.io]:443 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDQw0mH948Gh/w2NyhJvyOrpo0INth5Siev7i/LTX3i9',
      'other.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB2ixWV95f5zSiBhJCeVFXyEXFhXwkIxcXMYUqU75XSE',
    ].join('\n');
    expect(knownHostName('A.pinggy.io', 443)).toBe('[a.pinggy.io]:443');
    expect(knownHostName('localhost.run', 22)).toBe('localhost.run');
    expect(hostKeysIn(text, '[a.pinggy.io]:443')).toEqual([{ kind: 'ED25519', fingerprint: 'SHA256:EltqMDWU6HphLz6+htN8eWz7XUNmNc/30tiYwJQS9Ic' }]);
    expect(hostKeysIn(text, 'a.pinggy.io')).toEqual([]);
  });

  it('the published localhost.run key has the fingerprint localhost.run\'s key has (SHA256:FV8I...)', () => {
    const [line] = parseSshTarget(undefined).hostKeys!;
    expect(hostKeysIn(line!, 'localhost.run')).toEqual([{ kind: 'RSA', fingerprint: 'SHA256:FV8IMJ4IYjYUTnd6on7PqbRjaZf4c1EhhEBgeUdE94I' }]);
  });
});
