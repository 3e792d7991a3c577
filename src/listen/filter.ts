import { usage } from '../errors.js';

/**
 * `--events wallet.created,payment_intent.*`: the event types to handle. `*` matches any run of
 * characters, so `wallet.*` covers every wallet event. An event with no type is outside any list.
 */
export interface EventFilter {
  readonly patterns: readonly string[];
  matches(type: string | null | undefined): boolean;
}

export function parseEventFilter(text: string, flag = '--events'): EventFilter {
  const patterns = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (patterns.length === 0) throw usage('bad_events', `${flag} "${text}" lists no event type: give e.g. ${flag} wallet.created,wallet.transfer.*`);
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const globs = patterns.filter((p) => p.includes('*')).map((p) => new RegExp(`^${p.split('*').map(escape).join('.*')}$`));
  return {
    patterns,
    matches: (type) => typeof type === 'string' && (exact.has(type) || globs.some((g) => g.test(type))),
  };
}

const escape = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
