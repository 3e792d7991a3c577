import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { usage } from '../errors.js';

export const AUTHTOKEN_URL = 'https://dashboard.ngrok.com/get-started/your-authtoken';

/** What whk needs from the ngrok agent's own configuration. */
export interface NgrokSettings {
  authtoken: string;
  /** Where the authtoken came from, for messages: "--ngrok-authtoken", "NGROK_AUTHTOKEN", a file path. */
  source: string;
  /** A custom agent ingress (`server_addr:` / `agent: connect_url:` in the config file). */
  serverAddr?: string;
}

/**
 * The ngrok agent's config files, in the order ngrok looks: NGROK_CONFIG (a list), else the
 * platform's default location, then the legacy ~/.ngrok2/ngrok.yml.
 */
export function ngrokConfigPaths(env: NodeJS.ProcessEnv = process.env, home = homedir(), platform = process.platform): string[] {
  if (env.NGROK_CONFIG) return env.NGROK_CONFIG.split(/[,;]/).map((s) => s.trim()).filter(Boolean);
  const xdg = env.XDG_CONFIG_HOME || join(home, '.config');
  const paths = platform === 'darwin'
    ? [join(home, 'Library', 'Application Support', 'ngrok', 'ngrok.yml'), join(xdg, 'ngrok', 'ngrok.yml')]
    : platform === 'win32'
      ? [join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'ngrok', 'ngrok.yml')]
      : [join(xdg, 'ngrok', 'ngrok.yml')];
  return [...paths, join(home, '.ngrok2', 'ngrok.yml')];
}

/**
 * Reads `authtoken` and the server address from an ngrok config file: version 2 keeps them at
 * the top level (`authtoken:`, `server_addr:`), version 3 under `agent:` (`authtoken:`,
 * `connect_url:`). A small reader for these few keys, not a YAML parser.
 */
export function parseNgrokConfig(text: string): { authtoken?: string; serverAddr?: string } {
  const out: { authtoken?: string; serverAddr?: string } = {};
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, '');
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const m = /^(\s*)([A-Za-z_]+)\s*:\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, indent, key, rawValue] = m as unknown as [string, string, string, string];
    if (indent === '') section = rawValue.trim() === '' ? key : '';
    const top = indent === '';
    const inAgent = !top && section === 'agent';
    if (!top && !inAgent) continue;
    const value = unquote(rawValue.trim());
    if (value === '') continue;
    if (key === 'authtoken') out.authtoken = value;
    if (key === 'server_addr' || key === 'connect_url') out.serverAddr = value;
  }
  return out;
}

const unquote = (s: string) => (/^(['"]).*\1$/.test(s) ? s.slice(1, -1) : s);

/**
 * The authtoken: --ngrok-authtoken, else NGROK_AUTHTOKEN, else the ngrok config file. None is a
 * usage error (exit 2) that says where to get one.
 */
export function resolveNgrokSettings(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, paths = ngrokConfigPaths(env)): NgrokSettings {
  let file: (ReturnType<typeof parseNgrokConfig> & { path: string }) | undefined;
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    file = { ...parseNgrokConfig(text), path };
    break;
  }
  const extra = file?.serverAddr ? { serverAddr: file.serverAddr } : {};
  if (flag) return { authtoken: flag, source: '--ngrok-authtoken', ...extra };
  if (env.NGROK_AUTHTOKEN) return { authtoken: env.NGROK_AUTHTOKEN, source: 'NGROK_AUTHTOKEN', ...extra };
  if (file?.authtoken) return { authtoken: file.authtoken, source: file.path, ...extra };
  throw usage(
    'no_authtoken',
    `--tunnel needs an ngrok authtoken: get yours at ${AUTHTOKEN_URL}, then pass --ngrok-authtoken <token>, set NGROK_AUTHTOKEN, or run \`ngrok config add-authtoken <token>\``,
  );
}
