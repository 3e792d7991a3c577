/**
 * How the page names things, the same everywhere: a delivery by the number the listener printed
 * for it (`#seq`, as in the terminal and `whk history`), a replay made from the page by the one
 * it replays (`↻ #seq`), a session by when it started ("this run" for the listener's own), a time
 * with its date when the list spans days. Pure, but for the local time zone.
 */
import type { Summary } from '../deliveries.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** `#12`, or `↻ #12` for a replay of #12. */
export const ref = (s: Pick<Summary, 'seq' | 'replay'>): string => `${s.replay ? '↻ ' : ''}#${s.seq}`;

/** A session's start, from its id (`20250101T120000123Z-4242`, history's names); null when the id is not one. */
export function sessionStart(id: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-\d+$/.exec(id);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, ms] = m.map(Number) as number[];
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms!));
}

/** "this run" for the listener's own session, else when it started: "Mar 3 14:02" (local time). */
export function sessionLabel(id: string | null, live: string | null | undefined): string {
  if (id === null) return '';
  if (id === live) return 'this run';
  const at = sessionStart(id);
  return at ? `${MONTHS[at.getMonth()]} ${at.getDate()} ${two(at.getHours())}:${two(at.getMinutes())}` : id;
}

/** "14:02:11", or "Mar 3 14:02:11" when the list spans days. */
export function when(iso: string, withDate: boolean): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return withDate ? `${MONTHS[d.getMonth()]} ${d.getDate()} ${time}` : time;
}

/** The local day of a time, to tell when a list spans days. */
export const dayOf = (iso: string): string => new Date(iso).toDateString();
