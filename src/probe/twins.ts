import { allSchemes } from '../schemes/registry.js';
import { signatureTwins as twinsAmong, type Twin } from '../schemes/twins.js';
import type { Scheme, SignInput } from '../schemes/types.js';

export { digestsOf, type Twin } from '../schemes/twins.js';

/** The schemes whose signature of `input` is `scheme`'s (src/schemes/twins.ts), among every scheme of this run. */
export const signatureTwins = (scheme: Scheme, input: SignInput, candidates: readonly Scheme[] = allSchemes()): Twin[] => twinsAmong(scheme, input, candidates);
