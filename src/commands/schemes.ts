import { registryFor } from '../run-schemes.js';
import type { Registry } from '../schemes/registry.js';
import type { Definition } from '../schemes/definition.js';
import { usage } from '../errors.js';
import type { Scheme } from '../schemes/types.js';
import { renderSchemes, schemeJson } from '../render/verdict.js';
import { loadStyle, useColor } from '../render/style.js';
import type { IO } from '../io/input.js';

// The built-in definitions load with the definition engine, when a command here runs.
let builtInDefinition: (name: string) => Definition | undefined = () => undefined;
const load = async () => void ({ builtInDefinition } = await import('../catalogue.js'));

/**
 * A scheme as `whk schemes` shows it: a built-in scheme that has a definition takes its docs
 * link from it.
 */
function described(s: Scheme): Scheme {
  if (s.source !== undefined || s.docs !== undefined) return s;
  const docs = builtInDefinition(s.name)?.docs;
  return docs ? { ...s, docs } : s;
}

/** The definition `whk schemes show --definition` prints, if the scheme has one. */
const definitionOf = (s: Scheme) => s.definition ?? builtInDefinition(s.name);

/** `whk schemes`: every scheme (built-in, then custom) with its headers, algorithm, timestamp rule and secret format. */
export async function schemesCommand(flags: { registry: Registry; json?: boolean; color?: boolean }, { out }: IO): Promise<number> {
  await load();
  const list = flags.registry.all.map(described);
  out(flags.json
    ? JSON.stringify(list.map((s) => schemeJson(s, Boolean(definitionOf(s)))), null, 2)
    : renderSchemes(list, await loadStyle(useColor(process.stdout, flags.color))));
  return 0;
}

/**
 * `whk schemes show <name>`: one scheme; `--definition` prints its definition (JSON), which a
 * user copies to start a custom scheme from; built-in schemes written only in code have none.
 */
export async function showSchemeCommand(
  name: string,
  flags: { json?: boolean; definition?: boolean; color?: boolean; schemeFile?: string[] },
  { out }: IO,
): Promise<number> {
  await load();
  const { registry } = await registryFor({ scheme: name, files: flags.schemeFile });
  const s = described(registry.get(name));
  if (flags.definition) {
    const def = definitionOf(s);
    if (!def) {
      const have = registry.all.filter((x) => definitionOf(x)).map((x) => x.name);
      throw usage('no_definition', `${s.name} is written in code, not as a definition (its rules do not fit the format): no definition to print; these have one: ${have.join(', ')}`);
    }
    out(JSON.stringify(def, null, 2));
    return 0;
  }
  out(flags.json
    ? JSON.stringify({ ...schemeJson(s, Boolean(definitionOf(s))), definition: definitionOf(s) ?? null }, null, 2)
    : renderSchemes([s], await loadStyle(useColor(process.stdout, flags.color)), Boolean(definitionOf(s))));
  return 0;
}
