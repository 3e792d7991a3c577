import { usage } from '../errors.js';

/** String fields `typeField` and `idField` of a parsed body, for a scheme's eventInfo. */
export function idAndType(json: unknown, typeField: string, idField: string): { type?: string; id?: string } {
  const o = (json ?? {}) as Record<string, unknown>;
  return {
    type: typeof o[typeField] === 'string' ? (o[typeField] as string) : undefined,
    id: typeof o[idField] === 'string' ? (o[idField] as string) : undefined,
  };
}

/** The bodies parsed last (a WeakMap cost as much per body as the parse itself). */
const recent: Array<{ body: Buffer; json: { value: unknown } | null } | undefined> = new Array(16).fill(undefined);
let nextSlot = 0;
/** Bodies above this are parsed each time they are asked for, never kept alive here. */
const KEEP_AT_MOST = 64 * 1024;

/**
 * The body parsed as JSON (`null` when it is not JSON), once per body while it is one of the 16
 * parsed last: the listener's describing step reuses what verifying parsed. Callers must not
 * change the value they get.
 */
export function parseJsonBody(body: Buffer): { value: unknown } | null {
  for (let i = 0; i < recent.length; i++) {
    const r = recent[i];
    if (r !== undefined && r.body === body) return r.json;
  }
  let json: { value: unknown } | null;
  try {
    json = { value: JSON.parse(body.toString('utf8')) };
  } catch {
    json = null;
  }
  if (body.length <= KEEP_AT_MOST) {
    recent[nextSlot] = { body, json };
    nextSlot = (nextSlot + 1) % recent.length;
  }
  return json;
}

/** A top-level numeric field of a JSON body (Dfns timestampSent, Linear webhookTimestamp). */
export function bodyNumber(body: Buffer, field: string): number | undefined {
  const v = (parseJsonBody(body)?.value as Record<string, unknown> | null | undefined)?.[field];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The URL a URL-signing scheme (square, twilio) needs; a usage error saying so otherwise. */
export function requireUrl(scheme: string, url: string | undefined, what: string): string {
  if (!url) throw usage('missing_url', `${scheme} signs ${what}: the URL it posts to is needed`);
  return url;
}

/** RFC 6901 reference tokens of a pointer ("/a/b~1c" -> ["a", "b/c"]). */
export function pointerTokens(pointer: string): string[] {
  return pointer.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The value at a pointer's tokens (own members and array indexes only), or undefined. */
export function at(value: unknown, tokens: string[]): unknown {
  let v = value;
  for (const t of tokens) {
    if (Array.isArray(v)) v = /^(0|[1-9]\d*)$/.test(t) ? v[Number(t)] : undefined;
    else if (typeof v === 'object' && v !== null && Object.prototype.hasOwnProperty.call(v, t)) v = (v as Record<string, unknown>)[t];
    else return undefined;
  }
  return v;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isSpace = (c: number | undefined) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/** Where the JSON string whose opening quote is at `open` closes (the index of its closing quote); `body.length` when it does not. */
function closingQuote(body: Buffer, open: number): number {
  let i = open + 1;
  for (; i < body.length && body[i] !== QUOTE; i++) if (body[i] === BACKSLASH) i++;
  return Math.min(i, body.length);
}

/**
 * Every top-level member `field` of a JSON object: where its key's opening quote and its value
 * start, as byte offsets. A scanner, so that a rewrite changes nothing else (spacing, order,
 * escapes, invalid UTF-8).
 */
export function topLevelMembers(body: Buffer, field: string): Array<{ key: number; value: number }> {
  const key = Buffer.from(JSON.stringify(field));
  const out: Array<{ key: number; value: number }> = [];
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === QUOTE) {
      const start = i;
      i = closingQuote(body, i);
      if (depth !== 1 || i - start + 1 !== key.length || !body.subarray(start, i + 1).equals(key)) continue;
      let j = i + 1;
      while (isSpace(body[j])) j++;
      if (body[j] !== 0x3a) continue; // a value equal to the key's text, not a key
      j++;
      while (isSpace(body[j])) j++;
      out.push({ key: start, value: j });
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return out;
}

/**
 * Where the JSON value starting at `start` ends (one past its last byte): a string at its closing
 * quote, an object or array at its closing bracket (strings and nesting respected), anything else
 * at the next comma, bracket or whitespace. `body.length` when the body ends first.
 */
export function valueEnd(body: Buffer, start: number): number {
  let depth = 0;
  for (let j = start; j < body.length; j++) {
    const b = body[j]!;
    if (b === QUOTE) {
      j = closingQuote(body, j);
      if (depth === 0) return Math.min(j + 1, body.length);
    } else if (b === 0x7b || b === 0x5b) depth++;
    else if (b === 0x7d || b === 0x5d) {
      if (depth === 0) return j;
      if (--depth === 0) return j + 1;
    } else if (depth === 0 && (b === 0x2c || isSpace(b))) return j;
  }
  return body.length;
}

/** [start, end) of the value of the first top-level member `field` of a JSON object; undefined when there is none. */
export function topLevelValue(body: Buffer, field: string): [number, number] | undefined {
  const m = topLevelMembers(body, field)[0];
  return m && [m.value, valueEnd(body, m.value)];
}

/**
 * The last top-level member `field` with a string value: its key's opening quote and the end of
 * the value. Undefined when there is none, or a value is not a string.
 */
function stringMember(body: Buffer, field: string): { key: number; end: number } | undefined {
  let found: { key: number; end: number } | undefined;
  for (const m of topLevelMembers(body, field)) {
    if (body[m.value] !== QUOTE) return undefined;
    const k = closingQuote(body, m.value);
    if (k >= body.length) return undefined;
    found = { key: m.key, end: k + 1 };
  }
  return found;
}

/**
 * A JSON object body with its top-level string member `field` set to `value` in place (added
 * before the closing brace when absent, in the body's own spacing), or removed when `value` is
 * undefined. Every other byte stays as it was. Undefined when the body is not a JSON object.
 */
export function setStringField(body: Buffer, field: string, value: string | undefined): Buffer | undefined {
  const open = body.indexOf(0x7b);
  const close = body.lastIndexOf(0x7d);
  if (open < 0 || close < open || body.subarray(0, open).some((c) => !isSpace(c))) return undefined;
  const at = stringMember(body, field);
  if (at) {
    const valueStart = body.indexOf(QUOTE, body.indexOf(0x3a, at.key + Buffer.byteLength(JSON.stringify(field))));
    if (value !== undefined) return Buffer.concat([body.subarray(0, valueStart), Buffer.from(JSON.stringify(value)), body.subarray(at.end)]);
    // Removed with one of its commas: the one after it, else the one before.
    let to = at.end;
    while (isSpace(body[to])) to++;
    if (body[to] === 0x2c) return Buffer.concat([body.subarray(0, at.key), body.subarray(to + 1).subarray(countSpaces(body, to + 1))]);
    let from = at.key;
    while (from > 0 && isSpace(body[from - 1])) from--;
    if (body[from - 1] === 0x2c) from--;
    return Buffer.concat([body.subarray(0, from), body.subarray(at.end)]);
  }
  if (value === undefined) return body;
  let last = close - 1;
  while (last > open && isSpace(body[last])) last--;
  const text = body.toString('latin1', open, close);
  const colon = text.includes('" : ') ? ' : ' : text.includes('": ') ? ': ' : ':';
  const indent = /\n([ \t]+)"/.exec(text)?.[1];
  const member = `${JSON.stringify(field)}${colon}${JSON.stringify(value)}`;
  const sep = indent !== undefined ? `\n${indent}` : colon === ':' ? '' : ' ';
  const insert = last === open ? `${sep}${member}` : `,${sep}${member}`;
  return Buffer.concat([body.subarray(0, last + 1), Buffer.from(insert), body.subarray(last + 1)]);
}

function countSpaces(body: Buffer, from: number): number {
  let n = 0;
  while (isSpace(body[from + n])) n++;
  return n;
}

/** The top-level string member `field` of a JSON body, or undefined. */
export function bodyString(body: Buffer, field: string): string | undefined {
  const v = (parseJsonBody(body)?.value as Record<string, unknown> | null | undefined)?.[field];
  return typeof v === 'string' ? v : undefined;
}
