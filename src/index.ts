/**
 * whk as a library: sign and verify webhook deliveries for many providers. Importing this module
 * loads only node:crypto; the CLI's dependencies stay out.
 */
export { sign, verify, normalizeHeaders } from './schemes/core.js';
export { detectScheme, getScheme, schemes } from './schemes/registry.js';
export { WhkError } from './schemes/errors.js';
export { secretProblem } from './schemes/secrets.js';
export type { Reason, Scheme, Secret, SignedHeaders, SignInput, Valid, Invalid, Verdict, VerifyInput } from './schemes/types.js';
