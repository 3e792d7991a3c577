import { usage } from '../errors.js';
import type { Sample, Samples } from '../schemes/samples.js';
import type { Scheme } from '../schemes/types.js';
import { definitionProvider } from './definition-samples.js';

export type { Samples, Sample, SampleContext } from '../schemes/samples.js';

/**
 * A scheme's sample events: its own, or a definition's (its "samples", else a generic event whose
 * type and id sit where the definition says); undefined for none.
 */
export const samplesOf = (s: Scheme): Samples | undefined => s.samples ?? (s.definition ? definitionProvider(s.definition) : undefined);

/** The sample events of every scheme of `list` (`whk send --list-events`), in `whk schemes` order. */
export const allSamples = (list: readonly Scheme[]): Samples[] => list.map(samplesOf).filter((p) => p !== undefined);

/** A scheme's sample events; a usage error when it has none. */
export function samplesFor(scheme: Scheme): Samples {
  const p = samplesOf(scheme);
  if (p) return p;
  throw usage('no_samples', `whk has no sample events for ${scheme.name}: pass a body with --body or --body-file`);
}

/** The sample called `event` (the default one when undefined); a usage error listing the valid ones otherwise. */
export function findSample(p: Samples, event: string | undefined): Sample {
  if (event === undefined) return p.events[0]!;
  const s = p.events.find((e) => e.event === event) ?? p.events.find((e) => e.event.toLowerCase() === event.toLowerCase());
  if (s) return s;
  throw usage('unknown_event', `unknown --event "${event}" for ${p.scheme}: use one of ${p.events.map((e) => e.event).join(', ')}`);
}
