/**
 * The schemes of one run: the built-in ones, the definitions of `--scheme-file`, and those of
 * the config folder (`$XDG_CONFIG_HOME/whk/schemes/*.json`, default `~/.config/whk/schemes/`).
 *
 * Start-up is measured: the definition engine and the file reading (src/catalogue.ts) load only
 * when there is a definition to read. The config folder is looked at only when the built-ins and
 * `--scheme-file` cannot answer: a `--scheme` that names none of them, `--scheme auto`
 * (detection considers every scheme the user has: a delivery of a scheme defined there must not
 * be "no known scheme"; an absent or empty folder costs one readdir), and the commands that list
 * schemes or re-sign recorded deliveries by their scheme's name. `whk sign --scheme dfns` never
 * looks at it.
 */
import { readdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { usage } from './errors.js';
import { coreSchemes, isCore } from './providers/core.js';
import { Registry } from './schemes/registry.js';
import type { Scheme } from './schemes/types.js';

/** Where definitions live when no flag names them; `home` is the user's home folder. */
export function configFolder(env: NodeJS.ProcessEnv, home: string): string {
  const xdg = env.XDG_CONFIG_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.config'), 'whk', 'schemes');
}

/** The home folder: $HOME, else what the OS says (node:os loads only then: start-up is measured). */
const home = async () => process.env.HOME || (await import('node:os')).homedir();

/** `~/...` for paths in the home folder, for messages. */
function shown(path: string, homeDir: string): string {
  return homeDir && path.startsWith(`${homeDir}/`) ? `~${path.slice(homeDir.length)}` : path;
}

/** The *.json files of `folder`, in name order; none when it does not exist. */
export function configFiles(folder: string): string[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw usage('unreadable_input', `cannot read the scheme folder ${folder}: ${(e as Error).message}`);
  }
  return names.filter((n) => n.endsWith('.json')).sort().map((n) => join(folder, n));
}

export interface SchemeChoice {
  /** --scheme as given ('auto', a name), if given. */
  scheme?: string;
  /** --scheme-file paths, in order. */
  files?: string[];
  /** Read the config folder whatever the name (listing schemes, re-signing by recorded name). */
  everything?: boolean;
  /** The config folder (tests); configFolder() by default. */
  folder?: string;
}

/**
 * The registry of this run: the core's providers, the catalogue where the run needs it (a name
 * the core does not have, detection, listing, custom schemes whose names must not take a
 * provider's), and the custom definitions (--scheme-file, then the config folder's). Resolves
 * `--scheme` to its canonical name, or a usage error naming the closest one.
 */
export async function registryFor(o: SchemeChoice): Promise<{ registry: Registry; scheme?: string }> {
  const paths = o.files ?? [];
  const named = o.scheme !== undefined && o.scheme !== 'auto' ? o.scheme.toLowerCase() : undefined;
  const whole = o.everything || o.scheme === 'auto' || paths.length > 0 || (named !== undefined && !isCore(named));
  const builtIn = whole ? [...coreSchemes, ...(await catalogue())] : coreSchemes;
  let reader = paths.length > 0 ? await import('./catalogue.js') : undefined;
  const given = reader ? reader.readSchemeFiles(paths.map((p) => ({ path: p, shown: p, flag: '--scheme-file' }))) : [];
  const answered = named !== undefined && (builtIn.some((s) => s.name === named || s.aliases?.includes(named)) || given.some((s) => s.name === named || s.aliases?.includes(named)));
  const homeDir = o.everything || o.scheme === 'auto' || (named !== undefined && !answered) ? await home() : undefined;
  const folder = homeDir === undefined ? [] : configFiles(o.folder ?? configFolder(process.env, homeDir));
  let fromFolder: Scheme[] = [];
  if (folder.length > 0) {
    reader ??= await import('./catalogue.js');
    // A --scheme-file overrides the folder's definition of the same name.
    fromFolder = reader.readSchemeFiles(folder.map((p) => ({ path: p, shown: shown(p, homeDir!), flag: 'the scheme definition' })))
      .filter((s) => !given.some((g) => g.name === s.name));
  }
  const registry = new Registry(builtIn, [...given, ...fromFolder]);
  return { registry, scheme: named === undefined ? o.scheme : registry.get(named).name };
}

/** The providers' catalogue (src/providers/index.ts, a chunk of its own: loaded only when a run needs it). */
export async function catalogue(): Promise<readonly Scheme[]> {
  return (await import('./providers/index.js')).catalogueSchemes();
}

/** Every built-in scheme (the core and the catalogue), for a run that needs the whole list. */
export async function fullRegistry(custom: readonly Scheme[] = []): Promise<Registry> {
  return new Registry([...coreSchemes, ...(await catalogue())], custom);
}
