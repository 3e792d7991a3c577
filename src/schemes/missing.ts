import { distance } from './distance.js';
import type { Invalid, Scheme } from './types.js';

/** Request header names that may be someone's signature header: worth comparing with the known ones. */
const SIGNATURE_LIKE = /sig|hmac|hash|digest|token|hook|auth/i;
/** At most this many of the request's headers are compared (each known header costs one edit distance). */
const MAX_COMPARED = 3;
/** Longer names are cut before comparing and showing. */
const MAX_NAME = 40;
/** The message stays shorter than this, whatever the request's header names. */
export const MAX_MESSAGE = 200;

const clip = (s: string) => (s.length > MAX_NAME ? `${s.slice(0, MAX_NAME - 1)}…` : s);

/**
 * The verdict for a delivery that carries no signature header of any scheme (auto-detection):
 * the known headers closest to those of the request that look like a signature's, else the
 * usual providers' headers; always short, and ending with where the full list is.
 */
export function noKnownHeader(headers: Record<string, string>, list: readonly Scheme[]): Invalid {
  const known = knownHeaders(list);
  const compared = Object.keys(headers).filter((h) => SIGNATURE_LIKE.test(h)).slice(0, MAX_COMPARED).map((h) => clip(h.toLowerCase()));
  const close = closestHeaders(compared, known);
  const names = close ? close.names : list.filter((s) => s.popular).map((s) => s.detect?.[0] ?? s.headers[0]!);
  const head = close
    ? `no signature header of any known scheme: ${close.from} is none of them; closest: `
    : 'no signature header of any known scheme; the usual ones: ';
  const tail = '; whk schemes lists all';
  let shown = names.slice(0, 5);
  while (shown.length > 1 && head.length + shown.join(', ').length + tail.length >= MAX_MESSAGE) shown = shown.slice(0, -1);
  return { valid: false, reason: 'missing_header', scheme: 'auto', message: `${head}${shown.join(', ')}${tail}` };
}

/** The identifying header of every scheme, as the provider spells it, once each. */
function knownHeaders(list: readonly Scheme[]): string[] {
  const seen = new Map<string, string>();
  for (const s of list) for (const h of s.detect ?? s.headers.slice(0, 1)) if (!seen.has(h.toLowerCase())) seen.set(h.toLowerCase(), h);
  return [...seen.values()];
}

/**
 * The known headers within a few edits of one of `compared` (nearest first, at most 3), and the
 * request header they are near; undefined when none is near enough to be a likely typo or
 * variant.
 */
function closestHeaders(compared: string[], known: string[]): { from: string; names: string[] } | undefined {
  let best: Array<{ name: string; from: string; d: number }> = [];
  for (const c of compared) {
    const near = Math.max(3, Math.floor(c.length / 3));
    for (const k of known) {
      const d = distance(c, k.toLowerCase(), near);
      if (d <= near) best.push({ name: k, from: c, d });
    }
  }
  if (best.length === 0) return undefined;
  best = best.sort((a, b) => a.d - b.d);
  const names = [...new Set(best.map((b) => b.name))].slice(0, 3);
  return { from: best[0]!.from, names };
}

