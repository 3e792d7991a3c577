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
import { getScheme, hasCatalogue, isBuiltIn, isCore, registerCatalogue, registerSchemes, unregisterSchemes } from './schemes/registry.js';
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
 * Reads and registers the custom schemes of this run, and resolves `--scheme`: its canonical
 * name, or a usage error naming the closest one. Returns the custom schemes, for the commands
 * bundled apart, which register them again (`useSchemes`).
 */
export async function chooseSchemes(o: SchemeChoice): Promise<{ scheme?: string; custom: Scheme[] }> {
  const paths = o.files ?? [];
  const named = o.scheme !== undefined && o.scheme !== 'auto' ? o.scheme.toLowerCase() : undefined;
  // The providers' catalogue: for a name the core does not have, detection, listing, and custom
  // schemes (whose names must not take a provider's).
  if (o.everything || o.scheme === 'auto' || paths.length > 0 || (named !== undefined && !isCore(named))) await loadCatalogue();
  let catalogue = paths.length > 0 ? await import('./catalogue.js') : undefined;
  const given = catalogue ? catalogue.readSchemeFiles(paths.map((p) => ({ path: p, shown: p, flag: '--scheme-file' }))) : [];
  const answered = named !== undefined && (isBuiltIn(named) || given.some((s) => s.name === named || s.aliases?.includes(named)));
  const homeDir = o.everything || o.scheme === 'auto' || (named !== undefined && !answered) ? await home() : undefined;
  const folder = homeDir === undefined ? [] : configFiles(o.folder ?? configFolder(process.env, homeDir));
  let fromFolder: Scheme[] = [];
  if (folder.length > 0) {
    catalogue ??= await import('./catalogue.js');
    // A --scheme-file overrides the folder's definition of the same name.
    fromFolder = catalogue.readSchemeFiles(folder.map((p) => ({ path: p, shown: shown(p, homeDir!), flag: 'the scheme definition' })))
      .filter((s) => !given.some((g) => g.name === s.name));
  }
  const custom = [...given, ...fromFolder];
  useSchemes(custom);
  return { scheme: named === undefined ? o.scheme : getScheme(named).name, custom };
}

/** Registers the providers' catalogue (src/providers/index.ts, a file of its own in the CLI bundle). */
export async function loadCatalogue(): Promise<void> {
  if (hasCatalogue()) return;
  const { catalogueSchemes } = await import('./providers/index.js');
  registerCatalogue(catalogueSchemes());
}


/**
 * Makes `custom` the run's custom schemes, replacing any registered before; `catalogue`, when the
 * run loaded it, joins the built-in ones (the network commands are bundled apart, with a registry
 * of their own: the CLI hands both over).
 */
export function useSchemes(custom: readonly Scheme[] | undefined, catalogue?: readonly Scheme[]): void {
  if (catalogue) registerCatalogue(catalogue);
  unregisterSchemes();
  if (custom && custom.length > 0) registerSchemes(custom);
}
