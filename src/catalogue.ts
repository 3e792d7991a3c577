/**
 * Reading custom scheme definitions: `--scheme-file` files and the config folder's. Loaded only
 * when a run has custom schemes to read (src/run-schemes.ts imports it lazily; the CLI bundle
 * keeps it in a file of its own), so that `whk sign --scheme dfns` never parses this code.
 * Files are read here, never in the core: the core gets schemes.
 */
import { readFileFor } from './io/input.js';
import { compileDefinition, parseDefinitions } from './schemes/definition.js';
import { usage } from './errors.js';
import type { Scheme } from './schemes/types.js';

export { builtInDefinition, builtInDefinitions } from './schemes/builtin-definitions.js';

/** The definitions of one file's text (one object or an array), as schemes; usage errors name `source`. */
export function schemesFromJson(text: string, source: string): Scheme[] {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw usage('bad_definition', `${source}: not JSON (${(e as Error).message.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')})`);
  }
  return parseDefinitions(json, source).map((d) => compileDefinition(d, source));
}

/** A definition file holds a few definitions (a built-in one is under 2 KB); a larger one would take seconds to check. */
const DEFINITION_FILE_LIMIT = { bytes: 1024 ** 2, fix: 'a definition file holds a few scheme definitions: keep only the schemes you use, or split it' };

/**
 * The schemes of several files, in order; `shown` is how each path appears in messages. A name
 * defined twice is a usage error naming both files.
 */
export function readSchemeFiles(files: Array<{ path: string; shown: string; flag: string }>): Scheme[] {
  const out: Scheme[] = [];
  for (const f of files) {
    for (const s of schemesFromJson(readFileFor(f.path, f.flag, DEFINITION_FILE_LIMIT).toString('utf8'), f.shown)) {
      const before = out.find((p) => p.name === s.name);
      if (before) throw usage('bad_definition', `${f.shown}: "name": "${s.name}" is already defined by ${before.source}`);
      out.push(s);
    }
  }
  return out;
}
