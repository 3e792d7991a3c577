/**
 * Stand-ins for the programs a tunnel runs (ssh, cloudflared): small node scripts
 * (test/helpers/stand-ins/*.mjs) behind executables of those names in a temporary folder that is
 * the whole PATH of the whk under test, so the real programs are never found. Their "public"
 * side is HTTPS on 127.0.0.1 with a test-only certificate that whk trusts through
 * NODE_EXTRA_CA_CERTS. Each run appends {pid, argv} and then {pid, url} to a log the test reads.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Agent, fetch as undiciFetch } from 'undici';

const script = (name: string) => fileURLToPath(new URL(`./stand-ins/${name}.mjs`, import.meta.url));
export const TEST_CA = fileURLToPath(new URL('./stand-ins/localhost-test-only.crt', import.meta.url));

export interface StandIns {
  /** The folder: the whole PATH of whk. */
  bin: string;
  /** A fresh WHK_HOME (whk's known_hosts lives there). */
  home: string;
  /** The environment for whk: PATH, WHK_HOME, the test CA, no ngrok configuration. */
  env: Record<string, string | undefined>;
  /** What the stand-ins logged, in order. */
  log(): Array<{ pid: number; argv?: string[]; url?: string }>;
}

/** A PATH with these stand-ins (none: a PATH where ssh and cloudflared are missing). */
export function standIns(programs: Array<'ssh' | 'cloudflared'>): StandIns {
  const root = mkdtempSync(join(tmpdir(), 'whk-standins-'));
  const bin = join(root, 'bin');
  const home = join(root, 'home');
  const logFile = join(root, 'log.ndjson');
  mkdirSync(bin);
  writeFileSync(logFile, '');
  for (const name of programs) {
    const file = join(bin, name);
    writeFileSync(file, `#!${process.execPath}\nimport(${JSON.stringify(pathToFileURL(script(name)).href)});\n`);
    chmodSync(file, 0o755);
  }
  return {
    bin,
    home,
    env: {
      PATH: bin, WHK_HOME: home, HOME: root, XDG_CONFIG_HOME: join(root, 'xdg'), NGROK_AUTHTOKEN: undefined, NGROK_CONFIG: undefined,
      NODE_EXTRA_CA_CERTS: TEST_CA, STANDIN_LOG: logFile,
    },
    log: () => readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { pid: number; argv?: string[]; url?: string }),
  };
}

/** Whether a process is still there. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** fetch for the stand-ins' public URLs (https://localhost:<port>, the test certificate trusted). */
const trusting = new Agent({ connect: { ca: readFileSync(fileURLToPath(new URL('./stand-ins/localhost-test-only.crt', import.meta.url))) } });
export const publicFetch = (url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) =>
  undiciFetch(url, { ...init, dispatcher: trusting });
