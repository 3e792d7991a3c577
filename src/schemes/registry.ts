import { dfns } from '../providers/dfns.js';
import { discord } from '../providers/discord.js';
import { usage } from '../errors.js';
import { freepik } from '../providers/freepik.js';
import { github } from '../providers/github.js';
import { linear } from '../providers/linear.js';
import { paddle } from '../providers/paddle.js';
import { shopify } from '../providers/shopify.js';
import { slack } from '../providers/slack.js';
import { square } from '../providers/square.js';
import { standard } from '../providers/standard.js';
import { stripe } from '../providers/stripe.js';
import { svix } from '../providers/svix.js';
import { twilio } from '../providers/twilio.js';
import { typeform } from '../providers/typeform.js';
import type { Scheme } from './types.js';
import { wealthkernel } from '../providers/wealthkernel.js';
import { zoom } from '../providers/zoom.js';

/** The hand-written schemes (the core), seed schemes first. */
export const schemes: readonly Scheme[] = [
  dfns, typeform, standard, svix, freepik, wealthkernel,
  stripe, github, slack, shopify, paddle, zoom, linear, square, twilio, discord,
];

const byName = new Map(schemes.map((s) => [s.name, s]));

/**
 * The catalogue's providers (src/providers/index.ts), once loaded: built-in like the core, listed
 * after it. Loaded only when a run needs them (src/run-schemes.ts): start-up is measured.
 */
let catalogue: readonly Scheme[] = [];

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

/** Whether `name` is one of whk's own schemes (the core's, or the catalogue's once loaded). */
export const isBuiltIn = (name: string): boolean => byName.has(name.toLowerCase());

/** Whether `name` is a scheme of the hand-written core (known without loading the catalogue). */
export const isCore = (name: string): boolean => schemes.some((s) => s.name === name.toLowerCase());

/** The catalogue's schemes (none until loaded). */
export const catalogueList = (): readonly Scheme[] => catalogue;

/** Whether the catalogue is loaded. */
export const hasCatalogue = (): boolean => catalogue.length > 0;

/** Adds the catalogue's providers to the built-in schemes (once; again is a no-op). */
export function registerCatalogue(list: readonly Scheme[]): void {
  if (catalogue.length > 0) return;
  for (const s of list) {
    for (const name of [s.name, ...(s.aliases ?? [])]) {
      if (byName.has(name)) throw new Error(`the catalogue defines ${name} twice`);
      byName.set(name, s);
    }
  }
  catalogue = list;
  all = [...schemes, ...catalogue, ...customList];
}

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
  all = [...schemes, ...catalogue, ...customList];
}

/** Forgets every registered scheme; the built-in ones stay. */
export function unregisterSchemes(): void {
  custom.clear();
  aliases.clear();
  customList = [];
  all = [...schemes, ...catalogue];
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
  const index = detectionIndex();
  const found = new Set<number>();
  // One pass over the delivery's headers, whatever the number of schemes.
  for (const k in headers) {
    const at = index.byHeader.get(k.toLowerCase());
    if (at) for (const i of at) found.add(i);
  }
  return [...found].sort((a, b) => a - b).map((i) => index.list[i]!.name);
}

/**
 * A value derived from the list of schemes (an index, a filtered list), computed again only when
 * the list changes (the catalogue loaded, custom schemes registered).
 */
export function derived<T>(compute: (list: readonly Scheme[]) => T): () => T {
  let cached: { list: readonly Scheme[]; value: T } | undefined;
  return () => {
    if (cached?.list !== all) cached = { list: all, value: compute(all) };
    return cached.value;
  };
}

/** Lower-cased identifying header -> positions in the list of schemes. */
const detectionIndex = derived((list) => {
  const byHeader = new Map<string, number[]>();
  list.forEach((s, i) => {
    for (const h of new Set((s.detect ?? s.headers.slice(0, 1)).map((x) => x.toLowerCase()))) {
      const at = byHeader.get(h);
      if (at) at.push(i);
      else byHeader.set(h, [i]);
    }
  });
  return { list, byHeader };
});

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
