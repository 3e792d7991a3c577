import { randomBytes } from 'node:crypto';
import type { EventFilter } from '../filter.js';
import type { Registry } from '../schemes/registry.js';
import type { Verdict } from '../schemes/types.js';
import type { TunnelCheck } from '../tunnel/check.js';
import type { TunnelAdapter } from '../tunnel/types.js';
import { AfterAnswer } from './after-answer.js';
import { Dedupe } from './dedupe.js';
import { secretRedactor, type DescribeContext, type Received } from './describe.js';
import { Diagnoser } from './diagnosis.js';
import type { ListenerEvent, ListenerStats } from './events.js';
import { InFlight, type Exchange } from './exchange.js';
import type { Forwarder } from './forward.js';
import { compileRoutes, type MountOptions, type Route, type RouteOptions } from './gateway.js';
import { Injector, type InjectOptions } from './inject.js';
import { Judge, type Delivery } from './judge.js';
import { normalizePath } from './paths.js';
import type { Queue } from './queue.js';

export interface ListenerOptions {
  /** The run's schemes (src/run-schemes.ts). */
  registry: Registry;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Path prefix to receive on; other paths get 404 (the listener without mounts). */
  path?: string;
  /** A scheme name, or 'auto' to detect it from the headers (fixed by the first unambiguous valid delivery). */
  scheme?: string;
  /** No secret: events are shown, not verified. */
  secrets?: string[];
  /** Other environments' secrets, for the no-match diagnosis only (named, never shown). */
  otherSecrets?: Array<{ label: string; secret: string }>;
  /** Seconds; default: the scheme's own. */
  tolerance?: number;
  /** The URL the provider signs (square, twilio): default the public URL, else Host + path. */
  url?: string;
  /** Several providers on one listener: a path prefix each; `path`, `scheme`, `secrets`, `tolerance`, `events` are then the mounts'. */
  mounts?: MountOptions[];
  /** Event types to targets, first match wins; `forwardTo` is the fallback. */
  routes?: RouteOptions[];
  /** The fallback target: where an event no route takes goes (--forward-to). */
  forwardTo?: string;
  /** Posts a delivery to a target (loaded only when something is forwarded: undici). */
  forward?: Forwarder;
  /** With --queue: an accepted delivery is journaled and answered at once; the queue delivers it. */
  queue?: Queue;
  /** Bytes; larger bodies get 413. */
  maxBody?: number;
  /** Answer to accepted events. */
  status?: number;
  events?: EventFilter;
  /** Methods forwarded (default POST and GET); others get 405. */
  forwardMethods?: readonly string[];
  inject?: InjectOptions;
  tunnel?: TunnelAdapter;
  /** The tunnel's self-check: a delivery carrying its nonce is its own (answered 200, not forwarded or counted). */
  tunnelCheck?: TunnelCheck;
  /** Connections open at once (default 1,000); more are refused, and said so. */
  maxConnections?: number;
  /** File descriptors kept out of the connection budget (the inspector's sockets). */
  reservedFiles?: number;
  /** How many event ids duplicate detection remembers. */
  dedupeMemory?: number;
  /** Slow clients: all headers within this long (ms). */
  headersTimeoutMs?: number;
  /** Slow clients: the whole request within this long (ms). */
  requestTimeoutMs?: number;
  /** This listener's token in `Via` (forwarded requests carry it; one coming back is a loop). */
  via?: string;
  /** For tests: the wall clock (ms since the epoch). */
  now?: () => number;
}

/** A mount as the listener runs it: its judge and describing context, its fallback target. */
export interface Mount {
  /** '/stripe'; '' for a listener without mounts at `/`. */
  prefix: string;
  /** As records say it: '/stripe', or null for a listener without mounts. */
  name: string | null;
  /** The path as messages show it ('/hooks/'). */
  path: string;
  secrets: string[];
  judge: Judge;
  describe: DescribeContext;
  url?: string;
  fallback?: string;
  /** Whether any of its events can be forwarded or queued (a route, or a fallback). */
  forwards: boolean;
  /** Nothing to decide per event (no filter, no target, no injection): answered at once. */
  fast: boolean;
}

/** One delivery on its way through the steps. */
export interface Flow {
  x: Exchange;
  r: Received;
  mount: Mount;
  /** The normalized path and query, what is forwarded. */
  fwdPath: string;
  delivery: Delivery;
  verdict: Verdict | null;
}

/** What the steps share: the listener's settings, state and outlets. */
export interface State {
  o: ListenerOptions;
  mounts: Mount[];
  /** Whether the listener was given mounts (records then say which). */
  mounted: boolean;
  routes: Route[];
  injector: Injector | undefined;
  delayMs: number;
  okStatus: number;
  forwardMethods: Set<string>;
  via: string;
  now: () => number;
  stats: ListenerStats;
  inflight: InFlight;
  after: AfterAnswer;
  diagnoser: Diagnoser;
  seq: number;
  closing: boolean;
  publicOrigin: string | null;
  localHostPort: string;
  send: (e: ListenerEvent) => void;
  warn: (message: string) => void;
}

/** A fresh token for `Via`: `1.1 whk-<random>`. */
export const viaToken = () => `1.1 whk-${randomBytes(6).toString('hex')}`;

export function newState(opts: ListenerOptions, send: (e: ListenerEvent) => void): State {
  const { registry } = opts;
  const stats: ListenerStats = { events: 0, valid: 0, invalid: 0, unverified: 0, duplicates: 0, filtered: 0, forwarded: 0, forwardFailed: 0, rejected: 0 };
  const injector = opts.inject ? new Injector(opts.inject) : undefined;
  const delayMs = opts.inject?.delayMs ?? 0;
  const warn = (message: string) => send({ kind: 'warning', message });
  const mounted = (opts.mounts?.length ?? 0) > 0;
  const routes = compileRoutes(opts.routes ?? [], (opts.mounts ?? []).map((m) => m.path), registry);
  const shared = { dedupe: new Dedupe(opts.dedupeMemory), stats, redact: redactorOf(opts) };
  const mounts = (mounted ? opts.mounts! : [rootMount(opts)]).map((m) => mountOf(opts, m, mounted, routes, shared, injector === undefined && delayMs === 0));
  return {
    o: opts, mounts, mounted, routes, injector, delayMs,
    okStatus: opts.status ?? 200,
    forwardMethods: new Set((opts.forwardMethods ?? ['POST', 'GET']).map((m) => m.toUpperCase())),
    via: opts.via ?? viaToken(), now: opts.now ?? Date.now, stats,
    inflight: new InFlight(),
    // A bug of ours while describing an event already answered: said, and the listener keeps serving.
    after: new AfterAnswer((e) => warn(`internal error while showing an event: ${e.message}`)),
    diagnoser: new Diagnoser({ inline: (scheme, input) => registry.verify(scheme, input), custom: registry.custom() }),
    seq: 0, closing: false, publicOrigin: null, localHostPort: '', send, warn,
  };
}

/** The one mount of a listener without --mount: at --path, with --scheme, --secret, --tolerance and --events. */
function rootMount(o: ListenerOptions): MountOptions {
  return { path: normalizePath(o.path ?? '/'), scheme: o.scheme ?? 'auto', secrets: o.secrets ?? [], tolerance: o.tolerance, events: o.events, url: o.url };
}

function mountOf(o: ListenerOptions, m: MountOptions, mounted: boolean, routes: Route[], shared: Omit<DescribeContext, 'registry' | 'scheme' | 'events'>, plain: boolean): Mount {
  const judge = new Judge({ registry: o.registry, scheme: m.scheme, secrets: m.secrets, tolerance: m.tolerance, otherSecrets: o.otherSecrets });
  const fallback = m.forwardTo ?? o.forwardTo;
  const forwards = fallback !== undefined || routes.some((r) => !r.only || r.only.mount === m.path || r.only.scheme === judge.scheme?.name);
  const path = normalizePath(m.path);
  return {
    prefix: path.replace(/\/+$/, ''), name: mounted ? path.replace(/(.)\/+$/, '$1') : null, path, secrets: m.secrets, judge,
    describe: { registry: o.registry, scheme: () => judge.scheme, events: m.events, ...shared },
    url: m.url ?? o.url, fallback, forwards,
    fast: plain && !m.events && !forwards,
  };
}

/** Every secret of every mount, and the other environments', is redacted from what is written. */
function redactorOf(o: ListenerOptions) {
  const all = [...(o.secrets ?? []), ...(o.mounts ?? []).flatMap((m) => m.secrets), ...(o.otherSecrets ?? []).map((x) => x.secret)];
  return secretRedactor(all);
}
