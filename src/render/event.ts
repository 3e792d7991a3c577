/**
 * Renderers for `whk listen`: typed listener events in, text out. Pure: they read no clock,
 * write nothing, and get colours through the Style they are given (src/render/style.ts).
 */
import type { DeliveryRecord, EventMessage, ListenerStats, ReadyInfo, RejectedRecord } from '../listen/events.js';
import type { EventRecord, ReadyRecord } from '../record.js';
import { termSafe, termSafeJson, termSafeLine } from './safe.js';
import type { Style } from './style.js';
import { renderVerdict } from './verdict.js';

// ---------------------------------------------------------------------------------------------
// NDJSON

// JSON.stringify escapes C0 controls (ESC among them) but writes DEL, C1 controls (0x9b is a CSI
// to some terminals) and bidirectional overrides raw: those are written as \uXXXX too, which
// parses back to the very same record (lossless), and a `tail -f` of the NDJSON stays harmless.

/** One NDJSON line (with its newline): the record exactly as `whk replay` reads it. */
export const eventJsonLine = (record: EventRecord): string => `${termSafeJson(JSON.stringify(record))}\n`;

export const rejectedJsonLine = (record: RejectedRecord): string => `${termSafeJson(JSON.stringify(record))}\n`;

export const readyJsonLine = (url: string, publicUrl: string | null, inspectUrl: string | null, pid: number): string =>
  `${termSafeJson(JSON.stringify({ type: 'ready', url, publicUrl, inspectUrl, pid } satisfies ReadyRecord))}\n`;

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


/**
 * Text from the network or from files reaches the terminal through termSafe / termSafeLine
 * (src/render/safe.ts), applied where each piece is put into a line: never to a finished block,
 * whose colours are escape sequences too. NDJSON is never altered that way: it only gets
 * termSafeJson (above), which changes how the JSON is written, never what it says.
 */

/**
 * The lines printed to stderr once listening. The first is exactly `whk listening on <url>`,
 * for scripts to wait on; the public URL (tunnel) follows on its own line.
 */
export function renderReady(r: ReadyInfo, c: Style): string {
  const lines = [`whk listening on ${r.url}`];
  // The public URL comes from the tunnel's service: foreign text.
  if (r.publicUrl) lines.push(`public URL: ${termSafeLine(r.publicUrl)}  ${c.dim('(paste it into the provider\'s webhook settings)')}`);
  if (r.inspectUrl) lines.push(`whk inspector on ${r.inspectUrl}`);
  for (const m of r.mounts ?? []) lines.push(`  ${termSafeLine(m.path)} → ${termSafeLine(m.scheme)} ${m.secrets > 0 ? c.dim(`(${m.secrets} secret${m.secrets > 1 ? 's' : ''})`) : c.yellow('(no secret: not verified)')}`);
  for (const route of r.routes ?? []) lines.push(c.dim(`  route ${termSafeLine(route)}`));
  const what: string[] = [];
  if (r.secrets > 0 && !r.mounts) what.push(`verifying ${r.scheme === 'auto' ? 'with the scheme detected from the headers' : `as ${r.scheme}`} (${r.secrets} secret${r.secrets > 1 ? 's' : ''})`);
  if (r.queue) what.push('queueing: answered at once, delivered with retries (whk queue)');
  if (r.forwardTo) what.push(`forwarding to ${termSafeLine(r.forwardTo)}`);
  if (r.events) what.push(`only ${termSafeLine(r.events.join(', '))}`);
  if (r.record) what.push(`recording to ${termSafeLine(r.record)}`);
  if (r.expect !== undefined) what.push(`expecting ${r.expect} valid event${r.expect === 1 ? '' : 's'}`);
  if (r.injections?.length) what.push(`injecting ${r.injections.join(', ')}`);
  if (what.length) lines.push(c.dim(what.join(' · ')));
  if (r.secrets === 0 && !r.mounts) lines.push(c.yellow('no secret: events are shown but not verified (pass --secret, --secret-file or set WHK_SECRET)'));
  if (!/^(127\.|localhost$|\[?::1\]?$)/.test(r.host)) lines.push(c.yellow(`listening on ${r.host}: other machines on your network can post to it`));
  return lines.join('\n');
}

const statusColor = (status: number, c: Style) => (status === 0 ? c.red : status < 300 ? c.green : status < 500 ? c.yellow : c.red);

export function clock(iso: string, utc: boolean | undefined): string {
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
  // Method, path, event type and id come from the request; the scheme name may come from a file.
  const head = [
    clock(r.receivedAt, o.utc),
    `#${r.seq}`,
    termSafeLine(`${r.method} ${r.path}`),
    r.scheme === null ? 'unknown scheme' : termSafeLine(r.scheme),
    ...(r.eventType ? [termSafeLine(r.eventType)] : []),
    ...(r.eventId ? [`[${termSafeLine(r.eventId)}]`] : []),
  ];
  if (r.tunnelCheck) return c.dim(`${head.slice(0, 3).join('  ')}  whk's tunnel self-check  ${answer}  (not forwarded, not counted)`);
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
  if (r.retryOf) notes.push(`retry of ${termSafeLine(r.retryOf)}`);
  if (notes.length) lines.push(`  ${notes.join(c.dim(' · '))}`);
  if (r.handshake) lines.push(`  ${c.cyan('answered')} ${termSafeLine(r.handshake)}`);
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
  const where = gatewayLine(r);
  if (where) lines.push(`  ${c.dim(where)}`);
  if (r.forwards && (r.forwards.length > 1 || r.queued)) {
    for (const f of r.forwards) lines.push(`  ${f.state === 'queued' ? c.cyan('queued for') : 'forwarded to'} ${termSafeLine(f.url)}${f.status === undefined ? '' : ` ${statusColor(f.status, c)(`→ ${f.status}`)}`}${f.error ? ` ${c.red(termSafeLine(f.error))}` : ''}`);
  } else if (m.forward) {
    const f = m.forward;
    if (f.error) {
      lines.push(`  ${c.red(termSafeLine(f.error))}`);
    } else {
      lines.push(`  forwarded to ${termSafeLine(f.url)} ${statusColor(f.status, c)(`→ ${f.status}`)} in ${f.ms} ms`);
      if (f.status >= 400 && f.body) lines.push(`  ${c.dim('your app answered:')} ${termSafeLine(oneLine(f.body, 200))}`);
    }
  }

  // Cut first, then escaped: an escape is never cut in half.
  const maxValue = o.maxHeaderValue ?? 160;
  for (const [k, v] of Object.entries(r.headers)) {
    lines.push(c.dim(`  ${termSafeLine(k)}: ${termSafeLine(v.length > maxValue ? v.slice(0, maxValue) : v)}${v.length > maxValue ? '…' : ''}`));
  }
  lines.push(indent(renderBody(m, c, o.maxBodyLines ?? 60)));
  return lines.join('\n');
}

/** `mount /stripe · route stripe:invoice.*`: where a gateway put the event (nothing without mounts or routes). */
function gatewayLine(r: EventRecord): string | undefined {
  const parts: string[] = [];
  if (r.mount) parts.push(`mount ${termSafeLine(r.mount)}`);
  if (r.route !== undefined) parts.push(r.route === null ? 'no route' : `route ${termSafeLine(r.route)}`);
  if (r.queued) parts.push(`queue ${r.queued}`);
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

/** Arrays and objects nested deeper than this: a JSON body is shown as text (no webhook nests so deep; the walks stay bounded). */
export const MAX_JSON_DEPTH = 128;
/** Text lines longer than this are cut (a body on one line, a JSON body shown as text). */
export const MAX_LINE_CHARS = 2000;

/**
 * The body: JSON pretty-printed and coloured, form parameters, text as text, binary as hex. At
 * most `maxLines` lines are built, whatever the size of the body; JSON nested too deep to
 * pretty-print is shown as text, with a note.
 */
export function renderBody(m: Pick<EventMessage, 'record' | 'parsed' | 'jsonError'>, c: Style, maxLines = 60): string {
  const r = m.record;
  if (r.body === '') return c.dim('(empty body)');
  if (r.bodyEncoding === 'base64') {
    const bytes = Buffer.from(r.body, 'base64');
    const hex = [...bytes.subarray(0, 32)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    return `${c.dim(`binary body, ${bytes.length} bytes:`)} ${hex}${bytes.length > 32 ? ' …' : ''}`;
  }
  let lines: string[] | undefined;
  let total = 0;
  let note: string | undefined;
  if (m.parsed !== undefined && m.jsonError === undefined && !isForm(r)) {
    try {
      const shape = measureJson(m.parsed, MAX_JSON_DEPTH);
      if (shape.tooDeep) {
        note = `JSON too deeply nested to pretty-print (over ${MAX_JSON_DEPTH} levels): shown as text`;
      } else {
        lines = jsonLines(m.parsed, c, maxLines);
        total = shape.lines;
      }
    } catch (e) {
      // Not expected (the walks are bounded), but a body must never stop the event from showing.
      lines = undefined;
      note = `JSON too large to pretty-print (${(e as Error).message}): shown as text`;
    }
  } else if (m.parsed !== undefined && isForm(r)) {
    const entries = Object.entries(m.parsed as Record<string, string>);
    lines = entries.slice(0, maxLines).map(([k, v]) => `${c.cyan(termSafeLine(k))} = ${cut(v, termSafeLine, c)}`);
    total = entries.length;
  } else if (m.jsonError) {
    note = `body is not valid JSON (${termSafeLine(m.jsonError)}):`;
  }
  if (lines === undefined) {
    const text = r.body.split(/\r?\n/);
    lines = text.slice(0, maxLines).map((l) => cut(l, termSafe, c));
    total = text.length;
  }
  if (total > maxLines) {
    const more = total - maxLines;
    lines.push(c.dim(`… ${more} more line${more === 1 ? '' : 's'} (the full body is in --json and --record)`));
  }
  if (note) lines.unshift(c.yellow(note));
  if (r.bodyTruncated) lines.push(c.dim(`(refused: only the first ${formatSize(r.bodyTruncated.kept)} of ${formatSize(r.bodyTruncated.bytes)} were kept)`));
  return lines.join('\n');
}

const formatSize = (n: number) => (n >= 1024 * 1024 ? `${+(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${+(n / 1024).toFixed(1)} KB` : `${n} bytes`);

/** A line of text, terminal-safe, cut at MAX_LINE_CHARS (before escaping: never half an escape). */
const cut = (line: string, safe: (s: string) => string, c: Style) =>
  line.length > MAX_LINE_CHARS ? `${safe(line.slice(0, MAX_LINE_CHARS))}${c.dim(`… (${line.length - MAX_LINE_CHARS} more characters)`)}` : safe(line);

const isForm = (r: EventRecord) => /x-www-form-urlencoded/i.test(r.headers['content-type'] ?? '');

/**
 * How many lines JSON.stringify(value, null, 2) has, and how many arrays and objects deep it
 * nests (`[[1]]`: 2), stopping once deeper than `maxDepth`. Builds no text. Iterative: any
 * depth, no stack.
 */
export function measureJson(value: unknown, maxDepth: number): { lines: number; depth: number; tooDeep: boolean } {
  let lines = 0;
  let depth = 0;
  // Each value with the number of containers around it.
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, around] = stack.pop()!;
    if (v === null || typeof v !== 'object') {
      lines += 1;
      continue;
    }
    const level = around + 1;
    if (level > depth) depth = level;
    if (depth > maxDepth) return { lines, depth, tooDeep: true };
    const children = Array.isArray(v) ? v : Object.values(v);
    if (children.length === 0) {
      lines += 1;
    } else {
      lines += 2;
      for (const child of children) stack.push([child, level]);
    }
  }
  return { lines, depth, tooDeep: false };
}

/**
 * The first `maxLines` lines of JSON.stringify(value, null, 2), coloured: keys cyan, strings green,
 * numbers yellow. Keys and strings are terminal-safe. Recursive: callers bound the depth first
 * (measureJson), and no more than `maxLines` lines are built.
 */
function jsonLines(value: unknown, c: Style, maxLines: number): string[] {
  const out: string[] = [];
  const walk = (v: unknown, head: string, tail: string, indent: string) => {
    if (v === null || typeof v !== 'object') {
      out.push(`${head}${scalar(v, c)}${tail}`);
      return;
    }
    const array = Array.isArray(v);
    const keys = array ? undefined : Object.keys(v);
    const n = array ? v.length : keys!.length;
    if (n === 0) {
      out.push(`${head}${array ? '[]' : '{}'}${tail}`);
      return;
    }
    out.push(`${head}${array ? '[' : '{'}`);
    const inner = `${indent}  `;
    for (let i = 0; i < n && out.length < maxLines; i++) {
      const comma = i < n - 1 ? ',' : '';
      if (array) walk(v[i], inner, comma, inner);
      else walk((v as Record<string, unknown>)[keys![i]!], `${inner}${c.cyan(termSafeJson(JSON.stringify(keys![i])))}: `, comma, inner);
    }
    if (out.length < maxLines) out.push(`${indent}${array ? ']' : '}'}${tail}`);
  };
  walk(value, '', '', '');
  return out.slice(0, maxLines);
}

const scalar = (v: unknown, c: Style) => {
  if (v === null) return c.dim('null');
  if (typeof v === 'string') return c.green(termSafeJson(JSON.stringify(v)));
  if (typeof v === 'number') return c.yellow(String(v));
  if (typeof v === 'boolean') return c.magenta(String(v));
  return termSafeLine(String(v));
};

/**
 * JSON.stringify(value, null, 2) with colours: keys cyan, strings green, numbers yellow.
 * Throws a RangeError beyond MAX_JSON_DEPTH levels instead of overflowing the stack.
 */
export function colorJson(value: unknown, c: Style): string {
  const shape = measureJson(value, MAX_JSON_DEPTH);
  if (shape.tooDeep) throw new RangeError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  return jsonLines(value, c, shape.lines).join('\n');
}

/** What the queue did with a delivery for a target: one line, under the event it belongs to. */
export function renderDelivery(r: DeliveryRecord, c: Style): string {
  const target = termSafeLine(r.target);
  const answer = r.status === undefined ? '' : ` → ${r.status}`;
  if (r.state === 'delivered') return c.green(`  ↳ #${r.seq} delivered to ${target}${answer} (attempt ${r.attempt}, ${r.ms ?? 0} ms)`);
  if (r.state === 'failed') return c.red(`  ↳ #${r.seq} not delivered to ${target}: ${termSafeLine(r.error ?? 'given up')} (kept: whk queue retry ${r.id})`);
  const why = r.error ? termSafeLine(r.error) : `answered ${r.status}`;
  return c.yellow(`  ↳ #${r.seq} to ${target}: ${why}; attempt ${r.attempt}, next at ${r.next ? clock(r.next, false) : '?'}`);
}

/** A request that never became an event: one line. */
export function renderRejected(r: RejectedRecord, c: Style, o: PrettyOptions = {}): string {
  const where = r.method ? termSafeLine(`${r.method} ${r.path}`) : 'request';
  // The message may quote the request (its path, a parser's complaint).
  const line = `${clock(r.receivedAt, o.utc)}  #${r.seq}  ${where}  ${termSafeLine(r.message)}`;
  return r.reason === 'outside_path' ? c.dim(line) : c.yellow(line);
}

/**
 * A line for stderr that is not about one request (a warning from the listener or the tunnel, a
 * forwarding error in --json mode): `whk: <message>`, the message terminal-safe.
 */
export const renderWarning = (message: string): string => `whk: ${termSafeLine(message)}`;

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
