import { edSign, edVerify, privateKey, publicKey } from './ed25519.js';
import { b64, type Bytes, freshId, hmacBase64, nowSeconds, safeEqual, toBuffer } from './hmac.js';
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
  const isAsymmetric = (s: Secret) => typeof s === 'string' && (/^wh(sk|pk)_/.test(s) || s.includes('-----BEGIN'));

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
      const entries = secrets.map((s) => (isAsymmetric(s) ? `v1a,${b64(edSign(privateKey(s), c))}` : hmacEntryOf(key, c)(s)));
      return { [ID]: id, [TS]: String(timestamp), [SIG]: entries.join(' ') };
    },

    verify(d: Delivery) {
      const h = readHeaders(name, [ID, TS, SIG], d.headers);
      if ('verdict' in h) return h.verdict;
      const { ts, v1, v1a } = h;
      const c = content(h.id, h.tsText, d.body);
      // A secret matches when its v1 HMAC is among the v1 entries, or, for an Ed25519 key, when a
      // v1a entry verifies with it.
      const matches = (s: Secret) => {
        if (!isAsymmetric(s)) {
          const want = hmacEntryOf(key, c)(s);
          return v1.some((p) => safeEqual(p, want));
        }
        const pub = publicKey(s);
        return v1a.some((b) => edVerify(pub, c, b));
      };
      let index: number;
      try {
        index = d.secrets.findIndex(matches);
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

const clip = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

/** The signed content: `${id}.${timestamp}.${body}`. */
const content = (id: string, ts: string | number, body: Bytes) => Buffer.concat([Buffer.from(`${id}.${ts}.`), toBuffer(body)]);

/** A secret's `v1,<base64 HMAC-SHA256>` entry over the content `c`. */
const hmacEntryOf = (key: (secret: Secret) => Bytes, c: Buffer) => (secret: Secret) => `v1,${hmacBase64('sha256', key(secret), c)}`;

/**
 * The id, timestamp and signature entries of a delivery (v1: `v1,<sig>` HMAC entries as sent;
 * v1a: Ed25519 signatures), or the verdict naming the header missing or malformed.
 */
function readHeaders(name: string, [ID, TS, SIG]: [string, string, string], headers: Record<string, string | undefined>):
  { verdict: Verdict } | { id: string; tsText: string; ts: number; v1: string[]; v1a: Buffer[] } {
  const [id, tsText, sig] = [headers[ID], headers[TS], headers[SIG]];
  if (sig === undefined) return { verdict: invalid(name, 'missing_header', `no ${SIG} header`) };
  if (id === undefined) return { verdict: invalid(name, 'missing_header', `no ${ID} header`) };
  if (tsText === undefined) return { verdict: invalid(name, 'missing_timestamp', `no ${TS} header`) };
  const ts = parseUnix(tsText);
  if (Number.isNaN(ts)) return { verdict: invalid(name, 'malformed_header', `${TS} "${clip(tsText)}" is not a Unix timestamp in seconds`) };
  const entries = sig.trim().split(/\s+/).map((e) => e.split(','));
  const v1 = entries.filter(([v, s]) => v === 'v1' && s).map(([, s]) => `v1,${s}`);
  const v1a = entries.filter(([v, s]) => v === 'v1a' && s).map(([, s]) => Buffer.from(s!, 'base64'));
  if (v1.length + v1a.length === 0) {
    return { verdict: invalid(name, 'malformed_header', `${SIG} has no "v1,<base64>" entry (space-separated list of version,signature)`) };
  }
  return { id, tsText, ts, v1, v1a };
}

/** Signed contents a buggy sender might have assembled (see Scheme.misassemblies). */
function misassemblies([ID, TS, SIG]: [string, string, string], key: (secret: Secret) => Bytes, d: Delivery): Array<{ matches: boolean; explain: string }> {
  const [id, ts, sig] = [d.headers[ID] ?? '', d.headers[TS] ?? '', d.headers[SIG] ?? ''];
  const wrong: Array<[Buffer, string]> = [
    [content(ts, id, d.body), `the sender signed "${TS}.${ID}.body": the id and the timestamp are swapped; sign "${ID}.${TS}.body"`],
    [toBuffer(d.body), `the sender signed the body alone: sign "${ID}.${TS}.body"`],
    [Buffer.concat([Buffer.from(`${id}${ts}`), d.body]), `the sender joined id, timestamp and body without the "." separators`],
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
