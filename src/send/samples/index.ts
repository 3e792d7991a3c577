import { usage } from '../../schemes/errors.js';
import { customSchemes } from '../../schemes/registry.js';
import { definitionProvider } from './custom.js';
import { dfns } from './dfns.js';
import { discord } from './discord.js';
import { github } from './github.js';
import { linear } from './linear.js';
import { paddle } from './paddle.js';
import { shopify } from './shopify.js';
import { slack } from './slack.js';
import { square } from './square.js';
import { stripe } from './stripe.js';
import { freepik, standard, svix } from './standard.js';
import { twilio } from './twilio.js';
import { typeform } from './typeform.js';
import type { Provider, Sample } from './types.js';
import { wealthkernel } from './wealthkernel.js';
import { zoom } from './zoom.js';

export type { Provider, Sample, SampleContext } from './types.js';

/** Sample events for every scheme, in `whk schemes` order. */
export const providers: readonly Provider[] = [
  dfns, typeform, standard, svix, freepik, wealthkernel,
  stripe, github, slack, shopify, paddle, zoom, linear, square, twilio, discord,
];

const byScheme = new Map(providers.map((p) => [p.scheme, p]));

export function providerFor(scheme: string): Provider {
  const p = byScheme.get(scheme);
  if (p) return p;
  // A custom scheme: a generic event, its type and id where the definition says they are.
  const def = customSchemes().find((s) => s.name === scheme)?.definition;
  if (def) return definitionProvider(def);
  throw usage('no_samples', `whk has no sample events for ${scheme}: pass a body with --body or --body-file`);
}

/** The sample called `event` (the default one when undefined); a usage error listing the valid ones otherwise. */
export function findSample(p: Provider, event: string | undefined): Sample {
  if (event === undefined) return p.events[0]!;
  const s = p.events.find((e) => e.event === event) ?? p.events.find((e) => e.event.toLowerCase() === event.toLowerCase());
  if (s) return s;
  throw usage('unknown_event', `unknown --event "${event}" for ${p.scheme}: use one of ${p.events.map((e) => e.event).join(', ')}`);
}
