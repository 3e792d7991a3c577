import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { usage } from '../errors.js';
import { CLOUDFLARED_INSTALL } from './cloudflared.js';
import { parseLocaltunnelServer } from './localtunnel.js';
import { parseSshTarget } from './ssh.js';
import type { TunnelProvider } from './types.js';

/** What --tunnel and its companions ask for. */
export interface TunnelAsk {
  /** --tunnel's value: true when bare, 'auto', or a provider. */
  tunnel: string | true;
  host?: string;
  domain?: string;
}

/** What the machine has, asked only when needed. */
export interface TunnelMeans {
  /** Whether an ngrok authtoken is configured (flag, NGROK_AUTHTOKEN, the ngrok config file). */
  ngrokToken(): boolean;
  /** False where whk has no ngrok client (the standalone executable); true when not said. */
  ngrokClient?: boolean;
  /** The program's path on PATH, or undefined. */
  program(name: string): string | undefined;
}

export interface TunnelChoice {
  provider: TunnelProvider;
  /** The program it runs (ssh, cloudflared). */
  program?: string;
  /** Why auto chose it, for a note ("no ngrok authtoken"). */
  why?: string;
}

const NO_SSH = 'needs the OpenSSH client (ssh) on PATH: install it (apt install openssh-client, dnf install openssh-clients; macOS has it; Windows: Settings > Optional features > OpenSSH Client)';

/**
 * The tunnel to open: the one named, or with auto (a bare --tunnel) ngrok when an authtoken is
 * configured (as before; not in the standalone executable, which has no ngrok), else ssh when the system has an ssh client, else localtunnel (pure
 * JavaScript, nothing to install). A usage error (exit 2) for what cannot work: a program that
 * is missing, a --tunnel-host or --tunnel-domain the tunnel does not take.
 */
export function pickTunnel(ask: TunnelAsk, means: TunnelMeans): TunnelChoice {
  const choice = ask.tunnel === true || ask.tunnel === 'auto' ? auto(ask, means) : named(ask.tunnel as TunnelProvider, means);
  const { provider } = choice;
  if (ask.domain !== undefined && provider !== 'ngrok') throw usage('bad_tunnel_domain', `--tunnel-domain is a reserved ngrok domain: it needs --tunnel ngrok, not ${provider}`);
  if (ask.host !== undefined && (provider === 'ngrok' || provider === 'cloudflared')) {
    throw usage('bad_tunnel_host', `--tunnel-host names an ssh service or a localtunnel server: ${provider} takes none${provider === 'ngrok' ? ' (a reserved domain is --tunnel-domain)' : ''}`);
  }
  // Checked now, before anything starts.
  if (provider === 'ssh') parseSshTarget(ask.host);
  if (provider === 'localtunnel') parseLocaltunnelServer(ask.host);
  return choice;
}

function auto(ask: TunnelAsk, means: TunnelMeans): TunnelChoice {
  if (ask.domain !== undefined) return { provider: 'ngrok', why: '--tunnel-domain is an ngrok domain' };
  const token = ask.host === undefined && means.ngrokToken();
  if (token && means.ngrokClient !== false) return { provider: 'ngrok', why: 'an ngrok authtoken is configured' };
  const ssh = means.program('ssh');
  const noNgrok = ask.host !== undefined ? '--tunnel-host is not for ngrok' : token ? 'the standalone whk has no ngrok' : 'no ngrok authtoken';
  if (ssh) return { provider: 'ssh', program: ssh, why: `${noNgrok}; ssh is on PATH` };
  return { provider: 'localtunnel', why: `${noNgrok}; no ssh on PATH` };
}

function named(provider: TunnelProvider, means: TunnelMeans): TunnelChoice {
  if (provider === 'ssh') {
    const ssh = means.program('ssh');
    if (!ssh) throw usage('no_ssh', `--tunnel ssh ${NO_SSH}, or use --tunnel localtunnel`);
    return { provider, program: ssh };
  }
  if (provider === 'cloudflared') {
    const cloudflared = means.program('cloudflared');
    if (!cloudflared) throw usage('no_cloudflared', `--tunnel cloudflared needs the cloudflared program on PATH (whk never downloads it): install it (brew install cloudflared, or ${CLOUDFLARED_INSTALL}), or use --tunnel ssh`);
    return { provider, program: cloudflared };
  }
  return { provider };
}

/** The executable `name` in PATH (with PATHEXT's extensions on Windows), or undefined. */
export function onPath(name: string, env: NodeJS.ProcessEnv = process.env, platform = process.platform): string | undefined {
  const exts = platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH ?? env.Path ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const file = join(dir, name + ext);
      try {
        accessSync(file, constants.X_OK);
        if (statSync(file).isFile()) return file;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}
