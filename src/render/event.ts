/**
 * Renderers for `whk listen`: typed listener events in, text out. Pure: they read no clock,
 * write nothing, and get colours through the Style they are given (src/render/style.ts).
 */
import type { EventMessage, ListenerStats, RejectedRecord } from '../listen/events.js';
import type { EventRecord, ReadyRecord } from '../record.js';
import type { Style } from './style.js';
import { renderVerdict } from './verdict.js';

// ---------------------------------------------------------------------------------------------
// NDJSON

/** One NDJSON line (with its newline): the record exactly as `whk replay` reads it. */
export const eventJsonLine = (record: EventRecord): string => `${JSON.stringify(record)}\n`;

export const rejectedJsonLine = (record: RejectedRecord): string => `${JSON.stringify(record)}\n`;

export const readyJsonLine = (url: string, publicUrl: string | null): string =>
  `${JSON.stringify({ type: 'ready', url, publicUrl } satisfies ReadyRecord)}\n`;

// ---------------------------------------------------------------------------------------------
// Terminal

export interface PrettyOptions {
  /** Show times in UTC (tests); local time otherwise. */
  utc?: boolean;
  /** Body lines shown before "… n more lines". */
  maxBodyLines?: number;
  /** Header values longer than this are cut. */
  maxHeaderValue?: number;
}

/** What the ready lines say about the configuration. */
export interface ReadyInfo {
  url: string;
  publicUrl: string | null;
  scheme: string;
  secrets: number;
  host: string;
  forwardTo?: string;
  events?: readonly string[];
  record?: string;
  expect?: number;
  injections?: string[];
}

/**
 * The lines printed to stderr once listening. The first is exactly `whk listening on <url>`,
 * for scripts to wait on; the public URL (tunnel) follows on its own line.
 */
export function renderReady(r: ReadyInfo, c: Style): string {
  const lines = [`whk listening on ${r.url}`];
  if (r.publicUrl) lines.push(`public URL: ${r.publicUrl}  ${c.dim('(paste it into the provider\'s webhook settings)')}`);
  const what: string[] = [];
  if (r.secrets > 0) what.push(`verifying ${r.scheme === 'auto' ? 'with the scheme detected from the headers' : `as ${r.scheme}`} (${r.secrets} secret${r.secrets > 1 ? 's' : ''})`);
  if (r.forwardTo) what.push(`forwarding to ${r.forwardTo}`);
  if (r.events) what.push(`only ${r.events.join(', ')}`);
  if (r.record) what.push(`recording to ${r.record}`);
  if (r.expect !== undefined) what.push(`expecting ${r.expect} valid event${r.expect === 1 ? '' : 's'}`);
  if (r.injections?.length) what.push(`injecting ${r.injections.join(', ')}`);
  if (what.length) lines.push(c.dim(what.join(' · ')));
  if (r.secrets === 0) lines.push(c.yellow('no secret: events are shown but not verified (pass --secret, --secret-file or set WHK_SECRET)'));
  if (!/^(127\.|localhost$|\[?::1\]?$)/.test(r.host)) lines.push(c.yellow(`listening on ${r.host}: other machines on your network can post to it`));
  return lines.join('\n');
}

const statusColor = (status: number, c: Style) => (status === 0 ? c.red : status < 300 ? c.green : status < 500 ? c.yellow : c.red);

function clock(iso: string, utc: boolean | undefined): string {
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return utc
    ? `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`
    : `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/**
 * One event as a block: the summary line (time, #seq, method, path, scheme, type, id, answer),
 * then the verdict, what happened to it (duplicate, injection, forwarding), the headers (dimmed)
 * and the body. A filtered event is one dimmed line.
 */
export function renderEvent(m: EventMessage, c: Style, o: PrettyOptions = {}): string {
  const r = m.record;
  const status = r.response.status;
  const answer = status === 0 ? 'dropped' : `→ ${status}`;
  const head = [
    clock(r.receivedAt, o.utc),
    `#${r.seq}`,
    `${r.method} ${r.path}`,
    r.scheme ?? 'unknown scheme',
    ...(r.eventType ? [r.eventType] : []),
    ...(r.eventId ? [`[${r.eventId}]`] : []),
  ];
  if (r.filtered) {
    const why = r.eventType ? 'not in --events' : 'no event type; not in --events';
    const what = head.length > 4 ? `${head.slice(0, 4).join('  ')}  ${head.slice(4).join(' ')}` : head.join('  ');
    return c.dim(`${what}  ${answer}  filtered (${why})`);
  }
  const lines = [
    `${c.dim(head[0]!)}  ${c.bold(head[1]!)}  ${head.slice(2, 4).join('  ')}${head.length > 4 ? `  ${c.cyan(head.slice(4).join(' '))}` : ''}  ${statusColor(status, c)(answer)}`,
  ];
  const indent = (s: string) => s.split('\n').map((l) => `  ${l}`).join('\n');
  lines.push(indent(m.verdict ? renderVerdict(m.verdict, c) : c.yellow('· not verified (no secret)')));

  const notes: string[] = [];
  if (r.duplicate) notes.push(c.magenta(`duplicate of #${r.duplicateOf}`));
  if (r.deliveryAttempt !== undefined) notes.push(`delivery attempt ${r.deliveryAttempt}`);
  if (r.retryOf) notes.push(`retry of ${r.retryOf}`);
  if (notes.length) lines.push(`  ${notes.join(c.dim(' · '))}`);
  const inj = r.injected;
  if (inj) {
    const parts: string[] = [];
    if (inj.delayMs) parts.push(`answered after ${formatMs(inj.delayMs)} (--delay)`);
    if (inj.drop) parts.push('closed the connection without answering (--drop)');
    if (inj.fail === 'fail-first') parts.push(`500 (--fail-first: delivery ${inj.attempt} of this event)`);
    else if (inj.fail === 'fail-rate') parts.push('500 (--fail-rate)');
    else if (inj.attempt !== undefined) parts.push(`delivery ${inj.attempt} of this event, answered normally`);
    lines.push(`  ${c.yellow('injected:')} ${parts.join(', ')}`);
  }
  if (m.forward) {
    const f = m.forward;
    if (f.error) {
      lines.push(`  ${c.red(f.error)}`);
    } else {
      lines.push(`  forwarded to ${f.url} ${statusColor(f.status, c)(`→ ${f.status}`)} in ${f.ms} ms`);
      if (f.status >= 400 && f.body) lines.push(`  ${c.dim('your app answered:')} ${oneLine(f.body, 200)}`);
    }
  }

  const maxValue = o.maxHeaderValue ?? 160;
  for (const [k, v] of Object.entries(r.headers)) lines.push(c.dim(`  ${k}: ${v.length > maxValue ? `${v.slice(0, maxValue)}…` : v}`));
  lines.push(indent(renderBody(m, c, o.maxBodyLines ?? 60)));
  return lines.join('\n');
}

/** The body: JSON pretty-printed and coloured, form parameters, text as text, binary as hex. */
export function renderBody(m: Pick<EventMessage, 'record' | 'parsed' | 'jsonError'>, c: Style, maxLines = 60): string {
  const r = m.record;
  if (r.body === '') return c.dim('(empty body)');
  if (r.bodyEncoding === 'base64') {
    const bytes = Buffer.from(r.body, 'base64');
    const hex = [...bytes.subarray(0, 32)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    return `${c.dim(`binary body, ${bytes.length} bytes:`)} ${hex}${bytes.length > 32 ? ' …' : ''}`;
  }
  let lines: string[];
  if (m.parsed !== undefined && m.jsonError === undefined && !isForm(r)) {
    lines = colorJson(m.parsed, c).split('\n');
  } else if (m.parsed !== undefined && isForm(r)) {
    lines = Object.entries(m.parsed as Record<string, string>).map(([k, v]) => `${c.cyan(k)} = ${v}`);
  } else {
    lines = r.body.split(/\r?\n/);
    if (m.jsonError) lines.unshift(c.yellow(`body is not valid JSON (${m.jsonError}):`));
  }
  if (lines.length > maxLines) {
    const more = lines.length - maxLines;
    lines = [...lines.slice(0, maxLines), c.dim(`… ${more} more line${more === 1 ? '' : 's'} (the full body is in --json and --record)`)];
  }
  return lines.join('\n');
}

const isForm = (r: EventRecord) => /x-www-form-urlencoded/i.test(r.headers['content-type'] ?? '');

/** JSON.stringify(value, null, 2) with colours: keys cyan, strings green, numbers yellow. */
export function colorJson(value: unknown, c: Style, indent = ''): string {
  if (value === null) return c.dim('null');
  if (typeof value === 'string') return c.green(JSON.stringify(value));
  if (typeof value === 'number') return c.yellow(String(value));
  if (typeof value === 'boolean') return c.magenta(String(value));
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + colorJson(v, c, inner)).join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${inner}${c.cyan(JSON.stringify(k))}: ${colorJson(v, c, inner)}`).join(',\n')}\n${indent}}`;
  }
  return String(value);
}

/** A request that never became an event: one line. */
export function renderRejected(r: RejectedRecord, c: Style, o: PrettyOptions = {}): string {
  const where = r.method ? `${r.method} ${r.path}` : 'request';
  const line = `${clock(r.receivedAt, o.utc)}  #${r.seq}  ${where}  ${r.message}`;
  return r.reason === 'outside_path' ? c.dim(line) : c.yellow(line);
}

/** `3 events: 2 valid, 1 invalid, 1 duplicate` plus whatever else is non-zero. */
export function renderSummary(s: ListenerStats): string {
  const n = (k: number, one: string, many = `${one}s`) => `${k} ${k === 1 ? one : many}`;
  const parts = [`${n(s.events, 'event')}: ${s.valid} valid`, `${s.invalid} invalid`];
  if (s.unverified) parts.push(`${s.unverified} not verified`);
  parts.push(n(s.duplicates, 'duplicate'));
  if (s.filtered) parts.push(`${s.filtered} filtered`);
  if (s.forwarded) parts.push(`${s.forwarded} forwarded`);
  if (s.forwardFailed) parts.push(`${s.forwardFailed} failed to forward`);
  if (s.rejected) parts.push(n(s.rejected, 'rejected request'));
  return `whk: ${parts.join(', ')}`;
}

/** The spinner's text between events. */
export function waitingText(s: ListenerStats): string {
  return s.events === 0 ? 'waiting for events' : `waiting for events (${s.events} so far${s.invalid ? `, ${s.invalid} invalid` : ''})`;
}

const formatMs = (ms: number) => (ms < 1000 ? `${ms}ms` : `${+(ms / 1000).toFixed(1)}s`);

const oneLine = (s: string, max: number) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
};
