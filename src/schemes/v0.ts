import { hmacHex, nowSeconds } from './hmac.js';
import type { Delivery, Scheme, Secret } from './types.js';
import { checkTimestamp, invalid, matchSecret, noMatch, parseUnix, valid } from './verdict.js';

/**
 * The `v0=<hex HMAC-SHA256(secret, "v0:" + ts + ":" + body)>` scheme shared by Slack and Zoom;
 * they differ only in header names and tolerance direction.
 */
export function v0Scheme(opts: {
  name: string;
  provider: string;
  signatureHeader: string;
  timestampHeader: string;
  direction: 'both' | 'past';
  eventInfo: Scheme['eventInfo'];
  /** The provider's own capabilities and samples (see Scheme). */
  more?: Partial<Scheme>;
}): Scheme {
  const { name, signatureHeader: SIG, timestampHeader: TS } = opts;
  const expected = (ts: string, body: Uint8Array | string) => (secret: Secret) => `v0=${hmacHex('sha256', secret, `v0:${ts}:`, body)}`;
  const scheme: Scheme = {
    ...opts.more,
    name,
    provider: opts.provider,
    headers: [SIG, TS],
    algorithm: 'HMAC-SHA256 hex over "v0:ts:body", as "v0=<sig>"',
    timestamp: { where: `${TS} header`, tolerance: 300, direction: opts.direction },
    secretFormat: 'the signing secret as text (UTF-8)',
    multipleSecrets: false,
    contentType: 'application/json',

    sign({ body, secrets, timestamp = nowSeconds() }) {
      return { [SIG]: expected(String(timestamp), body)(secrets[0]!), [TS]: String(timestamp) };
    },

    verify(d: Delivery) {
      const sig = d.headers[SIG.toLowerCase()];
      const tsText = d.headers[TS.toLowerCase()];
      if (sig === undefined) return invalid(name, 'missing_header', `no ${SIG} header`);
      if (tsText === undefined) return invalid(name, 'missing_timestamp', `no ${TS} header`);
      const ts = parseUnix(tsText);
      if (Number.isNaN(ts)) return invalid(name, 'malformed_header', `${TS} is not a Unix timestamp in seconds`);
      if (!/^v0=[0-9a-f]{64}$/.test(sig.trim())) return invalid(name, 'malformed_header', `${SIG} is not "v0=<64 hex digits>"`);
      const index = matchSecret(name, [sig.trim()], d.secrets, expected(tsText.trim(), d.body));
      if (typeof index !== 'number') return index;
      if (index === -1) return noMatch(name, '"v0:ts:body"', d.secrets.length, d.now - ts);
      return checkTimestamp(scheme, ts, d) ?? valid(name, 'raw body', index, d.now - ts);
    },

    misassemblies(d) {
      const ts = d.headers[TS.toLowerCase()] ?? '';
      const sig = (d.headers[SIG.toLowerCase()] ?? '').trim();
      const wrong: Array<[Array<Uint8Array | string>, string]> = [
        [[`${ts}:`, d.body], 'the sender left out the "v0:" prefix: sign "v0:ts:body"'],
        [[d.body], 'the sender signed the body alone: sign "v0:ts:body"'],
      ];
      return wrong.map(([parts, explain]) => ({ explain, matches: d.secrets.some((s) => sig === `v0=${hmacHex('sha256', s, parts[0]!, parts[1], parts[2])}`) }));
    },

    eventInfo: opts.eventInfo,
  };
  return scheme;
}
