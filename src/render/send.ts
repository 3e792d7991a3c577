/**
 * Pure renderers for `whk send` and `whk replay`: plain data in, lines (or JSON-ready objects)
 * out. No clock, no stdout, no terminal detection: the command decides where the text goes.
 */
import { BODY_ERRORS } from '../net-errors.js';
import type { LoadSummary } from '../send/load.js';
import type { DeliveryReport, Mode, ReplayItem, ReplaySummary, SendReport } from '../send/report.js';
import { termSafe, termSafeLine } from './safe.js';
import type { Style } from './style.js';

export type { AttemptReport, DeliveryReport, Mode, ReplayItem, ReplaySummary, SendReport } from '../send/report.js';

const ms = (x: number) => (x < 10 ? `${x.toFixed(1)} ms` : `${Math.round(x)} ms`);
const bytes = (n: number) => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`);
const clip = (s: string, n = 120) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** What each negative mode sends, and what accepting it says about the receiver. */
const MODES: Record<Exclude<Mode, 'valid' | 'duplicate'>, { sent: (d?: string) => string; flaw: string }> = {
  'tamper-body': { sent: () => 'a body changed after signing', flaw: 'it does not verify the signature over the raw body it received' },
  'tamper-signature': { sent: () => 'a corrupted signature', flaw: 'it does not compare the signature it computes with the one received' },
  stale: { sent: (d) => `a timestamp ${d} in the past`, flaw: 'it does not enforce a timestamp tolerance: a captured delivery can be replayed later' },
  future: { sent: (d) => `a timestamp ${d} in the future`, flaw: 'it accepts timestamps from the future (check both directions of the tolerance)' },
  'wrong-secret': { sent: (d) => `a signature made with another secret${d ? ` (${d})` : ''}`, flaw: 'it does not verify with its own secret' },
  'no-signature': { sent: () => 'a delivery without the signature header', flaw: 'a missing signature header must be a refusal, not a reason to skip verification' },
};

export const modeDescription = (mode: Mode, detail?: string): string =>
  mode === 'valid' ? 'a valid event' : mode === 'duplicate' ? 'the same event twice (same id, same bytes)' : MODES[mode].sent(detail);

// Everything that came from the network (a receiver's status text, headers, body, and error
// text quoting them) or from a recording goes through termSafe/termSafeLine on its way out.
function deliveryLines(d: DeliveryReport, r: SendReport, c: Style): string[] {
  const what = [r.scheme, r.event, r.id].filter(Boolean).map((x) => termSafeLine(x!)).join(' ');
  const lines = [`${c.bold('→')} ${termSafeLine(d.method)} ${termSafeLine(d.url)}  ${c.cyan(what)}  ${c.dim(`(${bytes(d.bodyBytes)})`)}${d.label ? `  ${c.dim(d.label)}` : ''}`];
  for (const [k, v] of d.requestHeaders) lines.push(c.dim(`  ${termSafeLine(k)}: ${clip(termSafeLine(v))}`));
  if (d.note) lines.push(`  ${c.yellow(termSafeLine(d.note))}`);
  const n = d.attempts.length;
  d.attempts.forEach((a, i) => {
    const of = n > 1 ? c.dim(`  (attempt ${a.attempt} of ${n})`) : '';
    if (a.error && a.status === undefined) lines.push(`${c.bold('←')} ${c.red(a.error.code)}  ${ms(a.ms)}${of}  ${c.dim(termSafeLine(a.error.message))}`);
    else {
      const color = a.error ? c.red : a.status! < 300 ? c.green : a.status! < 500 ? c.yellow : c.red;
      // A status whose body then stalled or broke off: the status, and what happened to the body.
      const cut = a.error ? `  ${c.red(`then ${a.error.code.replace(/_/g, ' ')}`)}` : '';
      lines.push(`${c.bold('←')} ${color(termSafeLine(`${a.status} ${a.statusText ?? ''}`.trim()))}  ${ms(a.ms)}${of}${cut}`);
      if (i === n - 1 && d.response) {
        for (const [k, v] of Object.entries(d.response.headers)) lines.push(c.dim(`  ${termSafeLine(k)}: ${clip(termSafeLine(v))}`));
        if (d.response.bodyBytes > 0) {
          const text = termSafe(d.response.body).replace(/\s+$/, '');
          lines.push('', ...text.split('\n').slice(0, 12).map((l) => `  ${clip(l, 200)}`));
          if (d.response.incomplete) lines.push(c.dim(`  … (incomplete: ${bytes(d.response.bodyBytes)} received)`));
          else if (d.response.truncated) lines.push(c.dim(`  … (${bytes(d.response.bodyBytes)} in all)`));
        }
      }
    }
  });
  return lines;
}

/** The closing line: did the receiver do what it must? */
export function verdictLine(r: SendReport, c: Style): string {
  const ok = (s: string) => `${c.green('✓')} ${s}`;
  const bad = (s: string) => `${c.red('✗')} ${s}`;
  const net = r.deliveries.find((d) => d.error);
  if (net) return bad(BODY_ERRORS.has(net.error!.code) ? termSafeLine(net.error!.message) : `no answer: ${termSafeLine(net.error!.message)}`);
  const statuses = r.deliveries.map((d) => d.response!.status);
  const s = statuses.join(' and ');
  if (r.mode === 'valid') return r.ok ? ok(`${s} is within --expect ${r.expect}`) : bad(`${s} is outside --expect ${r.expect}`);
  if (r.mode === 'duplicate') {
    return r.ok
      ? ok(`both deliveries answered ${s} (within --expect ${r.expect}): a duplicate is accepted; make sure it is processed only once (dedupe on the event id${r.id ? ` ${r.id}` : ''})`)
      : bad(`the deliveries got ${s}, outside --expect ${r.expect}: a receiver should answer a duplicate with 2xx and skip the work, or the provider retries it`);
  }
  const m = MODES[r.mode];
  const status = statuses[0]!;
  if (r.ok) return ok(`refused ${m.sent(r.modeDetail)} with ${status}, as it must (within --expect ${r.expect})`);
  if (status < 300) return bad(`accepted ${m.sent(r.modeDetail)} (${status}): ${m.flaw}`);
  return bad(`${status} is outside --expect ${r.expect} for ${m.sent(r.modeDetail)}`);
}

export function renderSend(r: SendReport, c: Style): string {
  const lines: string[] = [];
  for (const d of r.deliveries) lines.push(...deliveryLines(d, r, c));
  lines.push(verdictLine(r, c));
  return lines.join('\n');
}

/** The machine shape of a single send: stable keys. */
export function sendJson(r: SendReport): Record<string, unknown> {
  const last = (d: DeliveryReport) => d.attempts[d.attempts.length - 1];
  return {
    ok: r.ok,
    mode: r.mode,
    scheme: r.scheme,
    event: r.event,
    id: r.id,
    url: r.url,
    expect: r.expect,
    status: r.deliveries.length === 1 ? (r.deliveries[0]!.response?.status ?? null) : r.deliveries.map((d) => d.response?.status ?? null),
    latencyMs: r.deliveries.length === 1 ? round(last(r.deliveries[0]!)?.ms) : r.deliveries.map((d) => round(last(d)?.ms)),
    deliveries: r.deliveries.map((d) => ({
      ...(d.label ? { label: d.label } : {}),
      request: { method: d.method, url: d.url, headers: Object.fromEntries(d.requestHeaders), bodyBytes: d.bodyBytes, ...(d.note ? { note: d.note } : {}) },
      attempts: d.attempts.map((a) => ({ ...a, ms: round(a.ms) })),
      response: d.response ?? null,
      error: d.error ?? null,
      withinExpect: d.withinExpect,
    })),
  };
}

const round = (x: number | undefined) => (x === undefined ? null : Math.round(x * 100) / 100);

/** The load-mode summary, a few aligned lines. */
export function renderLoadSummary(s: LoadSummary & { url: string; scheme: string; event: string | null }, c: Style): string {
  const what = [s.scheme, s.event].filter(Boolean).join(' ');
  const lines = [
    `sent ${s.requests} ${what} deliveries to ${s.url} in ${ms(s.durationMs)}: ${c.bold(`${s.requestsPerSecond} req/s`)} (concurrency ${s.concurrency})`,
  ];
  const l = s.latencyMs;
  lines.push(`latency    ${l ? `p50 ${ms(l.p50)} · p90 ${ms(l.p90)} · p99 ${ms(l.p99)} · max ${ms(l.max)}` : 'no answers'}`);
  const hist = Object.entries(s.statuses).map(([k, v]) => `${k} ×${v}`).join(' · ');
  lines.push(`statuses   ${hist || 'none'}`);
  const errs = Object.entries(s.errors).map(([k, v]) => `${k.replace(/_/g, ' ')} ×${v}`).join(' · ');
  lines.push(`errors     ${errs ? c.red(errs) : 'none'}`);
  const extras = [
    s.duplicates > 0 ? `${s.duplicates} duplicates (same id, same bytes)` : '',
    s.shuffled ? 'shuffled order' : '',
    s.retries > 0 ? `${s.retries} retries` : '',
  ].filter(Boolean);
  lines.push(`events     ${s.events} distinct${extras.length ? ` · ${extras.join(' · ')}` : ''}`);
  if (s.stopped) lines.push(c.yellow(`stopped early: ${s.stopped}`));
  lines.push(s.failed === 0 && s.requests > 0
    ? `${c.green('✓')} ${s.ok}/${s.requests} within --expect ${s.expect}`
    : `${c.red('✗')} ${s.failed}/${s.requests} failed (outside --expect ${s.expect} or no answer)`);
  return lines.join('\n');
}

export function renderReplayItem(i: ReplayItem, c: Style): string {
  const what = [i.eventType, i.id].filter(Boolean).map((x) => termSafeLine(clip(x!, 80))).join(' ');
  const request = [i.method && clip(i.method, 40), i.url].filter(Boolean).map((x) => termSafeLine(x!)).join(' ');
  const head = `${i.seq !== null ? `#${i.seq}` : `line ${i.line}`}${request ? ` ${request}` : ''}${what ? `  ${c.cyan(what)}` : ''}`;
  const error = i.error && `${i.error.code}: ${termSafeLine(i.error.message)}`;
  if (i.result === 'invalid') return `${head} → ${c.red(`not sent${i.seq !== null ? ` (line ${i.line})` : ''}: ${error}`)}`;
  const status = i.status !== null ? termSafeLine(`${i.status} ${i.statusText ?? ''}`.trim()) : '';
  const res = i.result === 'no_answer' ? c.red(error!)
    : i.result === 'incomplete' ? c.red(`${status}, then ${error}`)
    : (i.withinExpect ? c.green : c.red)(status);
  const extra = i.resigned ? c.dim(`  (re-signed: ${i.resigned}${i.bodyEdit ? `, ${i.bodyEdit}` : ''})`) : '';
  return `${head} → ${res}  ${ms(i.ms)}${extra}`;
}

const counts = (h: Record<string, number>) => Object.entries(h).map(([k, v]) => `${k.replace(/_/g, ' ')} ×${v}`).join(' · ');

export function renderReplaySummary(s: ReplaySummary, c: Style): string {
  const [errors, invalid] = [counts(s.errors), counts(s.invalidReasons)];
  const parts = [counts(s.statuses), errors && c.red(errors), invalid && c.red(invalid)].filter(Boolean).join(' · ');
  const events = `${s.events} event${s.events === 1 ? '' : 's'}`;
  const tail = `${parts ? ` (${parts})` : ''}${s.interrupted ? c.yellow(' — interrupted: the events after these were not sent') : ''}`;
  if (s.failed === 0) return `${c.green('✓')} replayed ${events}: ${s.ok} within --expect ${s.expect}${tail}`;
  const why = [
    s.outsideExpect && `${s.outsideExpect} outside --expect ${s.expect}`,
    s.incomplete && `${s.incomplete} answered with a body that did not finish`,
    s.noAnswer && `${s.noAnswer} no answer`,
    s.invalid && `${s.invalid} invalid in the recording, not sent`,
  ].filter(Boolean).join(', ');
  return `${c.red('✗')} replayed ${events}: ${s.failed} failed — ${why}${tail}`;
}

/** One `{"type":"replay"}` line: the keys of before in their order, then the new ones. */
export function replayJson(i: ReplayItem): string {
  return JSON.stringify({
    type: 'replay', seq: i.seq, id: i.id, eventType: i.eventType, method: i.method, url: i.url, status: i.status, statusText: i.statusText,
    ms: Math.round(i.ms * 100) / 100, error: i.error, withinExpect: i.withinExpect, resigned: i.resigned, bodyEdit: i.bodyEdit, result: i.result, line: i.line,
  });
}

/** What the first Ctrl-C of a replay says (on stderr). */
export function replayStoppingLine(inFlight: number): string {
  return `stopping after the ${inFlight} request${inFlight === 1 ? '' : 's'} in flight (Ctrl-C again to abort ${inFlight === 1 ? 'it' : 'them'})`;
}
