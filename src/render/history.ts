import type { EventMessage } from '../listen/events.js';
import type { HistoryEntry, SessionLine } from '../history/store.js';
import { parseJsonBody } from '../schemes/fields.js';
import type { Verdict } from '../schemes/types.js';
import { recordBody } from '../record.js';
import { termSafeLine } from './safe.js';
import type { Style } from './style.js';

/**
 * `whk history`: one line per stored delivery, its reference first (`<session>:<seq>`, what
 * `whk history show` takes), then time, method and path, scheme, event type, verdict, status.
 * Pure: the time is shown in UTC when asked (tests), local otherwise.
 *
 *   20250101T120000123Z-4242:3  2025-01-01 12:00:05  POST /hooks  dfns  wallet.created  ✓ valid  → 200
 */
export function renderHistoryLine(e: HistoryEntry, c: Style, o: { utc?: boolean } = {}): string {
  const status = e.response?.status ?? 0;
  const verdict = e.filtered ? 'filtered' : e.verdict === null ? c.yellow('· not verified') : e.verdict.valid ? c.green('✓ valid') : c.red(`✗ ${termSafeLine(String(e.verdict.reason))}`);
  return [
    c.bold(`${termSafeLine(e.session)}:${e.seq}`),
    c.dim(dateTime(e.receivedAt, o.utc)),
    termSafeLine(`${e.method} ${e.path}`),
    e.scheme === null ? '-' : termSafeLine(e.scheme),
    e.eventType === null ? '-' : c.cyan(termSafeLine(e.eventType)),
    verdict,
    status === 0 ? c.red('dropped') : (status < 300 ? c.green : status < 500 ? c.yellow : c.red)(`→ ${status}`),
    ...(e.duplicate ? [c.magenta(`dup of #${e.duplicateOf}`)] : []),
  ].join('  ');
}

function dateTime(iso: string, utc?: boolean): string {
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  const [y, mo, da, h, mi, s] = utc
    ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
  return `${y}-${two(mo)}-${two(da)} ${two(h)}:${two(mi)}:${two(s)}`;
}

/**
 * A stored delivery as the listener's renderer wants it (src/render/event.ts renderEvent): the
 * body parsed as the listener parsed it, the verdict, and the forward target from the session line.
 */
export function storedMessage(e: HistoryEntry, session: SessionLine | undefined): EventMessage {
  const m: EventMessage = { kind: 'event', record: e, verdict: e.verdict as unknown as Verdict | null };
  if (e.bodyEncoding === 'utf8' && e.body !== '') {
    if (/^\s*[[{]/.test(e.body.slice(0, 64))) {
      const json = parseJsonBody(recordBody(e));
      if (json) m.parsed = json.value;
      else m.jsonError = 'not valid JSON';
    } else if (/x-www-form-urlencoded/i.test(e.headers['content-type'] ?? '')) {
      m.parsed = Object.fromEntries(new URLSearchParams(e.body));
    }
  }
  const f = e.forward;
  if (f) {
    const url = session?.forwardTo ?? '--forward-to';
    m.forward = 'error' in f ? { url, status: 0, ms: f.ms, error: f.error } : { url, status: f.status, ms: f.ms };
  }
  return m;
}
