import { usage } from '../errors.js';

/** Which statuses count as success: `2xx`, `200`, `4xx`, `200,201,4xx`, `200-299`. */
export interface Expect {
  text: string;
  matches(status: number): boolean;
}

/** Parses an --expect list; a usage error (exit 2) naming the bad part otherwise. */
export function parseExpect(text: string, flag = '--expect'): Expect {
  const tests: Array<(s: number) => boolean> = [];
  const parts = text.split(',').map((p) => p.trim());
  for (const part of parts) {
    let m: RegExpExecArray | null;
    if ((m = /^([1-5])xx$/i.exec(part))) {
      const c = Number(m[1]);
      tests.push((s) => Math.floor(s / 100) === c);
    } else if (/^[1-5]\d\d$/.test(part)) {
      const n = Number(part);
      tests.push((s) => s === n);
    } else if ((m = /^([1-5]\d\d)-([1-5]\d\d)$/.exec(part)) && Number(m[1]) <= Number(m[2])) {
      const [lo, hi] = [Number(m[1]), Number(m[2])];
      tests.push((s) => s >= lo && s <= hi);
    } else {
      throw usage('bad_expect', `${flag} "${text}"${parts.length > 1 ? `: "${part}"` : ''} is not a status: use e.g. 2xx, 200, 4xx, 200-299 or 200,201,4xx`);
    }
  }
  const normalized = parts.map((p) => p.toLowerCase()).join(',');
  return { text: normalized, matches: (s) => tests.some((t) => t(s)) };
}
