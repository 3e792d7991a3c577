import { dfns } from './dfns.js';
import { discord } from './discord.js';
import { usage } from './errors.js';
import { freepik } from './freepik.js';
import { github } from './github.js';
import { linear } from './linear.js';
import { paddle } from './paddle.js';
import { shopify } from './shopify.js';
import { slack } from './slack.js';
import { square } from './square.js';
import { standard } from './standard.js';
import { stripe } from './stripe.js';
import { svix } from './svix.js';
import { twilio } from './twilio.js';
import { typeform } from './typeform.js';
import type { Scheme } from './types.js';
import { wealthkernel } from './wealthkernel.js';
import { zoom } from './zoom.js';

/** Every scheme, seed schemes first. */
export const schemes: readonly Scheme[] = [
  dfns, typeform, standard, svix, freepik, wealthkernel,
  stripe, github, slack, shopify, paddle, zoom, linear, square, twilio, discord,
];

const byName = new Map(schemes.map((s) => [s.name, s]));

/** The scheme called `name`; a usage error naming the closest one otherwise. */
export function getScheme(name: string): Scheme {
  const s = byName.get(name.toLowerCase());
  if (s) return s;
  const guess = closest(name.toLowerCase(), [...byName.keys()]);
  throw usage('unknown_scheme', `unknown scheme "${name}"${guess ? `: did you mean "${guess}"?` : ''} (whk schemes lists them all)`);
}

/**
 * The schemes whose signature header is present, most likely first. Standard Webhooks headers
 * are shared by `standard` and `freepik`, so both are returned.
 */
export function detectScheme(headers: Record<string, string | string[] | undefined>): string[] {
  const has = (h: string) => Object.keys(headers).some((k) => k.toLowerCase() === h);
  const found: string[] = [];
  for (const s of schemes) {
    if (s.name === 'github' ? has('x-hub-signature-256') || has('x-hub-signature') : has(s.headers[0]!.toLowerCase())) found.push(s.name);
  }
  return found;
}

function closest(word: string, names: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const n of names) {
    const d = n.startsWith(word) || word.startsWith(n) ? 1 : distance(word, n);
    if (d < bestD) [best, bestD] = [n, d];
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** Levenshtein distance. */
export function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
