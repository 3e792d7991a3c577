/**
 * whk as a library: sign and verify webhook deliveries for every provider whk knows (the core's
 * and the catalogue's), and your own (defineScheme + createRegistry). Importing it loads only
 * node: built-ins and whk's own modules, none of the CLI's dependencies; the providers'
 * definitions are compiled on first use.
 */
import { coreSchemes } from './providers/core.js';
import { catalogueSchemes } from './providers/index.js';
import type { SignedDelivery } from './schemes/core.js';
import { Registry } from './schemes/registry.js';
import type { Scheme, SignedHeaders, SignInput, Verdict, VerifyInput } from './schemes/types.js';

let builtIn: Registry | undefined;

/** The registry of every built-in scheme, made on first use. */
export const builtInRegistry = (): Registry => (builtIn ??= new Registry([...coreSchemes, ...catalogueSchemes()]));

/** A registry of every built-in scheme and `custom` ones (made by defineScheme): a name taken twice throws. */
export const createRegistry = (custom: readonly Scheme[] = []): Registry => builtInRegistry().with(custom);

/** The headers the provider would send with `input.body` (`scheme`: a name, or a Scheme). */
export const sign = (scheme: string | Scheme, input: SignInput): SignedHeaders => builtInRegistry().sign(scheme, input);

/** The headers and the body the provider would send (Mailgun writes its signature into the body). */
export const signDelivery = (scheme: string | Scheme, input: SignInput): SignedDelivery => builtInRegistry().signDelivery(scheme, input);

/** Judges a delivery; `scheme` may be "auto" (detected from the headers, any provider). */
export const verify = (scheme: string | Scheme, input: VerifyInput): Verdict => builtInRegistry().verify(scheme, input);

/** The names of the schemes whose signature header is present, most likely first. */
export const detectScheme = (headers: VerifyInput['headers']): string[] => builtInRegistry().detect(headers).map((s) => s.name);

/** The built-in scheme called `name` (or one of its aliases); a WhkError naming the closest one otherwise. */
export const getScheme = (name: string): Scheme => builtInRegistry().get(name);

/**
 * Every built-in scheme, core then catalogue: a read-only array, filled on first use (importing
 * whk compiles nothing).
 */
export const schemes: readonly Scheme[] = new Proxy([] as Scheme[], {
  get: (_, key) => Reflect.get(builtInRegistry().all, key),
  has: (_, key) => Reflect.has(builtInRegistry().all, key),
  ownKeys: () => Reflect.ownKeys(builtInRegistry().all),
  getOwnPropertyDescriptor: (_, key) => ({ ...Reflect.getOwnPropertyDescriptor(builtInRegistry().all, key), configurable: true }),
  set: () => false,
  deleteProperty: () => false,
});

export { Registry } from './schemes/registry.js';
export { normalizeHeaders, type SignedDelivery } from './schemes/core.js';
export { defineScheme, parseDefinition, parseDefinitions } from './schemes/definition.js';
export type { Definition, HmacAlgorithm, KeyDecoding, SignatureEncoding, TimeUnit } from './schemes/definition.js';
export { builtInDefinition, builtInDefinitions } from './schemes/builtin-definitions.js';
export { WhkError } from './errors.js';
export { secretProblem } from './schemes/secrets.js';
export type { Reason, Scheme, Secret, SignedHeaders, SignInput, Valid, Invalid, Verdict, VerifyInput } from './schemes/types.js';
