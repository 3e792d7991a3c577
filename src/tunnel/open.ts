import { usage } from '../errors.js';
import type { TunnelAdapter, TunnelProvider } from './types.js';

/** What opening the tunnel of a run needs (src/commands/listen.ts makes it from the flags). */
export interface TunnelSettings {
  provider: TunnelProvider;
  /** The program it runs (ssh, cloudflared), found on PATH. */
  program?: string;
  /** --tunnel-host: the ssh service, or the localtunnel server. */
  host?: string;
  authtoken?: string;
  domain?: string;
  timeoutMs: number;
  /** whk's known_hosts file (ssh). */
  knownHostsFile: string;
  /** whk's version, for ngrok's client info. */
  version: string;
}

/** The adapter for `t.provider`, its module imported only now (ngrok's agent is large). */
export async function openTunnel(t: TunnelSettings, warn: (message: string) => void): Promise<TunnelAdapter> {
  switch (t.provider) {
    case 'ngrok': {
      // The standalone executable (Node's single-executable application) cannot carry ngrok's native agent.
      if ((await import('node:sea').catch(() => undefined))?.isSea()) throw usage('standalone_no_ngrok', 'the standalone whk has no ngrok: use --tunnel ssh|localtunnel|cloudflared or the npm package');
      const { resolveNgrokSettings } = await import('./authtoken.js');
      const settings = resolveNgrokSettings(t.authtoken);
      const { ngrokTunnel } = await import('./ngrok.js');
      return ngrokTunnel({ ...settings, domain: t.domain, timeoutMs: t.timeoutMs, onWarning: warn, version: t.version });
    }
    case 'ssh': {
      const { parseSshTarget, sshTunnel } = await import('./ssh.js');
      return sshTunnel({ ssh: t.program!, target: parseSshTarget(t.host), knownHostsFile: t.knownHostsFile, timeoutMs: t.timeoutMs, warn });
    }
    case 'localtunnel': {
      const { localtunnelTunnel, parseLocaltunnelServer } = await import('./localtunnel.js');
      return localtunnelTunnel({ server: parseLocaltunnelServer(t.host), timeoutMs: t.timeoutMs, warn });
    }
    case 'cloudflared': {
      const { cloudflaredTunnel } = await import('./cloudflared.js');
      return cloudflaredTunnel({ cloudflared: t.program!, timeoutMs: t.timeoutMs, warn });
    }
  }
}
