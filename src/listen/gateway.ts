import { usage } from '../errors.js';
import { globMatcher, type EventFilter } from '../filter.js';
import type { Registry } from '../schemes/registry.js';
import { normalizePath } from './paths.js';

/**
 * The listener as a small gateway: mounts (a path prefix each, with its own scheme, secrets,
 * tolerance, event filter and fallback target) and routes (event types to targets, first match
 * wins). Pure: parsing the flags and the config's entries, picking a mount for a path and the
 * targets for an event.
 */
export interface MountOptions {
  /** '/stripe'; the listener without --mount has one mount at --path. */
  path: string;
  /** A scheme name; 'auto' only for the listener without mounts. */
  scheme: string;
  secrets: string[];
  /** Seconds; default: the scheme's own. */
  tolerance?: number;
  events?: EventFilter;
  /** Where its events go when no route matches (default: the listener's --forward-to). */
  forwardTo?: string;
  /** The URL the provider signs (square, twilio). */
  url?: string;
}

export interface RouteOptions {
  /** `[<mount or scheme>:]<event-type glob>`: `invoice.*`, `github:push`, `stripe:customer.subscription.*`. */
  match: string;
  /** One or more target URLs: every one gets the exact bytes (fan-out). */
  to: string[];
}

/** A route, compiled: which mount or scheme it is for (if any), and its glob. */
export interface Route {
  /** As written (what records say). */
  match: string;
  to: string[];
  /** The mount ('/stripe') or scheme ('stripe') it is limited to. */
  only?: { mount?: string; scheme?: string };
  test: (type: string) => boolean;
}

/** `--mount /stripe=stripe`: a path and a scheme. */
export function parseMountFlag(text: string): Pick<MountOptions, 'path' | 'scheme'> {
  const m = /^(\/?[^=\s]+)=([A-Za-z0-9._-]+)$/.exec(text.trim());
  if (!m) throw usage('bad_mount', `--mount "${text}" is not <path>=<scheme>: give e.g. --mount /stripe=stripe`);
  const path = normalizePath(m[1]!).replace(/(.)\/+$/, '$1');
  return { path, scheme: m[2]! };
}

/** `--route 'stripe:invoice.*=http://127.0.0.1:3000/billing,http://127.0.0.1:3001/'`. */
export function parseRouteFlag(text: string): RouteOptions {
  const m = /^(.+?)=(https?:\/\/.+)$/i.exec(text.trim());
  if (!m) throw usage('bad_route', `--route "${text}" is not <match>=<url>[,<url>...]: give e.g. --route 'invoice.*=http://127.0.0.1:3000/billing'`);
  return { match: m[1]!.trim(), to: m[2]!.split(',').map((u) => checkUrl(u.trim(), '--route')) };
}

/** A target URL, checked: http or https. */
export function checkUrl(text: string, where: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw usage('bad_url', `${where}: "${text}" is not a URL: give e.g. http://127.0.0.1:3000/webhooks`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw usage('bad_url', `${where}: "${text}": only http:// and https:// URLs`);
  return text;
}

/**
 * The routes, compiled against the mounts and schemes of the run: `x:` before the glob limits a
 * route to the mount `/x` or the scheme `x` (an unknown `x:` is a usage error, so that a typo is
 * not a route that never matches).
 */
export function compileRoutes(routes: readonly RouteOptions[], mounts: readonly string[], registry: Registry): Route[] {
  return routes.map((r) => {
    const colon = r.match.indexOf(':');
    const head = colon > 0 ? r.match.slice(0, colon) : undefined;
    const glob = head === undefined ? r.match : r.match.slice(colon + 1);
    if (glob === '') throw usage('bad_route', `route "${r.match}": no event type after "${head}:": give e.g. ${head}:*`);
    if (head === undefined) return { match: r.match, to: r.to, test: globMatcher(glob) };
    const mount = mounts.find((p) => p === `/${head}` || p === head);
    const scheme = registry.find(head)?.name;
    if (!mount && !scheme) {
      // An event type may hold a colon itself (Bitbucket's repo:push, Coinbase's charge:created).
      throw usage('bad_route', `route "${r.match}": "${head}" is neither a mount (${mounts.join(', ') || 'none'}) nor a scheme: write <mount or scheme>:<event type> (an event type with a colon in it needs that prefix too: <mount or scheme>:${r.match})`);
    }
    return { match: r.match, to: r.to, only: { ...(mount ? { mount } : {}), ...(scheme ? { scheme } : {}) }, test: globMatcher(glob) };
  });
}

/** Where an event goes: the first route that matches it, else the fallback; none means recorded, not forwarded. */
export function pickTargets(routes: readonly Route[], e: { mount: string | null; scheme: string | null; type: string | null }, fallback: string | undefined): { route: string | null; targets: string[] } {
  for (const r of routes) {
    if (r.only && !(r.only.mount !== undefined && r.only.mount === e.mount) && !(r.only.scheme !== undefined && r.only.scheme === e.scheme)) continue;
    if (r.test(e.type ?? '')) return { route: r.match, targets: r.to };
  }
  return { route: null, targets: fallback ? [fallback] : [] };
}

/** The mount that serves a (normalized) path: the longest prefix that covers it. */
export function mountFor<M extends { prefix: string }>(mounts: readonly M[], path: string): M | undefined {
  let best: M | undefined;
  for (const m of mounts) {
    if (!covers(path, m.prefix)) continue;
    if (!best || m.prefix.length > best.prefix.length) best = m;
  }
  return best;
}

/** `/hooks` covers /hooks, /hooks/ and /hooks/x, not /hooksx; '' covers everything. */
export function covers(path: string, prefix: string): boolean {
  const p = path.split('?', 1)[0]!;
  if (!p.startsWith(prefix)) return false;
  const next = p.charCodeAt(prefix.length);
  return Number.isNaN(next) || next === 47 /* / */ || prefix === '';
}
