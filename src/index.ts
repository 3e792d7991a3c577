/**
 * whk as a library: sign and verify webhook deliveries for many providers. Importing this module
 * loads only node:crypto; the CLI's dependencies stay out.
 */
export { sign, signDelivery, verify, normalizeHeaders } from './schemes/core.js';
export {
  allSchemes, customSchemes, detectScheme, getScheme, isBuiltIn, registerSchemes, schemes, unregisterSchemes,
} from './schemes/registry.js';
export { defineScheme, parseDefinition, parseDefinitions } from './schemes/definition.js';
export type { Definition, HmacAlgorithm, KeyDecoding, SignatureEncoding, TimeUnit } from './schemes/definition.js';
export { builtInDefinition, builtInDefinitions } from './schemes/builtin-definitions.js';
export { WhkError } from './errors.js';
export { secretProblem } from './schemes/secrets.js';
export type { Reason, Scheme, Secret, SignedHeaders, SignInput, Valid, Invalid, Verdict, VerifyInput } from './schemes/types.js';
