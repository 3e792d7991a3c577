import { historyLimits, prune, SessionJournal, withoutCredentials, type HistoryLimits } from '../history/journal.js';
import { historyDir, sessionId, stateDir, type HistoryEntry } from '../history/store.js';
import type { ListenInspector } from '../inspect/attach.js';
import type { ListenerEvent } from '../listen/events.js';
import type { EventFilter } from '../filter.js';
import type { InjectOptions } from '../listen/inject.js';
import { Recorder } from '../listen/recorder.js';
import { startListener, normalizePath, viaToken, type Listener, type ListenerOptions } from '../listen/server.js';
import { runSession, type Journal, type Spinner } from '../listen/session.js';
import { sessionRenderer } from '../render/session.js';
import { loadStyle, useColor, type Style } from '../render/style.js';
import { usage } from '../errors.js';
import { mountScheme } from '../config/mount-scheme.js';
import type { Registry } from '../schemes/registry.js';
import type { EventRecord } from '../record.js';
import type { TunnelAdapter } from '../tunnel/types.js';
import type { TunnelSettings } from '../tunnel/open.js';
import type { SelfCheck } from '../tunnel/check.js';
import { join } from 'node:path';
import { formatDuration } from '../units.js';
import { checkSecrets, environmentSecrets, readSecrets, type IO } from '../io/input.js';
import { maskedUrl } from '../listen/urls.js';
import type { MountOptions, RouteOptions } from '../listen/gateway.js';
import type { DeliveryRecord } from '../listen/events.js';
import type { QueueRunner } from '../listen/queue-runner.js';

/** The flags, parsed and checked by commander (src/cli.ts: defaults written there, once). */
export interface ListenFlags {
  port: number;
  host: string;
  path: string;
  scheme: string;
  secret?: string[];
  secretFile?: string;
  tolerance?: number;
  url?: string;
  /** --tunnel: true when bare, 'auto' or a provider; false (whk.json) for none. */
  tunnel?: string | boolean;
  /** --tunnel-host: the ssh service, or the localtunnel server. */
  tunnelHost?: string;
  /** false with --no-tunnel-check. */
  tunnelCheck?: boolean;
  ngrokAuthtoken?: string;
  tunnelDomain?: string;
  tunnelTimeout: number;
  forwardTo?: string;
  forwardMethods: string[];
  forwardTimeout: number;
  events?: EventFilter;
  status: number;
  delay?: number;
  failRate?: number;
  failFirst?: number;
  drop?: boolean;
  json?: boolean;
  record?: string;
  /** false with --no-history. */
  history?: boolean;
  compact?: boolean;
  expect?: number;
  timeout?: number;
  maxBody: number;
  maxConnections: number;
  /** ms a shutdown waits for requests in flight (default 10 s). */
  shutdownTimeout?: number;
  readyFile?: string;
  /** --inspect / --no-inspect; undefined: on when stderr is a terminal (and not --json or --expect). */
  inspect?: boolean;
  /** undefined: 4040, or the next free port up to 4050. */
  inspectPort?: number;
  color?: boolean;
  /** The run's schemes (src/cli.ts builds it once: src/run-schemes.ts). */
  registry: Registry;
  /** --mount /stripe=stripe, and the config file's mounts (with their own secrets). */
  mount?: Array<Partial<MountOptions> & Pick<MountOptions, 'path' | 'scheme'>>;
  /** --route '<match>=<url>[,<url>...]', and the config file's routes. */
  route?: RouteOptions[];
  /** Journal accepted deliveries and answer at once; deliver them from the journal with retries. */
  queue?: boolean;
  /** ms a queued delivery is retried before it is marked failed (default 24 h). */
  queueMaxAge?: number;
}

/** What the flags say together, checked: a usage error (exit 2) for a combination that cannot work. */
export interface ListenPlan {
  listener: Omit<ListenerOptions, 'forward' | 'tunnel'>;
  secrets: string[];
  injections: string[];
}

export function planListen(flags: ListenFlags): ListenPlan {
  const secrets = readSecrets(flags, false);
  const mounts = mountsOf(flags, secrets);
  // A secret the scheme cannot use is refused now, not explained in every 401 to any client.
  if (!mounts) checkSecrets(flags.scheme === 'auto' ? [...flags.registry.all] : [flags.registry.get(flags.scheme)], secrets, 'verify');
  const inject: InjectOptions = { delayMs: flags.delay, failRate: flags.failRate, failFirst: flags.failFirst, drop: flags.drop };
  const injections = [
    ...(flags.status !== 200 ? [`--status ${flags.status}`] : []),
    ...(inject.delayMs ? [`--delay ${formatDuration(inject.delayMs)}`] : []),
    ...(inject.failRate ? [`--fail-rate ${inject.failRate}`] : []),
    ...(inject.failFirst ? [`--fail-first ${inject.failFirst}`] : []),
    ...(inject.drop ? ['--drop'] : []),
  ];
  if (flags.expect !== undefined && secrets.length === 0 && !mounts?.every((m) => m.secrets.length > 0)) {
    throw usage('no_secret', '--expect counts valid events, which needs the secret: pass --secret <s>, --secret-file <path>, or set WHK_SECRET');
  }
  return {
    secrets,
    listener: {
      registry: flags.registry,
      host: flags.host,
      port: flags.port,
      path: normalizePath(flags.path),
      scheme: flags.scheme,
      secrets,
      otherSecrets: environmentSecrets(secrets),
      tolerance: flags.tolerance,
      url: flags.url,
      maxBody: flags.maxBody,
      status: flags.status,
      events: flags.events,
      inject: injections.some((i) => !i.startsWith('--status')) ? inject : undefined,
      forwardMethods: flags.forwardMethods,
      maxConnections: flags.maxConnections,
      ...(mounts ? { mounts } : {}),
      ...(flags.route?.length ? { routes: flags.route } : {}),
    },
    injections,
  };
}

/**
 * The mounts, each with its secrets (its own, from the config file, else --secret's) checked
 * against its scheme; undefined without --mount.
 */
function mountsOf(flags: ListenFlags, secrets: string[]): MountOptions[] | undefined {
  if (!flags.mount?.length) return undefined;
  // Each mount names its scheme: a --scheme beside them would be silently ignored.
  if (flags.scheme !== 'auto') throw usage('bad_mount', `--scheme ${flags.scheme} is for a listener without mounts: name each mount's scheme instead (--mount /path=${flags.scheme})`);
  const seen = new Set<string>();
  return flags.mount.map((m) => {
    if (seen.has(m.path)) throw usage('bad_mount', `--mount ${m.path} is given twice: one scheme per path`);
    seen.add(m.path);
    if (m.scheme === 'auto') throw usage('bad_mount', `--mount ${m.path}=auto: a mount verifies one scheme: name it (whk schemes lists them)`);
    const scheme = mountScheme(flags.registry, m);
    const own = m.secrets ?? secrets;
    checkSecrets([scheme], own, 'verify');
    return { ...m, scheme: scheme.name, secrets: own, tolerance: m.tolerance ?? flags.tolerance, events: m.events ?? flags.events };
  });
}

/**
 * `whk listen`: starts the receiver and runs the session (src/listen/session.ts), which hands
 * each event to a renderer (NDJSON when --json or stdout is not a terminal, pretty blocks
 * otherwise) and resolves with the exit code: 0 after --expect valid events, 1 on an invalid
 * one (with --expect), a timeout or a failed write, 128 + n on a signal.
 */
export async function listenCommand(flags: ListenFlags, io: IO, deps: ListenDeps = {}): Promise<number> {
  const plan = planListen(flags);
  const tunnel = await tunnelOf(flags, deps);
  const stdout = io.stdout as NodeJS.WriteStream | undefined;
  const json = Boolean(flags.json) || (!stdout?.isTTY && !flags.compact);
  const history = await historyOf(flags, plan, deps);
  const recorder = flags.record ? new Recorder(flags.record) : undefined;
  const { style, spinner, errStyle } = await terminal(json, flags);
  // The inspector's code loads only when it is on.
  const inspectOn = flags.inspect ?? (Boolean((io.stderr as NodeJS.WriteStream | undefined)?.isTTY) && !flags.json && flags.expect === undefined);
  const inspector: ListenInspector | undefined = inspectOn
    ? new (await import('../inspect/attach.js')).ListenInspector({
      registry: flags.registry, port: flags.inspectPort, forwardTo: flags.forwardTo, path: plan.listener.path ?? '/', secrets: plan.secrets, session: history.session,
      scheme: flags.scheme === 'auto' ? undefined : flags.registry.get(flags.scheme),
    })
    : undefined;
  const ready = {
    scheme: flags.scheme, secrets: plan.secrets.length, host: flags.host, inspectUrl: null as string | null,
    forwardTo: flags.forwardTo && maskedUrl(flags.forwardTo), events: flags.events?.patterns, record: flags.record, expect: flags.expect, injections: plan.injections,
    mounts: plan.listener.mounts?.map((m) => ({ path: m.path, scheme: m.scheme, secrets: m.secrets.length })),
    routes: flags.route?.map((r) => `${r.match} → ${r.to.map(maskedUrl).join(', ')}`),
    queue: flags.queue,
  };
  const parts: Parts = { flags, plan, deps, inspector, recorder, history, ready, tunnel };
  try {
    return await runSession((emit) => startParts(parts, emit), {
      json, render: sessionRenderer({ json, compact: flags.compact, style, errStyle }), spinner,
      expect: flags.expect, timeoutMs: flags.timeout, shutdownGraceMs: flags.shutdownTimeout, debug: deps.debug ?? (process.argv.includes('--debug') || process.env.WHK_DEBUG === '1'),
      recorder, openHistory: history.open, onRecord: deps.onRecord && ((r: EventRecord) => deps.onRecord!({ ...r, session: history.session })),
      readyFile: flags.readyFile, signals: deps.signals, crashes: deps.crashes,
      startingText: tunnel ? `starting the ${tunnel.provider} tunnel` : 'starting',
      ready,
    }, io);
  } finally {
    await inspector?.close();
    await parts.queue?.done();
    await parts.forward?.close();
    recorder?.close();
  }
}

/** What one run of `whk listen` is made of, as it starts. */
interface Parts {
  flags: ListenFlags;
  plan: ListenPlan;
  deps: ListenDeps;
  inspector: ListenInspector | undefined;
  recorder: Recorder | undefined;
  history: HistoryPlan;
  ready: { inspectUrl: string | null };
  tunnel: (TunnelSettings & { why?: string }) | undefined;
  forward?: ListenerOptions['forward'] & { close(): Promise<void> };
  queue?: QueueRunner & { done(): Promise<void> };
}

/**
 * The forwarding queue of this run: its journal in the state folder, locked (one deliverer at a
 * time), compacted, its pending deliveries resumed once the listener runs.
 */
async function openQueue(forward: NonNullable<Parts['forward']>, flags: ListenFlags, deps: ListenDeps, onOutcome: (r: DeliveryRecord) => void, warn: (message: string) => void): Promise<NonNullable<Parts['queue']>> {
  const { QueueJournal, damagedQueueLines, lockQueue, queueDir } = await import('../history/queue-journal.js');
  const { QueueRunner } = await import('../listen/queue-runner.js');
  const dir = queueDir(deps.env);
  const unlock = lockQueue(dir);
  const journal = new QueueJournal(dir).load();
  const aside = journal.compact();
  if (aside) warn(damagedQueueLines(aside.setAside, journal.file, aside.file));
  journal.open({ deliverer: true });
  const runner = new QueueRunner({ journal, forward, maxAgeMs: flags.queueMaxAge ?? 24 * 3_600_000, onOutcome });
  return Object.assign(runner, {
    async done() {
      await runner.close();
      journal.close();
      unlock();
    },
  });
}

/** The forwarder, the tunnel, the inspector's earlier deliveries, then the listener and the inspector's page. */
async function startParts(p: Parts, emit: (e: ListenerEvent) => void): Promise<Listener> {
  const { flags, plan, deps, inspector, history } = p;
  const via = viaToken();
  const targets = flags.forwardTo !== undefined || (plan.listener.routes?.length ?? 0) > 0 || plan.listener.mounts?.some((m) => m.forwardTo);
  if (targets) p.forward = (await import('../listen/forward.js')).createForwarder({ timeoutMs: flags.forwardTimeout, via });
  const warn = (message: string) => emit({ kind: 'warning', message });
  if (flags.queue) {
    if (!p.forward) throw usage('nothing_to_queue', '--queue delivers to your app: give --forward-to <url> or --route <match>=<url>');
    p.queue = await openQueue(p.forward, flags, deps, (record) => emit({ kind: 'delivery', record }), warn);
  }
  const check = p.tunnel && flags.tunnelCheck !== false ? (await import('../tunnel/check.js')).selfCheck() : undefined;
  const tunnel = p.tunnel && await openChecked(p.tunnel, check, plan, deps, warn);
  // The page lists earlier sessions' deliveries too (the newest 5,000: start-up stays short).
  if (inspector && history.limits) await inspector.loadHistory(history.dir, 5000, warn);
  let listener: Listener;
  try {
    // The inspector's sockets come out of the process's file budget first: webhooks keep their share.
    listener = await startListener({ ...plan.listener, forwardTo: flags.forwardTo, forward: p.forward, queue: p.queue, tunnel, tunnelCheck: check, via, reservedFiles: inspector?.maxSockets ?? 0 }, inspector ? inspector.tap(emit) : emit);
  } catch (e) {
    p.recorder?.close();
    throw e;
  }
  p.queue?.start();
  if (p.tunnel) tunnelNotes(p.tunnel, tunnel!, listener, emit);
  const self = targetsOf(plan, flags).find((url) => isSelf(url, listener.port));
  if (self) {
    await listener.close(0);
    throw usage('forward_loop', `${self === flags.forwardTo ? '--forward-to' : 'a route\'s target'} ${maskedUrl(self)} is this listener itself: give your app's URL`);
  }
  if (inspector) {
    try {
      p.ready.inspectUrl = await inspector.start(listener.url, p.queue);
    } catch (e) {
      await listener.close(0);
      throw e;
    }
  }
  return listener;
}

/** The history of this run: its limits (a bad value is a usage error, before anything starts), folder, id and journal. */
interface HistoryPlan {
  limits: HistoryLimits | undefined;
  dir: string;
  session: string;
  open: ((listener: Listener) => Journal) | undefined;
}

async function historyOf(flags: ListenFlags, plan: ListenPlan, deps: ListenDeps): Promise<HistoryPlan> {
  const limits = flags.history === false ? undefined : historyLimits(deps.env);
  const startedAt = new Date();
  const dir = historyDir(deps.env);
  // Old sessions go when a listener starts; a folder that cannot be read is told when the journal opens.
  if (limits) await prune(dir, limits).catch(() => undefined);
  const open = limits && ((listener: Listener): Journal => {
    try {
      return new SessionJournal(dir, {
        startedAt: startedAt.toISOString(), url: listener.url, host: flags.host, port: listener.port, path: plan.listener.path ?? '/',
        pid: process.pid, forwardTo: withoutCredentials(flags.forwardTo), version: '0.1.0',
      }, limits.maxBytes);
    } catch (e) {
      return { write: () => false, failure: `${(e as Error).message} (set WHK_HOME to a writable folder, or pass --no-history)`, failed: true, close: () => undefined };
    }
  });
  return { limits, dir, session: sessionId(startedAt, process.pid), open };
}

/** Pretty mode only: chalk and ora are not loaded for NDJSON. */
async function terminal(json: boolean, flags: ListenFlags): Promise<{ style?: Style; errStyle: Style; spinner?: Spinner }> {
  if (json) return { errStyle: await loadStyle(false) };
  const style = await loadStyle(useColor(process.stdout, flags.color));
  // A terminal with no width (some CI pseudo-terminals) would make ora loop: no spinner there.
  if (!(useColor(process.stderr, flags.color) && process.stderr.isTTY && (process.stderr.columns ?? 0) > 0)) return { style, errStyle: style };
  const { default: ora } = await import('ora');
  return { style, errStyle: style, spinner: ora({ text: 'starting', stream: process.stderr, discardStdin: false }) };
}

export type { TunnelSettings } from '../tunnel/open.js';

/** What `whk listen` can be given instead of the real world (tests run it in-process). */
export interface ListenDeps {
  /** Opens the tunnel for --tunnel (default: the provider's adapter, src/tunnel/open.ts). */
  tunnel?: (t: TunnelSettings, warn: (m: string) => void) => Promise<TunnelAdapter>;
  /** Where SIGINT, SIGTERM and SIGHUP come from (default: the process). */
  signals?: NodeJS.EventEmitter;
  /** The environment for the history's folder and limits (default: the process's). */
  env?: Record<string, string | undefined>;
  /** Where uncaught errors are reported (default: the process): the session's last-resort handler. */
  crashes?: NodeJS.EventEmitter;
  /** Stack traces for internal errors (default: --debug in argv or WHK_DEBUG=1). */
  debug?: boolean;
  /** Every delivery as it is written (the inspector's live feed), with this session's id. */
  onRecord?: (entry: HistoryEntry) => void;
}

/**
 * The tunnel of this run, chosen and checked before anything starts (a usage error, exit 2, for
 * what cannot work): undefined without --tunnel.
 */
async function tunnelOf(flags: ListenFlags, deps: ListenDeps): Promise<Parts['tunnel']> {
  if (flags.tunnel === undefined || flags.tunnel === false) return undefined;
  const env = deps.env ?? process.env;
  const { onPath, pickTunnel } = await import('../tunnel/pick.js');
  const { resolveNgrokSettings } = await import('../tunnel/authtoken.js');
  const ngrokToken = () => {
    try {
      return Boolean(resolveNgrokSettings(flags.ngrokAuthtoken, env));
    } catch {
      return false;
    }
  };
  // The standalone executable has no ngrok client: auto goes past it.
  const standalone = (await import('node:sea').catch(() => undefined))?.isSea() ?? false;
  const choice = pickTunnel({ tunnel: flags.tunnel, host: flags.tunnelHost, domain: flags.tunnelDomain }, { ngrokToken, ngrokClient: !standalone, program: (name) => onPath(name, env) });
  return {
    ...choice, host: flags.tunnelHost, authtoken: flags.ngrokAuthtoken, domain: flags.tunnelDomain, timeoutMs: flags.tunnelTimeout,
    knownHostsFile: join(stateDir(env), 'known_hosts'), version: '0.1.0',
  };
}

/**
 * Said once the tunnel is up, before the ready lines: auto's choice; that an account-free URL is
 * public and may change. Then, each time the tunnel comes back after a drop, the public URL (the
 * path included) and whether it changed: the provider's webhook URL must then change too.
 */
function tunnelNotes(t: NonNullable<Parts['tunnel']>, tunnel: TunnelAdapter, listener: Listener, emit: (e: ListenerEvent) => void): void {
  const warn = (message: string) => emit({ kind: 'warning', message });
  if (t.why) warn(`--tunnel auto chose ${t.provider} (${t.why}; --tunnel <provider> to choose)`);
  if (t.provider !== 'ngrok') warn(`${listener.publicUrl} is public: anyone who has it can post to it (${t.provider} needs no account), and it may change when the tunnel reconnects (whk then says so)`);
  let shown = listener.publicUrl!;
  tunnel.onUrl?.(() => {
    const now = listener.publicUrl!;
    emit({ kind: 'tunnel', record: { type: 'tunnel', tunnel: tunnel.name, publicUrl: now, previousUrl: shown, changed: now !== shown } });
    shown = now;
  });
}

/** Opens the tunnel (through `deps.tunnel` in tests), behind its self-check unless --no-tunnel-check. */
async function openChecked(t: NonNullable<Parts['tunnel']>, check: SelfCheck | undefined, plan: ListenPlan, deps: ListenDeps, warn: (m: string) => void): Promise<TunnelAdapter> {
  const tunnel = await (deps.tunnel ?? (await import('../tunnel/open.js')).openTunnel)(t, warn);
  if (!check) return tunnel;
  const { checkedTunnel } = await import('../tunnel/check.js');
  // The check posts where a provider would: the first mount, or --path.
  return checkedTunnel(tunnel, check, plan.listener.mounts?.[0]?.path ?? plan.listener.path ?? '/', t.timeoutMs);
}

/** Every target a delivery can be sent to: --forward-to, the routes', the mounts'. */
const targetsOf = (plan: ListenPlan, flags: ListenFlags): string[] => [
  ...(flags.forwardTo ? [flags.forwardTo] : []), ...(plan.listener.routes ?? []).flatMap((r) => r.to), ...(plan.listener.mounts ?? []).flatMap((m) => (m.forwardTo ? [m.forwardTo] : [])),
];

/** Whether a --forward-to URL points back at this listener (an endless loop). */
function isSelf(url: string, port: number): boolean {
  const u = new URL(url);
  const p = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  return p === port && /^(127\.0\.0\.1|localhost|\[::1\]|0\.0\.0\.0)$/.test(u.hostname);
}
