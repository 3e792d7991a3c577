import { BODY_ERRORS } from '../net-errors.js';
import { usage, WhkError } from '../errors.js';
import { mask } from '../schemes/hmac.js';
import type { Registry } from '../schemes/registry.js';
import { isKeyPair, type Scheme, type Secret } from '../schemes/types.js';
import { loadStyle, useColor, type Style } from '../render/style.js';
import { renderLoadSummary, renderSend, sendJson } from '../render/send.js';
import { builder, type Builder, type OutRequest } from '../send/build.js';
import type { Deliverer } from '../send/deliver.js';
import type { RawDeliverer } from '../send/raw.js';
import { parseExpect, type Expect } from '../send/expect.js';
import { runLoad } from '../send/load.js';
import { wrongSecret, type Negative } from '../send/negative.js';
import type { DeliveryReport, Mode, SendReport } from '../send/report.js';
import { deliverOnce, selfCheck } from '../send/single.js';
import { allSamples, findSample, samplesFor } from '../providers/samples.js';
import { formatDuration } from '../units.js';
import { bodyLimit, checkSecrets, parseHeaderLines, parseTarget, pipedBody, readBody, readSecrets, type IO } from '../io/input.js';

export interface SendFlags {
  scheme?: string;
  secret?: string[];
  secretFile?: string;
  body?: string;
  bodyFile?: string;
  /** The largest body read from a file or stdin (--max-body). */
  maxBody?: number;
  event?: string;
  listEvents?: boolean;
  header?: string[];
  /** Unix seconds. */
  timestamp?: number;
  id?: string;
  signedUrl?: string;
  /** Default: 2xx, 4xx in a negative mode. */
  expect?: Expect;
  /** ms, to the response headers. */
  timeout: number;
  retries: number;
  count?: number;
  concurrency: number;
  tamper?: 'body' | 'signature';
  /** ms */
  stale?: number;
  future?: number;
  wrongSecret?: boolean;
  /** commander's --no-signature: false when given. */
  signature?: boolean;
  duplicate?: boolean;
  duplicateRate?: number;
  shuffle?: boolean;
  json?: boolean;
  color?: boolean;
  /** The run's schemes (src/cli.ts builds it: src/run-schemes.ts). */
  registry: Registry;
}

/** How much of a response body a single send keeps and shows. */
const KEEP_BODY = 2048;
const VERSION_UA = 'whk/0.1 (webhook test sender)';

/**
 * `whk send`: builds a realistic event (or takes your body), signs it as the provider would, posts
 * it and judges the answer against --expect. Exit 0 within --expect, 1 outside (or an answer whose
 * body did not finish: --timeout counts to the headers, then again for the body), 2 usage, 3 when
 * the receiver could not be reached, 130 when interrupted (load mode).
 */
export async function sendCommand(url: string | undefined, flags: SendFlags, io: IO): Promise<number> {
  if (flags.listEvents) return listEvents(flags, io);
  if (!flags.scheme) throw usage('no_scheme', 'missing --scheme <name>: whk schemes lists them');
  const scheme = flags.registry.get(flags.scheme);
  const target = parseTarget(url, 'whk send <url> --scheme <name> --secret <s>');
  const negative = parseNegative(flags, scheme, io);
  const secrets = signingSecrets(flags, scheme, negative?.kind ?? 'valid');
  const expect = flags.expect ?? parseExpect(negative && negative.kind !== 'duplicate' ? '4xx' : '2xx');
  checkModeFlags(flags, negative);

  const provider = samplesFor(scheme);
  const sample = findSample(provider, flags.event);
  const body = await customBody(flags);
  const fixedTs = flags.timestamp;
  const b = builder({
    scheme, provider, sample, body, secrets, url: target, signUrl: flags.signedUrl,
    extraHeaders: headerFlags(flags.header ?? []),
    negative, clock: fixedTs === undefined ? undefined : () => fixedTs * 1000, id: flags.id, userAgent: VERSION_UA,
  });
  const deliverer = await openDeliverer(target, flags);
  const style = () => loadStyle(useColor(process.stdout, flags.color));
  const event = body ? null : sample.event;
  try {
    if (flags.count !== undefined) {
      const { retries, count, concurrency } = flags;
      return await load({ flags, io, b, deliverer, expect, retries, count, concurrency, duplicateRate: flags.duplicateRate ?? 0, target, scheme, event, style });
    }
    return await sendOne({ flags, io, b, deliverer, expect, target, scheme, event, negative, secrets, selfCheck: body !== undefined, style });
  } finally {
    await deliverer.close().catch(() => undefined);
  }
}

/** The secrets to sign with: --no-signature and --wrong-secret need none (a placeholder then); every other mode does. */
function signingSecrets(flags: SendFlags, scheme: Scheme, mode: Mode): Secret[] {
  const secretOptional = mode === 'no-signature' || mode === 'wrong-secret';
  const secrets: Secret[] = readSecrets(flags, !secretOptional);
  checkSecrets([scheme], secrets, 'sign');
  if (secrets.length > 1 && !scheme.multipleSecrets) {
    throw usage('too_many_secrets', `${scheme.name} signs with one secret, got ${secrets.length}: pass a single --secret`);
  }
  if (secrets.length === 0) secrets.push(placeholderSecret(scheme));
  return secrets;
}

/** Flags that belong to load mode only, or that contradict the negative mode chosen. */
function checkModeFlags(flags: SendFlags, negative: Negative | undefined): void {
  const { count } = flags;
  if (count === undefined && (flags.duplicateRate !== undefined || flags.shuffle)) {
    throw usage('load_mode_only', `${flags.shuffle ? '--shuffle' : '--duplicate-rate'} applies to load mode: add --count <n>`);
  }
  if (count !== undefined && negative?.kind === 'duplicate') {
    throw usage('conflicting_flags', '--duplicate sends one event twice; in load mode use --duplicate-rate <0..1>');
  }
  if (count !== undefined && count > 1 && flags.id !== undefined) {
    throw usage('conflicting_flags', '--id gives every event the same id; load mode sends fresh ones (use --duplicate-rate for duplicates)');
  }
  if (flags.timestamp !== undefined && (negative?.kind === 'stale' || negative?.kind === 'future')) {
    throw usage('conflicting_flags', `--timestamp and --${negative.kind} both set the timestamp: give one`);
  }
}

/**
 * Load mode over plain http uses whk's single-write client (see src/send/raw.ts); everything
 * else undici. WHK_SEND_CLIENT=undici forces undici in load mode too (for comparison).
 */
async function openDeliverer(target: URL, flags: SendFlags): Promise<Deliverer | RawDeliverer> {
  const { count, concurrency, timeout: timeoutMs } = flags;
  const hint = 'is the listener running?';
  if (count !== undefined && target.protocol === 'http:' && process.env.WHK_SEND_CLIENT !== 'undici') {
    return new (await import('../send/raw.js')).RawDeliverer(target, { connections: concurrency, timeoutMs, hint });
  }
  return new (await import('../send/deliver.js')).Deliverer(target.origin, {
    connections: count === undefined ? 1 : concurrency,
    timeoutMs,
    keepBody: count === undefined ? KEEP_BODY : 0,
    hint,
    preciseTimeout: count === undefined,
  });
}

interface SendOneArgs {
  flags: SendFlags;
  io: IO;
  b: Builder;
  deliverer: Deliverer | RawDeliverer;
  expect: Expect;
  target: URL;
  scheme: Scheme;
  event: string | null;
  negative: Negative | undefined;
  secrets: Secret[];
  /** The body is the user's: check once that what is sent verifies (see selfCheck). */
  selfCheck: boolean;
  style: () => Promise<Style>;
}

/** One event (twice with --duplicate), its report, and the exit code. */
async function sendOne(a: SendOneArgs): Promise<number> {
  const { flags, io, b, expect, target, negative } = a;
  const mode: Mode = negative?.kind ?? 'valid';
  const ev = b.newEvent();
  const deliveries = await deliverEvent(a, ev);
  const modeDetail = negative?.kind === 'stale' || negative?.kind === 'future' ? formatDuration(flags[negative.kind]!)
    : negative?.kind === 'wrong-secret' ? mask(b.wrongSecret!) : undefined;
  const report: SendReport = {
    scheme: a.scheme.name, event: a.event, id: ev.id, url: target.href, mode, modeDetail, expect: expect.text, deliveries,
    ok: deliveries.every((d) => d.withinExpect) && deliveries.length === (mode === 'duplicate' ? 2 : 1),
  };
  const failure = deliveries.find((d) => d.error);
  // An answer whose body then stalled (body_timeout) or broke off comes from a reachable
  // receiver: the report and exit 1, like a status outside --expect. No answer at all: exit 3
  // (2 for a request the HTTP client refused to send).
  const noAnswer = failure && !BODY_ERRORS.has(failure.error!.code) ? failure.error! : undefined;
  const noAnswerExit = noAnswer?.code === 'request_refused' ? 2 : 3;
  if (flags.json) {
    io.out(JSON.stringify(sendJson(report)));
    if (failure) io.err(`whk: ${failure.error!.message}`);
  } else {
    if (noAnswer) throw new WhkError(noAnswer.code, noAnswer.message, noAnswerExit);
    io.out(renderSend(report, await a.style()));
  }
  return noAnswer ? noAnswerExit : report.ok ? 0 : 1;
}

/** Delivers the event (with its retries): once, or twice with the same bytes for --duplicate. */
async function deliverEvent(a: SendOneArgs, ev: ReturnType<Builder['newEvent']>): Promise<DeliveryReport[]> {
  const { flags, io, b, expect, target, negative } = a;
  const send = (req: OutRequest) => a.deliverer.send(req);
  const onRetry = (n: number, max: number, why: string, delay: number) => io.err(`retry ${n}/${max} after ${why} in ${formatDuration(delay)}`);
  const options = { expect, url: target, retries: flags.retries, onRetry };
  const deliveries: DeliveryReport[] = [];
  if (negative?.kind === 'duplicate') {
    const req = b.build(ev);
    for (const label of ['1st delivery', '2nd delivery (same id, same bytes)']) {
      deliveries.push(await deliverOnce(() => req, send, { ...options, label }));
      if (deliveries[deliveries.length - 1]!.error) break;
    }
    return deliveries;
  }
  let selfChecked = false;
  deliveries.push(await deliverOnce((n) => {
    const req = b.build(ev, n);
    if (!selfChecked && a.selfCheck && negative === undefined) {
      selfChecked = true;
      for (const note of selfCheck(a.scheme, req, a.secrets, flags.signedUrl ?? target.href)) io.err(`note: ${note}`);
    }
    return req;
  }, send, options));
  return deliveries;
}

interface LoadArgs {
  flags: SendFlags;
  io: IO;
  b: Builder;
  deliverer: Deliverer | RawDeliverer;
  expect: Expect;
  retries: number;
  count: number;
  concurrency: number;
  duplicateRate: number;
  target: URL;
  scheme: Scheme;
  event: string | null;
  style: () => Promise<Style>;
}

async function load(a: LoadArgs): Promise<number> {
  const stop = { requested: false };
  const progress = { done: 0, total: a.count, failed: 0 };
  let interrupts = 0;
  const onSigint = () => {
    stop.requested = true;
    // A second Ctrl-C does not wait for the deliveries in flight.
    if (++interrupts > 1) void a.deliverer.destroy();
  };
  process.on('SIGINT', onSigint);
  // A progress line on a terminal only (one with a width: ora miscounts lines without), ora loaded only then.
  let spinner: { text: string; stop(): void } | undefined;
  let ticker: NodeJS.Timeout | undefined;
  if (process.stderr.isTTY && (process.stderr.columns ?? 0) > 0) {
    const { default: ora } = await import('ora');
    spinner = ora({ text: 'sending…', stream: process.stderr }).start();
    ticker = setInterval(() => {
      spinner!.text = `${progress.done}/${progress.total} sent${progress.failed ? `, ${progress.failed} failed` : ''}`;
    }, 100);
  }
  try {
    const summary = await runLoad({
      count: a.count, concurrency: a.concurrency, duplicateRate: a.duplicateRate, shuffle: Boolean(a.flags.shuffle),
      builder: a.b, deliver: (req) => a.deliverer.send(req), expect: a.expect,
      deliverCb: 'sendCb' in a.deliverer ? a.deliverer.sendCb.bind(a.deliverer) : undefined,
      // Retries are counted in the summary: one stderr line per retry would flood a load run.
      retry: { retries: a.retries }, stop, progress,
    });
    if (ticker) clearInterval(ticker);
    spinner?.stop();
    const full = { url: a.target.href, scheme: a.scheme.name, event: a.event, ...summary };
    a.io.out(a.flags.json ? JSON.stringify(full) : renderLoadSummary(full, await a.style()));
    if (summary.stopped === 'interrupted') return 130;
    // Answers whose body did not finish count as answers: the receiver is reachable.
    const answered = Object.values(summary.statuses).reduce((x, y) => x + y, 0) + summary.incomplete;
    if (answered === 0 && summary.requests > 0) {
      a.io.err(`whk: ${summary.stopped ?? 'no request got an answer'}`);
      return 3;
    }
    return summary.failed > 0 ? 1 : 0;
  } finally {
    if (ticker) clearInterval(ticker);
    spinner?.stop();
    process.off('SIGINT', onSigint);
  }
}

function parseNegative(flags: SendFlags, scheme: Scheme, io: IO): Negative | undefined {
  const modes: Negative[] = [];
  if (flags.tamper !== undefined) modes.push({ kind: flags.tamper === 'body' ? 'tamper-body' : 'tamper-signature' });
  for (const kind of ['stale', 'future'] as const) {
    const ms = flags[kind];
    if (ms === undefined) continue;
    if (!scheme.timestamp) {
      throw usage('no_timestamp', `${scheme.name} signs no timestamp, so --${kind} has nothing to change (schemes with one: ${flags.registry.all.filter((s) => s.timestamp && !s.source).slice(0, 8).map((s) => s.name).join(', ')}, ...)`);
    }
    if (kind === 'future' && scheme.timestamp.direction === 'past') {
      io.err(`note: ${scheme.name}'s own rule only refuses old timestamps; a receiver using the provider's SDK accepts one from the future`);
    }
    if (ms / 1000 <= scheme.timestamp.tolerance) {
      io.err(`note: ${formatDuration(ms)} is within ${scheme.name}'s ${scheme.timestamp.tolerance} s tolerance: a receiver should accept it (use more than ${scheme.timestamp.tolerance}s)`);
    }
    modes.push({ kind, ms });
  }
  if (flags.wrongSecret) modes.push({ kind: 'wrong-secret' });
  if (flags.signature === false) modes.push({ kind: 'no-signature' });
  if (flags.duplicate) modes.push({ kind: 'duplicate' });
  if (modes.length > 1) {
    throw usage('conflicting_flags', `one negative mode at a time (got ${modes.map((m) => m.kind).join(', ')}): run whk send once for each`);
  }
  return modes[0];
}

/** A body of the user's: --body, --body-file (- for stdin), or piped in (see pipedBody); the sample otherwise. */
async function customBody(flags: SendFlags): Promise<Buffer | undefined> {
  return flags.body !== undefined || flags.bodyFile !== undefined ? readBody(flags) : pipedBody(bodyLimit(flags.maxBody));
}

/** For modes that need no real secret: a throwaway key of the right kind. */
function placeholderSecret(scheme: Scheme): string {
  if (scheme.placeholderSecret) return scheme.placeholderSecret;
  // A key pair: a fresh private key of the right kind (wrongSecret makes one).
  return isKeyPair(scheme.keyKind) ? wrongSecret(scheme, undefined) : 'whk-placeholder-secret';
}

/** --header "Name: value" lines, names spelled as given (they replace the provider's of any case). */
function headerFlags(lines: string[]): Record<string, string> {
  parseHeaderLines(lines, '--header'); // the same validation and message as everywhere else
  const out: Record<string, string> = {};
  for (const line of lines) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    const [name, value] = [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || /[\r\n\0]/.test(value)) {
      throw usage('bad_header', `--header: "${line.slice(0, 60)}" is not a valid "Name: value" header`);
    }
    out[name] = value;
  }
  return out;
}

function listEvents(flags: SendFlags, io: IO): number {
  const list = flags.scheme ? [samplesFor(flags.registry.get(flags.scheme))] : allSamples(flags.registry.all);
  if (flags.json) {
    const json = list.map((p) => ({ scheme: p.scheme, events: p.events.map((e, i) => ({ event: e.event, description: e.description, default: i === 0 })) }));
    io.out(JSON.stringify(flags.scheme ? json[0] : json));
    return 0;
  }
  const lines: string[] = [];
  for (const p of list) {
    const width = Math.max(...p.events.map((e) => e.event.length));
    lines.push(`${p.scheme}: whk send <url> --scheme ${p.scheme} --event <name>`);
    p.events.forEach((e, i) => lines.push(`  ${e.event.padEnd(width)}  ${e.description}${i === 0 ? ' (default)' : ''}`));
    if (list.length > 1) lines.push('');
  }
  io.out(lines.join('\n').trimEnd());
  return 0;
}
