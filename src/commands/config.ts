import { usage } from '../errors.js';
import { findConfig, loadConfig, type ConfigValues } from '../config/load.js';
import type { IO } from '../io/input.js';
import { mask } from '../schemes/hmac.js';
import { mountScheme } from '../config/mount-scheme.js';

/**
 * `whk config`: the project config file this folder uses (whk.json here or in a parent, or
 * --config), checked, and the settings `whk listen` takes from it, secrets masked. Exit 0, 2 for
 * a bad file (one line naming the file, the key and the fix) or none found.
 */
export async function configCommand(flags: { config?: string; json?: boolean }, io: IO, cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const file = flags.config ?? findConfig(cwd);
  if (!file) throw usage('no_config', `no whk.json in ${cwd} or its parents: create one (its keys are whk listen's flags in camelCase; see whk config --help), or pass --config <file>`);
  const loaded = loadConfig(file, env, cwd);
  await checkSchemeNames(loaded.values, loaded.shown);
  for (const w of loaded.warnings) io.err(`whk: ${w}`);
  const shown = masked(loaded.values);
  if (flags.json) io.out(JSON.stringify({ file, settings: shown }));
  else io.out(`${file}\n${JSON.stringify(shown, null, 2)}`);
  return 0;
}

/**
 * The schemes the file names exist: the core's, the catalogue's, and the custom definitions of the
 * config folder (what whk listen would find); an unknown one is a usage error naming its key.
 */
async function checkSchemeNames(v: ConfigValues, file: string): Promise<void> {
  if (v.scheme === undefined && !v.mount) return;
  const { registryFor } = await import('../run-schemes.js');
  const { registry } = await registryFor({ everything: true });
  if (v.scheme !== undefined && v.scheme !== 'auto' && !registry.find(v.scheme)) {
    try {
      registry.get(v.scheme);
    } catch (e) {
      throw usage('unknown_scheme', `${file}: "scheme": ${(e as Error).message}`);
    }
  }
  for (const m of v.mount ?? []) mountScheme(registry, m);
}

/** The values with every secret masked and filters as their patterns: what is safe to print. */
function masked(v: ConfigValues): Record<string, unknown> {
  const out: Record<string, unknown> = { ...v };
  if (v.configSecrets) {
    delete out.configSecrets;
    out.secret = v.configSecrets.map((s) => mask(s));
  }
  if (v.events) out.events = v.events.patterns;
  if (v.mount) {
    out.mounts = Object.fromEntries(v.mount.map((m) => [m.path, { ...m, path: undefined, schemeKey: undefined, secrets: m.secrets?.map((s) => mask(s)), events: m.events?.patterns }]));
    delete out.mount;
  }
  if (v.route) {
    out.routes = v.route;
    delete out.route;
  }
  return JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
}
