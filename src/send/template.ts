import type { SampleContext } from '../schemes/samples.js';

/**
 * Load mode signs thousands of events; building each body with JSON.stringify from a fresh object
 * tree costs more than signing it. A sample is therefore run once with marker values in its
 * context, and its output split into literal parts and slots: each delivery is then a handful of
 * string concatenations. A sample that transforms its context (slices an id, does arithmetic on
 * a timestamp) cannot be templated: the compiled renderer is checked against the sample itself
 * and, when they differ, the sample is simply called every time.
 */

type Key = 'id' | 'delivery' | 'created' | 'now' | 'nowMs' | 'createdUnix';
interface Slot {
  key: Key;
  /** A numeric field written bare: `"<marker>"` (quotes included) becomes the number. */
  bare: boolean;
  /** Quote characters swallowed by the match and to be written back. */
  before: string;
  after: string;
}

const M = '\u0001';
const NUMERIC: Key[] = ['now', 'nowMs', 'createdUnix'];
const STRING: Key[] = ['id', 'delivery', 'created'];

const markerContext = (url: string): SampleContext => {
  const ctx: Record<string, unknown> = { attempt: 1, url };
  for (const k of STRING) ctx[k] = `${M}${k}${M}`;
  for (const k of NUMERIC) ctx[k] = `${M}#${k}${M}`;
  return ctx as unknown as SampleContext;
};

// A marker as JSON.stringify escapes it (\u0001) or raw (header values, other formats).
const MARKER = /("?)(?:\\u0001|\u0001)(#?)(\w+)(?:\\u0001|\u0001)("?)/g;

export type Render = (ctx: SampleContext) => string;

function split(text: string): { parts: string[]; slots: Slot[] } | undefined {
  const parts: string[] = [];
  const slots: Slot[] = [];
  let last = 0;
  for (const m of text.matchAll(MARKER)) {
    const [all, q1 = '', hash, key, q2 = ''] = m;
    const k = key as Key;
    if (![...NUMERIC, ...STRING].includes(k) || (hash === '#') !== NUMERIC.includes(k)) return undefined;
    parts.push(text.slice(last, m.index));
    const bare = hash === '#' && q1 === '"' && q2 === '"';
    slots.push({ key: k, bare, before: bare ? '' : q1, after: bare ? '' : q2 });
    last = m.index! + all.length;
  }
  parts.push(text.slice(last));
  if (parts.some((p) => p.includes(M) || p.includes('\\u0001'))) return undefined;
  return { parts, slots };
}

function renderer(parts: string[], slots: Slot[]): Render {
  if (slots.length === 0) {
    const constant = parts[0]!;
    return () => constant;
  }
  return (ctx) => {
    let s = parts[0]!;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      s += slot.before + ctx[slot.key] + slot.after + parts[i + 1]!;
    }
    return s;
  };
}

/**
 * A renderer equivalent to `f` for first deliveries (attempt 1) to `url`: the compiled template
 * when it reproduces `f` exactly on the probe contexts, `f` itself otherwise.
 */
export function compile(f: Render, url: string, probes: SampleContext[]): { render: Render; compiled: boolean } {
  let text: string;
  try {
    text = f(markerContext(url));
  } catch {
    return { render: f, compiled: false };
  }
  const t = split(text);
  if (!t) return { render: f, compiled: false };
  const render = renderer(t.parts, t.slots);
  const same = probes.every((p) => {
    try {
      return render(p) === f(p);
    } catch {
      return false;
    }
  });
  return same ? { render, compiled: true } : { render: f, compiled: false };
}
