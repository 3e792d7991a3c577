/** Every built-in scheme, as the library's default registry has them: what the CLI's registry holds for a run with no custom scheme. */
import { builtInRegistry } from '../../src/index.js';

export const registry = builtInRegistry();
