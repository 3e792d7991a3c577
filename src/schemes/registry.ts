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

/**
 * Custom schemes (made from definitions by `defineScheme`) that join the built-in ones: what
 * `getScheme`, `detectScheme` and `verify('auto')` see. Plain module state, changed only by
 * `registerSchemes` / `unregisterSchemes`: the CLI registers the definitions of one run (from
 * --scheme-file and the config folder) before its command runs.
 */
const custom = new Map<string, Scheme>();
/** Other names of custom schemes. */
const aliases = new Map<string, Scheme>();
let customList: readonly Scheme[] = [];
let all: readonly Scheme[] = schemes;

/** Whether `name` is one of whk's own schemes. */
export const isBuiltIn = (name: string): boolean => byName.has(name.toLowerCase());

/**
 * Adds schemes to the catalogue, after the built-in ones. A name that is taken (a built-in or
 * one registered before) is a usage error.
 */
export function registerSchemes(list: readonly Scheme[]): void {
  const adding = new Map<string, Scheme>();
  for (const s of list) {
    for (const name of [s.name, ...(s.aliases ?? [])].map((n) => n.toLowerCase())) {
      const taken = byName.get(name) ?? custom.get(name) ?? aliases.get(name) ?? adding.get(name);
      if (taken) {
        const where = (x: Scheme) => (x.source ? ` (${x.source})` : '');
        const key = name === s.name.toLowerCase() ? '"name"' : '"aliases"';
        throw usage('duplicate_scheme', byName.has(name)
          ? `${s.source ? `${s.source}: ` : ''}${key}: "${name}" is a built-in scheme: give yours another name`
          : `scheme "${name}"${where(s)} is defined twice: also${where(taken) || ' before'}`);
      }
      adding.set(name, s);
    }
  }
  for (const s of list) {
    custom.set(s.name.toLowerCase(), s);
    for (const a of s.aliases ?? []) aliases.set(a.toLowerCase(), s);
  }
  customList = [...custom.values()];
  all = [...schemes, ...customList];
}

/** Forgets every registered scheme; the built-in ones stay. */
export function unregisterSchemes(): void {
  custom.clear();
  aliases.clear();
  customList = [];
  all = schemes;
}

/** The registered custom schemes, in the order they were added. */
export const customSchemes = (): readonly Scheme[] => customList;

/** The built-in schemes, then the registered ones. */
export const allSchemes = (): readonly Scheme[] => all;

/** The scheme called `name`; a usage error naming the closest one otherwise. */
export function getScheme(name: string): Scheme {
  const lower = name.toLowerCase();
  const s = byName.get(lower) ?? custom.get(lower) ?? aliases.get(lower);
  if (s) return s;
  const guess = closest(lower, [...byName.keys(), ...custom.keys(), ...aliases.keys()]);
  throw usage('unknown_scheme', `unknown scheme "${name}"${guess ? `: did you mean "${guess}"?` : ''} (whk schemes lists them all)`);
}

/**
 * The schemes whose signature header is present, most likely first. Standard Webhooks headers
 * are shared by `standard` and `freepik`, so both are returned; custom schemes come after the
 * built-in ones.
 */
export function detectScheme(headers: Record<string, string | string[] | undefined>): string[] {
  const has = (h: string) => Object.keys(headers).some((k) => k.toLowerCase() === h);
  const found: string[] = [];
  for (const s of all) {
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
