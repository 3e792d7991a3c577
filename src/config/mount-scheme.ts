import { usage, WhkError } from '../errors.js';
import type { Registry } from '../schemes/registry.js';
import type { Scheme } from '../schemes/types.js';

/**
 * A mount's scheme; an unknown name is one line saying where it was named: the config file's key
 * (`whk.json: "mounts./stripe.scheme": unknown scheme "strpie": did you mean "stripe"? ...`), or
 * the --mount flag.
 */
export function mountScheme(registry: Registry, m: { path: string; scheme: string; schemeKey?: string }): Scheme {
  try {
    return registry.get(m.scheme);
  } catch (e) {
    if (!(e instanceof WhkError)) throw e;
    throw usage('unknown_scheme', `${m.schemeKey ?? `--mount ${m.path}=${m.scheme}`}: ${e.message}`);
  }
}
