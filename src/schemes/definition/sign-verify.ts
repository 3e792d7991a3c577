/**
 * Signing and verifying with a compiled definition (compile.ts): the verdicts carry the same
 * reasons as the hand-written schemes', and `misassemblies` tells diagnosis what to try.
 */
import { WhkError, usage } from '../../errors.js';
import { requireUrl } from '../fields.js';
import { freshId, nowSeconds, safeEqual } from '../hmac.js';
import type { Delivery, Invalid, Scheme, SignedHeaders, SignInput, Verdict } from '../types.js';
import { checkTimestamp, invalid, matchSecret, noMatch, valid } from '../verdict.js';
import { type Parsed, writeList } from './header-value.js';
import { misassembled } from './misassembly.js';
import type { HeaderValue, Hmac, MessageId, SignedContent, Timing } from './steps.js';
import { around, type Values } from './template.js';
import { clip } from './words.js';

/** A definition, compiled: what signing and verifying need. */
export interface Compiled {
  name: string;
  /** The signature header as the provider spells it. */
  header: string;
  signed: SignedContent;
  value: HeaderValue;
  time: Timing | undefined;
  id: MessageId | undefined;
  hmac: Hmac;
  /** What verdicts say was checked: "custom definition (acme.json): HMAC-SHA256 hex over ...". */
  check: string;
}

const NO_HEADERS: Record<string, string | undefined> = Object.freeze({});

export function signer(c: Compiled): (input: SignInput) => SignedHeaders {
  const { name, signed, value, time, id, hmac } = c;
  const tsKey = time?.header?.toLowerCase();
  const idKey = id?.header?.toLowerCase();
  return (input) => {
    const t = time?.where === 'value' || time?.where === 'header' ? time.format(input.timestamp ?? nowSeconds()) : undefined;
    const msgId = id ? (input.id ?? freshId()) : undefined;
    const given: Record<string, string> = {};
    if (signed.headers.length > 0) for (const [k, v] of Object.entries(input.headers ?? {})) given[k.toLowerCase()] = v;
    const headers: Record<string, string | undefined> = {};
    const extra: SignedHeaders = {};
    for (const x of signed.headers) {
      const lower = x.toLowerCase();
      const v = given[lower] ?? (lower === tsKey ? t : lower === idKey ? msgId : undefined);
      if (v === undefined) throw usage('missing_signed_header', `${name} signs the ${x} header: give its value`);
      headers[lower] = v;
      if (lower !== tsKey && lower !== idKey) extra[x] = v;
    }
    const values: Values = {
      timestamp: time?.where === 'body' ? time.fromBody(Buffer.isBuffer(input.body) ? input.body : Buffer.from(input.body)) : t,
      id: msgId,
      url: signed.needsUrl ? requireUrl(name, input.url, 'the URL it posts to') : undefined,
      method: (input.method ?? 'POST').toUpperCase(),
      headers,
    };
    const pre = signed.pre(values);
    const post = signed.post(values);
    const sigs = (value.list ? input.secrets : input.secrets.slice(0, 1)).map((s) => hmac.digest(hmac.key(s), pre, input.body, post));
    return {
      [c.header]: value.plain ? value.plain.prefix + sigs[0] + value.plain.suffix : writeList(value.list!, sigs, t, msgId),
      ...(time?.where === 'header' ? { [time.header!]: t! } : {}),
      ...(id?.where === 'header' ? { [id.header!]: msgId! } : {}),
      ...extra,
    };
  };
}

/** A signed timestamp as read: its text, trimmed, and its seconds (`valid` tells it from an Invalid verdict). */
interface Stamp {
  valid: true;
  text: string;
  ts: number;
}

/** The signed timestamp a list value or its header carries; undefined where there is none to read. */
function headerTimestamp(c: Compiled, p: Parsed, d: Delivery): Stamp | Invalid | undefined {
  const { name, header: H, time, value } = c;
  if (time?.where !== 'value' && time?.where !== 'header') return undefined;
  const list = value.list;
  const text = time.where === 'value' ? p.ts : d.headers[time.header!.toLowerCase()];
  if (text === undefined) {
    return invalid(name, 'missing_timestamp', time.where === 'value' ? `${H} has no ${list!.labels.timestamp}${list!.kv}<timestamp> entry` : `no ${time.header} header`);
  }
  const ts = time.seconds(text);
  if (Number.isNaN(ts)) {
    return invalid(name, 'malformed_header', `${time.where === 'value' ? `${list!.labels.timestamp}${list!.kv}"${clip(text)}" in ${H}` : `${time.header} "${clip(text)}"`} is not ${time.shape}`);
  }
  return { valid: true, text: text.trim(), ts };
}

/** Reads the id and the signed headers of a delivery into `values`; the verdict when one is missing. */
function readParts(c: Compiled, p: Parsed, d: Delivery, values: Values): Invalid | undefined {
  const { name, header: H, id: where, value } = c;
  if (where !== undefined) {
    values.id = where.where === 'value' ? p.id : d.headers[where.header!.toLowerCase()];
    if (values.id === undefined) return invalid(name, 'missing_header', where.where === 'value' ? `${H} has no ${value.list!.labels.id}${value.list!.kv}<id> entry` : `no ${where.header} header`);
  }
  if (c.signed.headers.length === 0) return undefined;
  values.headers = {};
  for (const x of c.signed.headers) {
    const v = d.headers[x.toLowerCase()];
    if (v === undefined) return invalid(name, 'missing_header', `no ${x} header (${name} signs it)`);
    values.headers[x.toLowerCase()] = v;
  }
  return undefined;
}

/** The well-formed signatures of the header, normalized; a malformed_header verdict when there is none. */
function presented(c: Compiled, p: Parsed): string[] | Invalid {
  const { header: H, value, hmac } = c;
  const good: string[] = [];
  for (const s of p.sigs) if (hmac.shape.test(s)) good.push(hmac.normalize(s));
  if (good.length > 0) return good;
  const entry = value.list ? `${value.list.labels.signature}${value.list.kv}<${hmac.encoding === 'hex' ? 'hex' : hmac.encoding}>` : '';
  if (p.sigs.length === 0) return invalid(c.name, 'malformed_header', `${H} has no ${entry} entry`);
  const digits = `<${hmac.length} ${hmac.encoding === 'hex' ? 'hex digits' : `${hmac.encoding} characters`}>`;
  return hmac.malformed(value.plain ? `${H} is not "${value.readable.replace('<signature>', digits)}"` : `${H} has no well-formed ${entry} entry`, p.sigs[0]!);
}

/** The seconds of a timestamp in the body, read once the signature matched. */
function bodySeconds(c: Compiled, text: string | undefined): number | Invalid {
  const time = c.time!;
  if (text === undefined) return invalid(c.name, 'missing_timestamp', `the signature matches, but the body has no ${time.unit === 'iso' ? 'ISO 8601 time' : 'numeric'} ${time.field} field`);
  const ts = time.seconds(text);
  if (Number.isNaN(ts)) return invalid(c.name, 'malformed_header', `the signature matches, but ${time.field} in the body ("${clip(text)}") is not ${time.shape}`);
  return ts;
}

export function verifier(c: Compiled, scheme: () => Scheme): (d: Delivery) => Verdict {
  const { name, header: H, signed, value, time, hmac } = c;
  const h = H.toLowerCase();
  const over = signed.readable === 'body' ? 'the raw body' : `"${signed.readable}"`;
  const judge = (d: Delivery): Verdict => {
    const header = d.headers[h];
    if (header === undefined) return invalid(name, 'missing_header', `no ${H} header`);
    const p = value.parse(header);
    if (typeof p === 'string') return hmac.malformed(p, header.trim().slice(value.plain?.prefix.length ?? 0));
    const stamp = headerTimestamp(c, p, d);
    if (stamp?.valid === false) return stamp;
    const values: Values = { timestamp: stamp?.text, id: undefined, url: undefined, method: undefined, headers: NO_HEADERS };
    const missing = readParts(c, p, d, values);
    if (missing) return missing;
    const good = presented(c, p);
    if (!Array.isArray(good)) return good;
    if (time?.where === 'body') values.timestamp = time.fromBody(d.body);
    if (signed.needsUrl) values.url = requireUrl(name, d.url, 'the URL it posts to');
    values.method = (d.method ?? 'POST').toUpperCase();
    const pre = signed.pre(values);
    const post = signed.post(values);
    const index = matchSecret(name, good, d.secrets, (s) => hmac.digest(hmac.key(s), pre, d.body, post));
    if (typeof index !== 'number') return index;
    if (index === -1) return noMatch(name, over, d.secrets.length, stamp ? d.now - stamp.ts : undefined);
    if (time === undefined) return valid(name, 'raw body', index);
    const ts = time.where === 'body' ? bodySeconds(c, values.timestamp) : stamp!.ts;
    if (typeof ts !== 'number') return ts;
    return checkTimestamp(scheme(), ts, d) ?? valid(name, 'raw body', index, d.now - ts);
  };
  return (d) => {
    const v = judge(d);
    v.check = c.check;
    return v;
  };
}

/** Signed contents assembled the wrong way, and whether the delivery's signature matches one (diagnosis). */
export function misassemblies(c: Compiled): (d: Delivery) => Array<{ matches: boolean; explain: string }> {
  const { name, signed, value, time, id, hmac } = c;
  const h = c.header.toLowerCase();
  const wrong = misassembled(signed.tokens);
  return (d) => {
    const header = d.headers[h];
    if (header === undefined) return [];
    const p = value.parse(header);
    if (typeof p === 'string') return [];
    const sigs = p.sigs.map(hmac.normalize);
    const headers: Record<string, string | undefined> = {};
    for (const x of signed.headers) headers[x.toLowerCase()] = d.headers[x.toLowerCase()];
    const values: Values = {
      timestamp: time?.where === 'value' ? p.ts?.trim() : time?.where === 'header' ? d.headers[time.header!.toLowerCase()]?.trim() : time?.where === 'body' ? time.fromBody(d.body) : undefined,
      id: id?.where === 'value' ? p.id : id?.where === 'header' ? d.headers[id.header!.toLowerCase()] : undefined,
      url: d.url,
      method: (d.method ?? 'POST').toUpperCase(),
      headers,
    };
    return wrong.map(([tokens, explain]) => {
      const [pre, post] = around(tokens, values);
      const matches = d.secrets.some((s) => {
        try {
          const want = hmac.digest(hmac.key(s), pre, d.body, post);
          return sigs.some((x) => safeEqual(x, want));
        } catch (e) {
          if (e instanceof WhkError) return false;
          throw e;
        }
      });
      return { explain: `${explain}: ${name} signs "${signed.readable}"`, matches };
    });
  };
}
