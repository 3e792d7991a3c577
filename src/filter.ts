import { usage } from './errors.js';

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
  const globs = patterns.filter((p) => p.includes('*')).map(globMatcher);
  return {
    patterns,
    matches: (type) => typeof type === 'string' && (exact.has(type) || globs.some((g) => g(type))),
  };
}

/**
 * A glob where `*` matches any run of characters (nothing else is special), matched without
 * backtracking: the first literal piece must start the text, the last must end it, and each one
 * between is found left to right after the previous (the leftmost match is always a right one
 * when `*` is the only wildcard). The sender chooses the text: a 3 KB event type against
 * `*.*.*.confirmed` costs a few index searches, never an exponential regex.
 */
export function globMatcher(pattern: string): (text: string) => boolean {
  const pieces = pattern.split('*');
  if (pieces.length === 1) return (text) => text === pattern;
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  const middle = pieces.slice(1, -1).filter((p) => p !== '');
  const least = first.length + last.length + middle.reduce((n, p) => n + p.length, 0);
  return (text) => {
    if (text.length < least || !text.startsWith(first) || !text.endsWith(last)) return false;
    let at = first.length;
    const end = text.length - last.length;
    for (const piece of middle) {
      const found = text.indexOf(piece, at);
      if (found === -1 || found + piece.length > end) return false;
      at = found + piece.length;
    }
    return true;
  };
}
