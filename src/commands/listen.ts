import type { ListenerEvent } from '../listen/events.js';
import { parseEventFilter, type EventFilter } from '../listen/filter.js';
import type { InjectOptions } from '../listen/inject.js';
import { Recorder } from '../listen/recorder.js';
import { startListener, normalizePath, viaToken, type Listener, type ListenerOptions } from '../listen/server.js';
import { runSession } from '../listen/session.js';
import { loadStyle, useColor, type Style } from '../render/style.js';
import { usage } from '../schemes/errors.js';
import { getScheme, schemes } from '../schemes/registry.js';
import type { TunnelAdapter } from '../tunnel/types.js';
import { formatDuration, parseDuration, parseInteger, parseSize } from '../units.js';
import { checkSecrets, parseUrl, readSecrets, type IO } from './input.js';

/** The flags as commander hands them over (strings, booleans, arrays), camelCased. */
export interface ListenFlags {
  port?: string;
  host?: string;
  path?: string;
  scheme?: string;
  secret?: string[];
  secretFile?: string;
  tolerance?: string;
  url?: string;
  tunnel?: boolean;
  ngrokAuthtoken?: string;
  tunnelDomain?: string;
  tunnelTimeout?: string;
  forwardTo?: string;
  events?: string;
  status?: string;
  delay?: string;
  failRate?: string;
  failFirst?: string;
  drop?: boolean;
  json?: boolean;
  record?: string;
  expect?: string;
  timeout?: string;
  maxBody?: string;
  readyFile?: string;
  forwardTimeout?: string;
  forwardMethods?: string;
  maxConnections?: string;
  color?: boolean;
}

/** Everything the flags say, checked: a usage error (exit 2) for anything wrong. */
export interface ListenPlan {
  listener: Omit<ListenerOptions, 'forward' | 'tunnel'>;
  scheme: string;
  forwardTo?: string;
  forwardTimeoutMs?: number;
  events?: EventFilter;
  expect?: number;
  timeoutMs?: number;
  record?: string;
  readyFile?: string;
  tunnel?: { authtoken?: string; domain?: string; timeoutMs: number };
  injections: string[];
}

export function planListen(flags: ListenFlags): ListenPlan {
  const port = parseInteger(flags.port ?? '4000', '--port');
  if (port > 65535) throw usage('bad_number', `--port ${port} is not a port (0-65535; 0 picks a free one)`);
  const scheme = !flags.scheme || flags.scheme === 'auto' ? 'auto' : getScheme(flags.scheme).name;
  const secrets = readSecrets(flags, false);
  // A secret the scheme cannot use is refused now, not explained in every 401 to any client.
  checkSecrets(scheme === 'auto' ? [...schemes] : [getScheme(scheme)], secrets, 'verify');
  const status = parseInteger(flags.status ?? '200', '--status');
  if (status < 200 || status > 599) throw usage('bad_status', `--status ${status} is not an HTTP status to answer with (200-599)`);
  const failRate = flags.failRate === undefined ? undefined : Number(flags.failRate);
  if (failRate !== undefined && !(failRate >= 0 && failRate <= 1 && flags.failRate!.trim() !== '')) {
    throw usage('bad_number', `--fail-rate "${flags.failRate}" is not a fraction between 0 and 1 (e.g. 0.3)`);
  }
  const inject: InjectOptions = {
    delayMs: flags.delay === undefined ? undefined : parseDuration(flags.delay, '--delay'),
    failRate,
    failFirst: flags.failFirst === undefined ? undefined : parseInteger(flags.failFirst, '--fail-first'),
    drop: flags.drop,
  };
  const injections = [
    ...(status !== 200 ? [`--status ${status}`] : []),
    ...(inject.delayMs ? [`--delay ${formatDuration(inject.delayMs)}`] : []),
    ...(inject.failRate ? [`--fail-rate ${inject.failRate}`] : []),
    ...(inject.failFirst ? [`--fail-first ${inject.failFirst}`] : []),
    ...(inject.drop ? ['--drop'] : []),
  ];
  const expect = flags.expect === undefined ? undefined : parseInteger(flags.expect, '--expect', 1);
  if (expect !== undefined && secrets.length === 0) {
    throw usage('no_secret', '--expect counts valid events, which needs the secret: pass --secret <s>, --secret-file <path>, or set WHK_SECRET');
  }
  // Checked here, used as written (the forward target's path is appended to it as is).
  if (flags.url !== undefined) parseUrl(flags.url, '--url');
  if (flags.forwardTo !== undefined) parseUrl(flags.forwardTo, '--forward-to');
  const { url, forwardTo } = flags;
  const events = flags.events === undefined ? undefined : parseEventFilter(flags.events);
  const path = normalizePath(flags.path ?? '/');
  return {
    scheme,
    listener: {
      host: flags.host ?? '127.0.0.1',
      port,
      path,
      scheme,
      secrets,
      tolerance: flags.tolerance === undefined ? undefined : parseInteger(flags.tolerance, '--tolerance'),
      url,
      maxBody: parseSize(flags.maxBody ?? '1mb', '--max-body'),
      status,
      events,
      inject: injections.some((i) => !i.startsWith('--status')) ? inject : undefined,
      forwardMethods: flags.forwardMethods === undefined ? undefined : parseMethods(flags.forwardMethods),
      maxConnections: flags.maxConnections === undefined ? undefined : parseInteger(flags.maxConnections, '--max-connections', 1),
    },
    forwardTo,
    forwardTimeoutMs: flags.forwardTimeout === undefined ? undefined : parseDuration(flags.forwardTimeout, '--forward-timeout'),
    events,
    expect,
    timeoutMs: flags.timeout === undefined ? undefined : parseDuration(flags.timeout, '--timeout'),
    record: flags.record,
    readyFile: flags.readyFile,
    tunnel: flags.tunnel
      ? { authtoken: flags.ngrokAuthtoken, domain: flags.tunnelDomain, timeoutMs: parseDuration(flags.tunnelTimeout ?? '10s', '--tunnel-timeout') }
      : undefined,
    injections,
  };
}

/**
 * `whk listen`: starts the receiver and runs the session (src/listen/session.ts), which hands
 * each event to a renderer (NDJSON when --json or stdout is not a terminal, pretty blocks
 * otherwise) and resolves with the exit code: 0 after --expect valid events, 1 on an invalid
 * one (with --expect), a timeout or a failed write, 128 + n on a signal.
 */
export async function listenCommand(flags: ListenFlags, io: IO): Promise<number> {
  const plan = planListen(flags);
  const stdout = io.stdout as NodeJS.WriteStream | undefined;
  const json = Boolean(flags.json) || !stdout?.isTTY;
  const recorder = plan.record ? new Recorder(plan.record) : undefined;

  // Pretty mode only: chalk and ora are not loaded for NDJSON.
  let style: Style | undefined;
  let spinner: { start(text?: string): unknown; stop(): unknown } | undefined;
  if (!json) {
    style = await loadStyle(useColor(process.stdout, flags.color));
    // A terminal with no width (some CI pseudo-terminals) would make ora loop: no spinner there.
    if (useColor(process.stderr, flags.color) && process.stderr.isTTY && (process.stderr.columns ?? 0) > 0) {
      const { default: ora } = await import('ora');
      spinner = ora({ text: 'starting', stream: process.stderr, discardStdin: false });
    }
  }
  const errStyle = style ?? (await loadStyle(false));
  const via = viaToken();

  let forward: (ListenerOptions['forward'] & { close(): Promise<void> }) | undefined;
  let tunnel: TunnelAdapter | undefined;
  const start = async (emit: (e: ListenerEvent) => void) => {
    if (plan.forwardTo) {
      forward = (await import('../listen/forward.js')).createForwarder(plan.forwardTo, plan.listener.path ?? '/', { timeoutMs: plan.forwardTimeoutMs, via });
    }
    if (plan.tunnel) tunnel = await makeTunnel(plan.tunnel, (m) => emit({ kind: 'warning', message: m }));
    let listener: Listener;
    try {
      listener = await startListener({ ...plan.listener, forward, tunnel, via }, emit);
    } catch (e) {
      recorder?.close();
      await forward?.close();
      throw e;
    }
    if (forward && isSelf(plan.forwardTo!, listener.port)) {
      await listener.close(0);
      await forward.close();
      throw usage('forward_loop', `--forward-to ${plan.forwardTo} is this listener itself: give your app's URL`);
    }
    return listener;
  };

  try {
    return await runSession(start, {
      json, style, errStyle, spinner,
      expect: plan.expect, timeoutMs: plan.timeoutMs, recorder, readyFile: plan.readyFile,
      startingText: plan.tunnel ? 'starting the ngrok tunnel' : 'starting',
      ready: {
        scheme: plan.scheme, secrets: plan.listener.secrets?.length ?? 0, host: plan.listener.host ?? '127.0.0.1',
        forwardTo: plan.forwardTo, events: plan.events?.patterns, record: plan.record, expect: plan.expect, injections: plan.injections,
      },
    }, io);
  } finally {
    await forward?.close();
    recorder?.close();
  }
}

/** `--forward-methods POST,GET,PUT`: HTTP method tokens, upper-cased. */
function parseMethods(text: string): string[] {
  const methods = text.split(',').map((m) => m.trim().toUpperCase()).filter(Boolean);
  const bad = methods.find((m) => !/^[A-Z][A-Z-]*$/.test(m));
  if (methods.length === 0 || bad !== undefined) {
    throw usage('bad_methods', `--forward-methods "${text}" is not a list of HTTP methods: give e.g. POST,GET`);
  }
  return methods;
}

async function makeTunnel(t: NonNullable<ListenPlan['tunnel']>, warn: (m: string) => void): Promise<TunnelAdapter> {
  // Test-only: WHK_TUNNEL_FAKE=<public URL> replaces ngrok with a tunnel that opens nothing, so
  // the built CLI's tunnelled output can be tested offline. Not a user-facing setting.
  const fake = process.env.WHK_TUNNEL_FAKE;
  if (fake) return (await import('../tunnel/fake.js')).fakeTunnel(fake);
  const { resolveNgrokSettings } = await import('../tunnel/authtoken.js');
  const settings = resolveNgrokSettings(t.authtoken);
  const { ngrokTunnel } = await import('../tunnel/ngrok.js');
  return ngrokTunnel({ ...settings, domain: t.domain, timeoutMs: t.timeoutMs, onWarning: warn, version: '0.1.0' });
}

/** Whether a --forward-to URL points back at this listener (an endless loop). */
function isSelf(url: string, port: number): boolean {
  const u = new URL(url);
  const p = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  return p === port && /^(127\.0\.0\.1|localhost|\[::1\]|0\.0\.0\.0)$/.test(u.hostname);
}
