import type { Summary } from '../deliveries.js';
import { h } from './dom.js';
import { dayOf, ref, sessionLabel, when } from './labels.js';

/**
 * The list's columns: one table makes the header and every row. Each is as wide as the longest
 * value seen so far (in ch of the list's monospace font, within bounds), not wider: event types
 * and verdicts keep that width however narrow the window, the others give way first (down to a
 * few characters, the rest in the cell's tooltip and the detail), and what is left of a wide
 * window stays empty at the right rather than padding a path column.
 */

/** Widths in characters, of the longest value seen. */
type Widths = Record<'seq' | 'request' | 'provider' | 'event' | 'verdict' | 'marks' | 'forward', number>;

export interface View {
  /** The list spans days: times carry their date. */
  days: boolean;
  /** It holds several sessions: each row says which. */
  sessions: boolean;
  /** Something was forwarded: the forward column is shown. */
  forwards: boolean;
  /** The listener's own session ("this run"). */
  live: string | null;
  widths: Widths;
}

export interface Column {
  title: string;
  /** Its grid track. */
  width(v: View): string;
  cell(s: Summary, v: View): HTMLElement;
  shown?(v: View): boolean;
}

const text = (value: string, cls = '') => h('span', cls ? { class: cls, title: value } : { title: value }, value);
const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));
/** A column that gives way: from `min` characters up to its longest value. */
const giving = (min: number, longest: number, lo: number, hi: number) => `minmax(${min}ch, ${clamp(longest, lo, hi)}ch)`;

export const COLUMNS: Column[] = [
  { title: '#', width: (v) => `${clamp(v.widths.seq, 3, 9)}ch`, cell: (s) => text(ref(s)) },
  { title: 'time', width: (v) => (v.days ? '15ch' : '8ch'), cell: (s, v) => text(when(s.at, v.days)) },
  { title: 'session', width: () => 'minmax(6ch, 12ch)', cell: (s, v) => text(sessionLabel(s.session, v.live), 'dim'), shown: (v) => v.sessions },
  { title: 'request', width: (v) => giving(6, v.widths.request, 7, 40), cell: (s) => text(`${s.method} ${s.path}`) },
  { title: 'provider', width: (v) => giving(6, v.widths.provider, 8, 18), cell: (s) => text(s.provider ?? '?') },
  { title: 'event type', width: (v) => `${clamp(v.widths.event, 10, 32)}ch`, cell: (s) => text(s.eventType ?? '') },
  { title: 'verdict', width: (v) => `${clamp(v.widths.verdict, 7, 22)}ch`, cell: (s) => verdictCell(s) },
  { title: 'status', width: () => '6ch', cell: (s) => statusCell(s.replay ? (s.replay.status ?? 0) : s.status) },
  { title: 'marks', width: (v) => giving(5, v.widths.marks, 5, 16), cell: (s) => text(marks(s), 'dim') },
  { title: 'forward', width: (v) => giving(7, v.widths.forward, 7, 30), cell: (s) => text(s.forward ?? '', s.forward?.startsWith('failed') ? 'bad' : 'dim'), shown: (v) => v.forwards },
];

export function verdictText(s: Summary): string {
  if (s.replay) return 'replay';
  if (s.verdict === 'valid') return '✓ valid';
  if (s.verdict === 'unverified') return '· not verified';
  return `✗ ${s.verdict}`;
}

function verdictCell(s: Summary): HTMLElement {
  return text(verdictText(s), s.replay || s.verdict === 'unverified' ? 'dim' : s.verdict === 'valid' ? 'ok' : 'bad');
}

function statusCell(status: number): HTMLElement {
  return text(status === 0 ? 'drop' : String(status), status === 0 || status >= 500 ? 'bad' : status >= 400 ? 'warn' : 'ok');
}

/** Duplicate, filtered, replay: a replay's number is the one it replays. */
function marks(s: Summary): string {
  if (s.replay) return `↻ of #${s.seq}`;
  return [s.duplicateOf !== null ? `dup of #${s.duplicateOf}` : '', s.filtered ? 'filtered' : ''].filter(Boolean).join(' ');
}

/** Follows what the list holds, for its columns: `take` says when they must change. */
export class Fit {
  readonly view: View = { days: false, sessions: false, forwards: false, live: null, widths: { seq: 0, request: 0, provider: 0, event: 0, verdict: 0, marks: 0, forward: 0 } };
  private firstDay: string | null = null;
  private firstSession: string | null | undefined;

  /** Notes one delivery; true when the columns must change for it. */
  take(s: Summary): boolean {
    const v = this.view;
    const before = JSON.stringify(v);
    const day = dayOf(s.at);
    this.firstDay ??= day;
    if (this.firstSession === undefined) this.firstSession = s.session;
    v.days ||= day !== this.firstDay;
    v.sessions ||= s.session !== this.firstSession;
    v.forwards ||= s.forward !== null;
    // (+1 for ✓, ✗ and ↻, which some fonts draw wider than a character)
    const seen: Widths = {
      seq: ref(s).length + (s.replay ? 1 : 0), request: s.method.length + 1 + s.path.length, provider: (s.provider ?? '?').length,
      event: (s.eventType ?? '').length, verdict: verdictText(s).length + 1, marks: marks(s).length + (s.replay ? 1 : 0), forward: (s.forward ?? '').length,
    };
    for (const k of Object.keys(seen) as Array<keyof Widths>) v.widths[k] = Math.max(v.widths[k], seen[k]);
    return JSON.stringify(v) !== before;
  }

  /** The listener's own session, once the page knows it. */
  setLive(session: string | null): void {
    this.view.live = session;
  }
}
