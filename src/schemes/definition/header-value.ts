/**
 * The signature header's value: its form, read from the definition's "value" and "separator"
 * (one signature with a prefix, or a list of label=value entries), parsed from a delivery and
 * written when signing.
 */
import type { Definition } from './schema.js';
import type { Token } from './template.js';
import { bad, quote } from './words.js';

type Placeholder = 'signature' | 'timestamp' | 'id';

export interface Plain {
  kind: 'plain';
  prefix: string;
  suffix: string;
}

/**
 * Entries separated by `sep`, each `label kv value` (kv '' : bare signatures); any order,
 * signatures may repeat, unknown labels are ignored. `group`: a second separator between whole
 * groups shaped like the value (one per signature).
 */
export interface List {
  kind: 'list';
  sep: string;
  kv: string;
  labels: { signature: string; timestamp?: string; id?: string };
  order: Placeholder[];
  group?: string;
}

export type Format = Plain | List;

const KV = ['=', ',', ':'];
const LIST_SEPARATORS = [',', ';', ' ', '&'];
const LABEL = /^[A-Za-z0-9_.-]+$/;

/** The form of "value" (its tokens, its text) with "separator"; a usage error naming `source` when it has none. */
export function valueFormat(tokens: Token[], text: string, separator: Definition['separator'], source: string): Format {
  const phs = tokens.filter((t): t is { ph: string } => 'ph' in t);
  const lit = (t: Token | undefined) => (t && 'lit' in t ? t.lit : '');
  if (phs.length === 1 && separator === undefined) {
    const i = tokens.findIndex((t) => 'ph' in t);
    return { kind: 'plain', prefix: lit(tokens[i - 1]), suffix: lit(tokens[i + 1]) };
  }
  // A bare "{signature}" with a separator: entries are the signatures themselves.
  if (tokens.length === 1 && 'ph' in tokens[0]! && separator !== undefined) return { kind: 'list', sep: separator, kv: '', labels: { signature: '' }, order: ['signature'] };
  const notList = () => bad(source, `"value": ${quote(text)} is neither one signature ("sha256={signature}") nor a list of label=value entries ("t={timestamp},v1={signature}")`);
  const list = labelledList(tokens, text, source, notList);
  const sep = list.sep ?? separator;
  if (sep === undefined || sep === list.kv) throw notList();
  // A "separator" other than the value's own separates groups, each shaped like the value.
  const group = separator !== undefined && separator !== sep ? separator : undefined;
  if (group !== undefined && group === list.kv) throw bad(source, `"separator": ${quote(separator)} is the "${list.kv}" between the labels and values of "value"`);
  return { kind: 'list', sep, kv: list.kv, labels: list.labels, order: list.order, ...(group ? { group } : {}) };
}

/** label kv {ph} sep label kv {ph} ...: literals and placeholders alternate, no text after the last. */
function labelledList(tokens: Token[], text: string, source: string, notList: () => Error): Omit<List, 'kind' | 'sep'> & { sep?: string } {
  const labels: Record<string, string> = {};
  const order: Placeholder[] = [];
  let kv: string | undefined;
  let sep: string | undefined;
  let label: string | undefined;
  for (const t of tokens) {
    if ('ph' in t) {
      if (label === undefined) throw notList();
      if (Object.values(labels).includes(label)) throw bad(source, `"value": ${quote(text)} uses the label "${label}" twice`);
      labels[t.ph] = label;
      order.push(t.ph as Placeholder);
      label = undefined;
      continue;
    }
    if (label !== undefined) throw notList();
    let s = t.lit;
    if (order.length > 0) {
      sep ??= s[0];
      if (s[0] !== sep || !LIST_SEPARATORS.includes(sep!)) throw notList();
      s = s.slice(1);
    }
    const k = s[s.length - 1];
    if (k === undefined || !KV.includes(k) || (kv !== undefined && k !== kv)) throw notList();
    kv = k;
    label = s.slice(0, -1);
    if (!LABEL.test(label)) throw notList();
  }
  if (label !== undefined) throw notList();
  return { kv: kv!, labels: labels as List['labels'], order, ...(sep === undefined ? {} : { sep }) };
}

/** How a list value repeats, for `whk schemes`: ", space-separated list; v1 may repeat". */
export function listReadable(list: List | undefined, separator: string | undefined): string {
  if (!list) return '';
  if (list.group !== undefined) return `, one group per signature, groups separated by ${list.group === ' ' ? 'spaces' : `"${list.group}"`}`;
  return (list.sep === ' ' ? ', space-separated list' : '') + (list.order.length > 1 || separator ? `; ${list.labels.signature || 'signatures'} may repeat` : '');
}

/** What a delivery's signature header holds: the signatures (as presented), and the timestamp and id a list carries. */
export interface Parsed {
  sigs: string[];
  ts?: string;
  id?: string;
}

/** The value of a plain form: its one signature, or a sentence saying it is not of that form. */
export function parsePlain(plain: Plain, value: string, header: string, readableValue: string): Parsed | string {
  const v = value.trim();
  if (v.length <= plain.prefix.length + plain.suffix.length || !v.startsWith(plain.prefix) || !v.endsWith(plain.suffix)) return `${header} is not "${readableValue}"`;
  return { sigs: [v.slice(plain.prefix.length, v.length - plain.suffix.length)] };
}

const isSpace = (c: number) => c === 0x20 || c === 0x09;

/** The index of the next space or tab at or after `from`, -1 if none. */
function nextSpace(s: string, from: number): number {
  for (let i = from; i < s.length; i++) if (isSpace(s.charCodeAt(i))) return i;
  return -1;
}

/** Where the list entry starting at `from` ends: the next `sep` (any space for " ") or `group`, -1 if none. */
function nextBoundary(s: string, from: number, sep: string, group: string | undefined): number {
  const at = (c: string) => (c === ' ' ? nextSpace(s, from) : s.indexOf(c, from));
  const a = at(sep);
  if (group === undefined) return a;
  const b = at(group);
  return a === -1 ? b : b === -1 ? a : Math.min(a, b);
}

/**
 * The entries of a list form. One scan, no intermediate arrays (the hot path of every list-form
 * verify): entries split at the separator (any whitespace run for " "), each trimmed, its label
 * compared in place. Unknown labels are skipped.
 */
export function parseList(f: List, value: string): Parsed {
  // Labels ("" where there is none: no entry has an empty label).
  const sigLabel = f.labels.signature;
  const tsLabel = f.labels.timestamp ?? '';
  const idLabel = f.labels.id ?? '';
  const out: Parsed = { sigs: [] };
  const n = value.length;
  let i = 0;
  while (i < n) {
    let end = nextBoundary(value, i, f.sep, f.group);
    if (end === -1) end = n;
    let a = i;
    let z = end;
    while (a < z && isSpace(value.charCodeAt(a))) a++;
    while (z > a && isSpace(value.charCodeAt(z - 1))) z--;
    i = end + 1;
    if (a === z) continue;
    if (f.kv === '') {
      out.sigs.push(value.slice(a, z));
      continue;
    }
    const k = value.indexOf(f.kv, a);
    if (k <= a || k >= z - 1) continue;
    let le = k;
    while (le > a && isSpace(value.charCodeAt(le - 1))) le--;
    let vs = k + 1;
    while (vs < z && isSpace(value.charCodeAt(vs))) vs++;
    if (vs === z) continue;
    const len = le - a;
    if (len === sigLabel.length && value.startsWith(sigLabel, a)) out.sigs.push(value.slice(vs, z));
    else if (out.ts === undefined && len === tsLabel.length && value.startsWith(tsLabel, a)) out.ts = value.slice(vs, z);
    else if (out.id === undefined && len === idLabel.length && value.startsWith(idLabel, a)) out.id = value.slice(vs, z);
  }
  return out;
}

/** A list value with `sigs`: every signature in one list, or (groups) the whole value once per signature. */
export function writeList(f: List, sigs: string[], t: string | undefined, id: string | undefined): string {
  const entries = (signed: string[]) => f.order
    .map((what) => (what === 'signature' ? signed.map((s) => f.labels.signature + f.kv + s).join(f.sep) : f.labels[what] + f.kv + (what === 'timestamp' ? t : id)))
    .join(f.sep);
  return f.group === undefined ? entries(sigs) : sigs.map((s) => entries([s])).join(f.group);
}
