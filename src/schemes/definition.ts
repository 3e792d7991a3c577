/**
 * Provider signature schemes as data (the definition format): the library's face of
 * src/schemes/definition/. The format is stated once, as a schema (definition/schema.ts), which
 * is at the same time the validator, the TypeScript types and the published schemes.schema.json.
 *
 * Importing this module loads the schema library: whk's own code imports
 * definition/compile.js for definitions it ships, and this module only where a custom definition
 * is read (src/catalogue.ts, loaded lazily).
 */
import { parseDefinition } from './definition/check.js';
import { compileDefinition } from './definition/compile.js';
import type { Scheme } from './types.js';

export { parseDefinition, parseDefinitions } from './definition/check.js';
export { compileDefinition } from './definition/compile.js';
export type {
  Definition, DefinitionHandshake, DefinitionSamples, HmacAlgorithm, KeyDecoding, SignatureEncoding, TimeUnit,
} from './definition/schema.js';

/**
 * A scheme from a definition: signs, verifies (verdicts with the same reasons as the hand-written
 * schemes), and tells diagnosis what to try. `definition` is checked first (a usage WhkError,
 * one line, when it is wrong); `source` names it in messages ("acme.json").
 */
export function defineScheme(definition: unknown, source?: string): Scheme {
  return compileDefinition(parseDefinition(definition, source ?? 'definition'), source);
}
