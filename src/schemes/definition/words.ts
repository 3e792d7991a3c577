import { usage, type WhkError } from '../../errors.js';
import { distance } from '../distance.js';

/** A one-line usage error (exit 2): `<source>: <what is wrong>`. */
export const bad = (source: string, message: string): WhkError => usage('bad_definition', `${source}: ${message}`);

/** A value as the definition's author wrote it, cut at 60 characters. */
export const quote = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}…${s[0] === '"' ? '"' : ''}` : s;
};

/** Text from a delivery, cut at `n` characters. */
export const clip = (s: string, n = 40) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** What a JSON value is: "a string", "an array", "null"... */
export const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Longer than any key or placeholder of the format: no typo of one, and not worth an edit distance. */
const LONGEST_TYPO = 64;

/** The name closest to `word` (a typo of it), if one is close enough: one edit in three characters. */
export function closest(word: string, names: readonly string[]): string | undefined {
  if (word.length > LONGEST_TYPO) return undefined;
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestD = Infinity;
  for (const n of names) {
    const d = distance(word.toLowerCase(), n.toLowerCase(), limit);
    if (d < bestD) [best, bestD] = [n, d];
  }
  return bestD <= limit ? best : undefined;
}
