import { WhkError } from '../errors.js';
import { childLink } from './child.js';
import { supervised } from './supervise.js';
import type { TunnelAdapter } from './types.js';

export const CLOUDFLARED_INSTALL = 'https://developers.cloudflare.com/cloudflare-one/connections/connect-networks/downloads/';

export interface CloudflaredOptions {
  /** The cloudflared program (found on PATH: whk never downloads it). */
  cloudflared: string;
  timeoutMs: number;
  warn: (message: string) => void;
}

/**
 * A Cloudflare quick tunnel (`cloudflared tunnel --url http://127.0.0.1:PORT`): no account; the
 * URL (https://<words>.trycloudflare.com) read from its log; a new one each time it restarts.
 */
export function cloudflaredTunnel(o: CloudflaredOptions): TunnelAdapter {
  return supervised({
    name: 'cloudflared quick tunnel',
    warn: o.warn,
    connect: (localUrl, signal) => childLink({
      what: 'cloudflared', command: o.cloudflared, args: ['tunnel', '--no-autoupdate', '--url', localUrl], timeoutMs: o.timeoutMs, signal,
      urlIn: publicUrlInCloudflaredLog,
      failure: cloudflaredFailure,
    }),
  });
}

/**
 * The URL in cloudflared's log: it draws a box, `INF |  https://<words>.trycloudflare.com  |`,
 * under "Your quick Tunnel has been created!".
 */
export function publicUrlInCloudflaredLog(line: string): string | undefined {
  const m = /\|\s+(https:\/\/[^\s|/]+)\/?\s+\|/.exec(line);
  if (!m) return undefined;
  try {
    return new URL(m[1]!).origin;
  } catch {
    return undefined;
  }
}

/** Why cloudflared ended before a URL: its last error (ERR) line, else its last line; exit 3. */
export function cloudflaredFailure(lines: readonly string[], exit: string): WhkError {
  const errors = lines.filter((l) => /\sERR\s/.test(l));
  const said = (errors[errors.length - 1] ?? lines[lines.length - 1])?.replace(/^\S+\s+(ERR|INF|WRN)\s+/, '').trim();
  return new WhkError('tunnel_failed', `cloudflared could not open a quick tunnel: ${said ? said.slice(0, 300) : `cloudflared ${exit} before printing a URL`}`, 3);
}
