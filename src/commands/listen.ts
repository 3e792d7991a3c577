import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import type { ListenerEvent, ListenerStats } from '../listen/events.js';
import { parseEventFilter, type EventFilter } from '../listen/filter.js';
import type { InjectOptions } from '../listen/inject.js';
import { Recorder } from '../listen/recorder.js';
import { startListener, normalizePath, type Listener, type ListenerOptions } from '../listen/server.js';
import { eventJsonLine, readyJsonLine, rejectedJsonLine, renderEvent, renderReady, renderRejected, renderSummary, waitingText } from '../render/event.js';
import { loadStyle, useColor, type Style } from '../render/style.js';
import { usage, WhkError } from '../schemes/errors.js';
import { getScheme } from '../schemes/registry.js';
import type { TunnelAdapter } from '../tunnel/types.js';
import { formatDuration, parseDuration, parseInteger, parseSize } from '../units.js';
import { parseUrl, readSecrets, type IO } from './input.js';

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
  color?: boolean;
}

/** Everything the flags say, checked: a usage error (exit 2) for anything wrong. */
export interface ListenPlan {
  listener: Omit<ListenerOptions, 'forward' | 'tunnel'>;
  scheme: string;
  forwardTo?: string;
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
    },
    forwardTo,
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
 * `whk listen`: starts the receiver, hands each event to a renderer (NDJSON when --json or
 * stdout is not a terminal, pretty blocks otherwise), and resolves with the exit code: 0 after
 * --expect valid events, 1 on an invalid one (with --expect) or a timeout, 130 on Ctrl-C.
 */
export async function listenCommand(flags: ListenFlags, io: IO): Promise<number> {
  const plan = planListen(flags);
  const json = Boolean(flags.json) || !process.stdout.isTTY;
  const recorder = plan.record ? new Recorder(plan.record) : undefined;

  // Pretty mode only: chalk and ora are not loaded for NDJSON.
  let style: Style | undefined;
  let spinner: { start(text?: string): unknown; stop(): unknown; text: string } | undefined;
  if (!json) {
    style = await loadStyle(useColor(process.stdout, flags.color));
    // A terminal with no width (some CI pseudo-terminals) would make ora loop: no spinner there.
    if (useColor(process.stderr, flags.color) && process.stderr.isTTY && (process.stderr.columns ?? 0) > 0) {
      const { default: ora } = await import('ora');
      spinner = ora({ text: 'starting', stream: process.stderr, discardStdin: false });
    }
  }
  const errStyle = style ?? (await loadStyle(false));

  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = (code) => resolve(code)));
  let validSeen = 0;
  let stats: ListenerStats | undefined;
  let failure: string | undefined;

  // NDJSON: the lines of one batch of events (one turn of the event loop) go out in one write.
  let pendingOut = '';
  const flushOut = () => {
    if (pendingOut === '') return;
    const text = pendingOut;
    pendingOut = '';
    io.out(text);
  };
  const outLine = (line: string) => {
    if (pendingOut === '') queueMicrotask(flushOut);
    pendingOut += line;
  };
  const write = (text: string) => {
    if (spinner) {
      spinner.stop();
      io.out(text);
      spinner.start(stats ? waitingText(stats) : undefined);
    } else {
      io.out(text);
    }
  };
  const onEvent = (e: ListenerEvent) => {
    if (e.kind === 'event') {
      const line = json || recorder ? eventJsonLine(e.record) : '';
      if (json) outLine(line);
      else write(renderEvent(e, style!));
      if (recorder && !recorder.write(line) && recorder.failure) {
        io.err(`whk: ${recorder.failure}`);
        recorder.failure = undefined;
      }
      if (json && e.forward?.error) io.err(`whk: #${e.record.seq} ${e.forward.error}`);
      if (plan.expect !== undefined && !e.record.filtered && e.verdict) {
        if (!e.verdict.valid) {
          failure = `invalid event #${e.record.seq}: ${e.verdict.reason} — ${e.verdict.message}`;
          finish(1);
        } else if (++validSeen >= plan.expect) {
          finish(0);
        }
      }
    } else if (e.kind === 'rejected') {
      if (json) outLine(rejectedJsonLine(e.record));
      else write(renderRejected(e.record, style!));
    } else if (spinner) {
      spinner.stop();
      io.err(`whk: ${e.message}`);
      spinner.start(stats ? waitingText(stats) : undefined);
    } else {
      io.err(`whk: ${e.message}`);
    }
  };

  let forward: (ListenerOptions['forward'] & { close(): Promise<void> }) | undefined;
  if (plan.forwardTo) forward = (await import('../listen/forward.js')).createForwarder(plan.forwardTo, plan.listener.path ?? '/');

  let tunnel: TunnelAdapter | undefined;
  if (plan.tunnel) tunnel = await makeTunnel(plan.tunnel, (m) => onEvent({ kind: 'warning', message: m }));

  let listener: Listener;
  try {
    spinner?.start(tunnel ? `starting the ${tunnel.name} tunnel` : 'starting');
    listener = await startListener({ ...plan.listener, forward, tunnel }, onEvent);
  } catch (e) {
    spinner?.stop();
    recorder?.close();
    await forward?.close();
    throw e;
  }
  stats = listener.stats;
  spinner?.stop();
  if (forward && isSelf(plan.forwardTo!, listener.port)) {
    await listener.close(0);
    await forward.close();
    throw usage('forward_loop', `--forward-to ${plan.forwardTo} is this listener itself: give your app's URL`);
  }

  // The ready file first: whoever waits for the ready line may read it at once.
  const readyFile = plan.readyFile ? writeReadyFile(plan.readyFile, listener.url) : undefined;
  io.err(renderReady({
    url: listener.url, publicUrl: listener.publicUrl, scheme: plan.scheme, secrets: plan.listener.secrets?.length ?? 0,
    host: plan.listener.host ?? '127.0.0.1', forwardTo: plan.forwardTo, events: plan.events?.patterns, record: plan.record,
    expect: plan.expect, injections: plan.injections,
  }, errStyle));
  if (json) io.out(readyJsonLine(listener.url, listener.publicUrl));
  spinner?.start(waitingText(listener.stats));

  // Ways out: --expect reached or failed (above), --timeout, Ctrl-C / SIGTERM, stdout closed.
  let timedOut = false;
  const timer = plan.timeoutMs === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    finish(plan.expect !== undefined ? 1 : listener.stats.invalid > 0 ? 1 : 0);
  }, plan.timeoutMs);
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    finish(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const onStdoutError = () => finish(0);
  process.stdout.on('error', onStdoutError);

  const code = await finished;

  if (timer) clearTimeout(timer);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  spinner?.stop();
  await listener.close(interrupted ? 200 : 1000);
  flushOut();
  await forward?.close();
  recorder?.close();
  if (readyFile) removeReadyFile(readyFile, listener.url);
  process.stdout.off('error', onStdoutError);

  if (failure) io.err(`whk: ${failure}`);
  if (timedOut && plan.expect !== undefined) {
    io.err(`whk: timed out after ${formatDuration(plan.timeoutMs!)}: received ${validSeen} of ${plan.expect} expected events`);
  } else if (timedOut) {
    io.err(`whk: stopped after ${formatDuration(plan.timeoutMs!)}`);
  } else if (code === 0 && plan.expect !== undefined) {
    io.err(`whk: received ${validSeen} of ${plan.expect} expected events`);
  }
  io.err(renderSummary(listener.stats));
  return code;
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

/** Written atomically (temp file + rename), so a script polling for it never reads half a URL. */
function writeReadyFile(path: string, url: string): string {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${url}\n`);
    renameSync(tmp, path);
  } catch (e) {
    throw new WhkError('unwritable_file', `cannot write --ready-file ${path}: ${(e as Error).message}`, 2);
  }
  return path;
}

/** A stale ready file would tell the next script that a listener is up: removed on exit. */
function removeReadyFile(path: string, url: string): void {
  try {
    if (readFileSync(path, 'utf8').trim() === url) unlinkSync(path);
  } catch {
    // already gone
  }
}
