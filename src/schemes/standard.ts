import { edSign, edVerify, privateKey, publicKey } from './ed25519.js';
import { createHmac, type KeyObject } from 'node:crypto';
import { b64, type Bytes, freshId, hmacBase64, hmacKey, nowSeconds, safeEqual, toBuffer } from './hmac.js';
import type { Delivery, Scheme, Secret, Verdict } from './types.js';
import { checkTimestamp, invalid, noMatch, parseUnix, valid } from './verdict.js';

/**
 * The Standard Webhooks family: headers `<p>-id`, `<p>-timestamp`, `<p>-signature`; signed content
 * `${id}.${timestamp}.${body}`; `v1,<base64 HMAC-SHA256>` (or `v1a,<base64 Ed25519>`) entries,
 * space-separated, any match passes. Members differ in header prefix and in how a secret becomes
 * the HMAC key.
 */
export function standardFamily(opts: {
  name: string;
  provider: string;
  prefix: 'webhook' | 'svix';
  key: (secret: Secret) => Bytes;
  secretFormat: string;
  /** The provider's own capabilities and samples (see Scheme). */
  more?: Partial<Scheme>;
}): Scheme {
  const { name, prefix, key } = opts;
  const [ID, TS, SIG] = [`${prefix}-id`, `${prefix}-timestamp`, `${prefix}-signature`];
  const hmacKeyOf = hmacKeys(key);

  const scheme: Scheme = {
    ...opts.more,
    name,
    provider: opts.provider,
    headers: [SIG, ID, TS],
    algorithm: 'HMAC-SHA256 base64 as "v1,<sig>" (Ed25519 as "v1a,<sig>"), space-separated list',
    timestamp: { where: `${TS} header`, tolerance: 300, direction: 'both' },
    secretFormat: opts.secretFormat,
    multipleSecrets: true,
    contentType: 'application/json',

    sign({ body, secrets, timestamp = nowSeconds(), id = freshId() }) {
      const c = content(id, timestamp, body);
      const entries = secrets.map((s) => (isAsymmetric(s) ? `v1a,${b64(edSign(privateKey(s), joined(c)))}` : hmacEntryOf(key, c)(s)));
      return { [ID]: id, [TS]: String(timestamp), [SIG]: entries.join(' ') };
    },

    verify(d: Delivery) {
      const h = readHeaders(name, [ID, TS, SIG], d.headers);
      if ('verdict' in h) return h.verdict;
      const { ts } = h;
      let index: number;
      try {
        index = matchingSecret(d.secrets, h, content(h.id, h.tsText, d.body), hmacKeyOf);
      } catch (e) {
        return invalid(name, 'bad_secret', (e as Error).message);
      }
      if (index === -1) return noMatch(name, `"${ID}.${TS}.body"`, d.secrets.length, d.now - ts);
      return checkTimestamp(scheme, ts, d) ?? valid(name, 'raw body', index, d.now - ts);
    },

    misassemblies: (d) => misassemblies([ID, TS, SIG], key, d),

    eventInfo: (h, json) => {
      const t = (json as { type?: unknown; eventType?: unknown; event?: unknown } | null);
      const type = [t?.type, t?.eventType, t?.event].find((x) => typeof x === 'string') as string | undefined;
      return { type, id: h[ID] };
    },
  };
  return scheme;
}

const HAS_SPACE = /\s/;
const NONE: Buffer[] = [];
const clip = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

/** Ed25519 keys (whsk_/whpk_, PEM), for v1a; anything else is an HMAC secret. */
const isAsymmetric = (s: Secret) => typeof s === 'string' && (s.startsWith('whsk_') || s.startsWith('whpk_') || s.includes('-----BEGIN'));

/**
 * A secret's HMAC key, made once per text secret (one lookup on the hot path, where telling an
 * Ed25519 key apart, decoding whsec_ and finding the key object took three); null for an
 * Ed25519 key. Throws a WhkError for a secret the scheme cannot use (and keeps nothing).
 */
function hmacKeys(key: (secret: Secret) => Bytes): (secret: Secret) => KeyObject | null {
  const known = new Map<string, KeyObject | null>();
  const make = (s: Secret) => (isAsymmetric(s) ? null : hmacKey(key(s)));
  return (s) => {
    if (typeof s !== 'string') return make(s);
    let k = known.get(s);
    if (k === undefined) {
      k = make(s);
      if (known.size >= 64) known.clear();
      known.set(s, k);
    }
    return k;
  };
}

/**
 * The index of the first secret that matches: its v1 HMAC is among the v1 entries, or, for an
 * Ed25519 key, a v1a entry verifies with it; -1 for none. Throws a WhkError for a secret the
 * scheme cannot use. (The hot path: no closure per delivery.)
 */
function matchingSecret(secrets: Secret[], h: { v1: string[]; v1a: Buffer[] }, c: Content, hmacKeyOf: (secret: Secret) => KeyObject | null): number {
  for (let i = 0; i < secrets.length; i++) {
    const s = secrets[i]!;
    const k = hmacKeyOf(s);
    if (k === null) {
      const pub = publicKey(s);
      if (h.v1a.some((b) => edVerify(pub, joined(c), b))) return i;
      continue;
    }
    const want = createHmac('sha256', k).update(c.head).update(c.body).digest('base64');
    for (const p of h.v1) if (safeEqual(p, want)) return i;
  }
  return -1;
}


/**
 * The signed content, `${id}.${timestamp}.${body}`, as its two parts: the HMAC takes them in turn
 * (no copy of the body); Ed25519 signs them joined.
 */
interface Content {
  head: string;
  body: Bytes;
}
const content = (id: string, ts: string | number, body: Bytes): Content => ({ head: `${id}.${ts}.`, body });
const joined = (c: Content) => Buffer.concat([Buffer.from(c.head), toBuffer(c.body)]);

/** A secret's `v1,<base64 HMAC-SHA256>` entry over the content `c`. */
const hmacEntryOf = (key: (secret: Secret) => Bytes, c: Content) => (secret: Secret) => `v1,${hmacBase64('sha256', key(secret), c.head, c.body)}`;

/**
 * The id, timestamp and signature entries of a delivery (v1: the base64 HMAC of each `v1,<sig>` entry;
 * v1a: Ed25519 signatures), or the verdict naming the header missing or malformed.
 */
function readHeaders(name: string, [ID, TS, SIG]: [string, string, string], headers: Record<string, string | undefined>):
  { verdict: Verdict } | { id: string; tsText: string; ts: number; v1: string[]; v1a: Buffer[] } {
  const id = headers[ID];
  const tsText = headers[TS];
  const sig = headers[SIG];
  if (sig === undefined) return { verdict: invalid(name, 'missing_header', `no ${SIG} header`) };
  if (id === undefined) return { verdict: invalid(name, 'missing_header', `no ${ID} header`) };
  if (tsText === undefined) return { verdict: invalid(name, 'missing_timestamp', `no ${TS} header`) };
  const ts = parseUnix(tsText);
  if (Number.isNaN(ts)) return { verdict: invalid(name, 'malformed_header', `${TS} "${clip(tsText)}" is not a Unix timestamp in seconds`) };
  const v1: string[] = [];
  let v1a: Buffer[] = NONE;
  // `version,signature` entries, space-separated, read in one pass (the hot path: a header of one
  // entry, the usual case, is not split at all). A third field after a second comma is ignored.
  for (const e of HAS_SPACE.test(sig) ? sig.trim().split(/\s+/) : [sig]) {
    const comma = e.indexOf(',');
    const next = comma === -1 ? -1 : e.indexOf(',', comma + 1);
    const end = next === -1 ? e.length : next;
    if (comma === -1 || end === comma + 1) continue;
    if (comma === 2 && e.startsWith('v1')) v1.push(e.slice(3, end));
    else if (comma === 3 && e.startsWith('v1a')) (v1a === NONE ? (v1a = []) : v1a).push(Buffer.from(e.slice(4, end), 'base64'));
  }
  if (v1.length + v1a.length === 0) {
    return { verdict: invalid(name, 'malformed_header', `${SIG} has no "v1,<base64>" entry (space-separated list of version,signature)`) };
  }
  return { id, tsText, ts, v1, v1a };
}

/** Signed contents a buggy sender might have assembled (see Scheme.misassemblies). */
function misassemblies([ID, TS, SIG]: [string, string, string], key: (secret: Secret) => Bytes, d: Delivery): Array<{ matches: boolean; explain: string }> {
  const [id, ts, sig] = [d.headers[ID] ?? '', d.headers[TS] ?? '', d.headers[SIG] ?? ''];
  const wrong: Array<[Content, string]> = [
    [content(ts, id, d.body), `the sender signed "${TS}.${ID}.body": the id and the timestamp are swapped; sign "${ID}.${TS}.body"`],
    [{ head: '', body: d.body }, `the sender signed the body alone: sign "${ID}.${TS}.body"`],
    [{ head: `${id}${ts}`, body: d.body }, `the sender joined id, timestamp and body without the "." separators`],
  ];
  const presented = sig.trim().split(/\s+/);
  return wrong.map(([c, explain]) => ({
    explain,
    matches: d.secrets.some((s) => {
      try {
        return presented.includes(hmacEntryOf(key, c)(s));
      } catch {
        return false;
      }
    }),
  }));
}
