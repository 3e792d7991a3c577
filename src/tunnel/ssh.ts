import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { usage, WhkError } from '../errors.js';
import { childLink } from './child.js';
import { knownHostName, knownKeys, writeKnownHosts } from './known-hosts.js';
import { supervised } from './supervise.js';
import type { TunnelAdapter } from './types.js';

/** The default: localhost.run, free and account-free. */
export const DEFAULT_SSH_HOST = 'localhost.run';

/** What whk knows of a service: its SSH port, the remote port it forwards, its user, its published host keys. */
interface Service {
  port: number;
  /** The remote side of -R: 80 for localhost.run, 0 (any) for Pinggy. */
  remotePort: number;
  user?: string;
  /** known_hosts lines the service itself publishes: checked strictly, never trusted on first use. */
  hostKeys?: readonly string[];
}

/**
 * localhost.run: `ssh -R 80:localhost:PORT nokey@localhost.run`; its host key as published in its
 * own client-service repository (github.com/localhost-run/client-service). Pinggy:
 * `ssh -p 443 -R0:localhost:PORT a.pinggy.io` (pinggy.io/docs), no published key: trusted on first use.
 */
const SERVICES: Record<string, Service> = {
  'localhost.run': {
    port: 22,
    remotePort: 80,
    user: 'nokey',
    hostKeys: ['localhost.run ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC3lJnhW1oCXuAYV9IBdcJA+Vx7AHL5S/ZQvV2fhceOAPgO2kNQZla6xvUwoE4iw8lYu3zoE1KtieCU9yInWOVI6W/wFaT/ETH1tn55T2FVsK/zaxPiHZVJGLPPdEEid0vS2p1JDfc9onZ0pNSHLl1QusIOeMUyZ2bUMMLLgw46KOT9S3s/LmxgoJ3PocVUn5rVXz/Dng7Y8jYNe4IFrZOAUsi7hNBa+OYja6ceefpDvNDEJ1BdhbYfGolBdNA7f+FNl0kfaWru4Cblr843wBe2ckO/sNqgeAMXO/qH+SSgQxUXF2AgAw+TGp3yCIyYoOPvOgvcPsQziJLmDbUuQpnH'],
  },
  'a.pinggy.io': { port: 443, remotePort: 0 },
  'free.pinggy.io': { port: 443, remotePort: 0 },
};

/** `--tunnel-host [user@]host[:port]`, read. */
export interface SshTarget {
  user?: string;
  host: string;
  port: number;
  remotePort: number;
  /** Published host keys (known_hosts lines), when whk ships them for this host. */
  hostKeys?: readonly string[];
}

/** Reads `--tunnel-host` for ssh (default localhost.run): a usage error (exit 2) for what ssh could mistake for an option. */
export function parseSshTarget(text: string | undefined): SshTarget {
  const given = text ?? DEFAULT_SSH_HOST;
  const m = /^(?:([^@\s]+)@)?([A-Za-z0-9][A-Za-z0-9.-]*|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/.exec(given);
  if (given.includes('://') || !m || m[1]?.startsWith('-') || (m[3] !== undefined && !(Number(m[3]) >= 1 && Number(m[3]) <= 65535))) {
    throw usage('bad_tunnel_host', `--tunnel-host "${given}" is not an ssh host: give [user@]host[:port], e.g. a.pinggy.io (a localtunnel server's URL needs --tunnel localtunnel)`);
  }
  const host = m[2]!.toLowerCase();
  const known = SERVICES[host];
  const port = m[3] !== undefined ? Number(m[3]) : (known?.port ?? 22);
  const user = m[1] ?? known?.user;
  return { ...(user ? { user } : {}), host, port, remotePort: known?.remotePort ?? 80, ...(known?.hostKeys && port === known.port ? { hostKeys: known.hostKeys } : {}) };
}

export interface SshOptions {
  /** The ssh program (found on PATH). */
  ssh: string;
  target: SshTarget;
  /** whk's known_hosts file (hosts trusted on first use); published keys go to a file beside it. */
  knownHostsFile: string;
  timeoutMs: number;
  warn: (message: string) => void;
}

/**
 * A tunnel through the system's OpenSSH client to a service that prints its public URL
 * (localhost.run by default, Pinggy, or any such host): `ssh -R`, the URL read from its output,
 * the host key checked by ssh against whk's own known_hosts files, reconnected when it drops.
 */
export function sshTunnel(o: SshOptions): TunnelAdapter {
  const { target } = o;
  const name = knownHostName(target.host, target.port);
  const pinned = target.hostKeys !== undefined;
  const file = pinned ? `${o.knownHostsFile}.published` : o.knownHostsFile;
  return supervised({
    name: `ssh tunnel via ${target.host}`,
    warn: o.warn,
    connect: async (localUrl, signal) => {
      // ssh adds a host to the file, but does not make its folder.
      if (pinned) writeKnownHosts(file, target.hostKeys!);
      else mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      const before = knownKeys(file, name);
      const link = await childLink({
        what: 'ssh', command: o.ssh, args: sshArgs(target, localUrl, file, o.timeoutMs), timeoutMs: o.timeoutMs, signal,
        urlIn: (line) => publicUrlInSshOutput(line, target.host),
        failure: (lines, exit) => sshFailure(lines, exit, { host: target.host, file, pinned }),
      });
      const after = knownKeys(file, name);
      if (before.length === 0 && after.length > 0) {
        o.warn(`first connection to ${target.host}: its host key ${after.map((k) => `${k.fingerprint} (${k.kind})`).join(', ')} is trusted from now on (remembered in ${file}; a different key will be refused)`);
      }
      return link;
    },
  });
}

/** The arguments of ssh: no TTY, no prompt, keepalives, the forward or nothing, whk's known_hosts. */
export function sshArgs(t: SshTarget, localUrl: string, knownHostsFile: string, timeoutMs: number): string[] {
  const local = new URL(localUrl);
  const option = (o: string) => ['-o', o];
  return [
    '-T',
    ...option('BatchMode=yes'),
    ...option('ExitOnForwardFailure=yes'),
    ...option('ServerAliveInterval=15'),
    ...option('ServerAliveCountMax=3'),
    ...option(`ConnectTimeout=${Math.max(1, Math.ceil(timeoutMs / 1000))}`),
    ...option(`UserKnownHostsFile=${/\s/.test(knownHostsFile) ? `"${knownHostsFile}"` : knownHostsFile}`),
    ...option(`StrictHostKeyChecking=${t.hostKeys ? 'yes' : 'accept-new'}`),
    ...option('HashKnownHosts=no'),
    ...option('CheckHostIP=no'),
    ...(process.platform === 'win32' ? [] : option('GlobalKnownHostsFile=/dev/null')),
    '-p', String(t.port),
    '-R', `${t.remotePort}:${local.hostname}:${local.port}`,
    '--', t.user ? `${t.user}@${t.host}` : t.host,
  ];
}

/**
 * The public URL in a line of the service's output: localhost.run's `<host> tunneled with tls
 * termination, https://<host>`, a line that is only an https origin (Pinggy prints the http one
 * first), or `Forwarding HTTP traffic from https://...`. Only https: a provider posts to https.
 */
export function publicUrlInSshOutput(line: string, sshHost: string): string | undefined {
  const text = line.trim();
  const m = /tunneled with tls termination,\s*(https:\/\/\S+)/i.exec(text) ??
    /^(https:\/\/[^\s/]+)\/?$/.exec(text) ??
    /Forwarding HTTP traffic from (https:\/\/\S+)/i.exec(text);
  if (!m) return undefined;
  try {
    const u = new URL(m[1]!.replace(/[.,;]+$/, ''));
    return u.hostname === sshHost ? undefined : u.origin;
  } catch {
    return undefined;
  }
}

/**
 * Why ssh ended before a URL came, in one line (exit 3): a host key that is not the expected
 * one (ssh's own "REMOTE HOST IDENTIFICATION HAS CHANGED" or "Host key verification failed":
 * ssh says it only in words), else its last line (the service refusing, the network).
 */
export function sshFailure(lines: readonly string[], exit: string, o: { host: string; file: string; pinned: boolean }): WhkError {
  const text = lines.join('\n');
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/i.test(text)) {
    const sent = /(SHA256:[A-Za-z0-9+/]+)/.exec(text)?.[1];
    const it = sent ? ` (it sent ${sent})` : '';
    const why = o.pinned
      ? `the host key of ${o.host} is not the one ${o.host} publishes${it}: someone may be intercepting the connection; whk did not connect`
      : `the host key of ${o.host} changed since whk first trusted it${it}: someone may be intercepting the connection; whk did not connect (if ${o.host} really changed its key, delete its line from ${o.file})`;
    return new WhkError('tunnel_host_key', `ssh tunnel: ${why}`, 3);
  }
  const said = [...lines].reverse().find((l) => !/^Warning: Permanently added|^[=*\s-]*$/.test(l));
  return new WhkError('tunnel_failed', `ssh tunnel via ${o.host} failed: ${said ? said.trim().slice(0, 300) : `ssh ${exit} before printing a public URL`}`, 3);
}
