import { dfns as samples } from '../send/samples/dfns.js';
import { bodyNumber } from './fields.js';
import { hmacHex, toBuffer } from './hmac.js';
import type { Delivery, Scheme, Secret } from './types.js';
import { checkTimestamp, invalid, matchSecret, noMatch, valid, malformed } from './verdict.js';

const HEADER = 'x-dfns-webhook-signature';
const expected = (body: Uint8Array | string) => (secret: Secret) => `sha256=${hmacHex('sha256', secret, body)}`;

/** `JSON.stringify(JSON.parse(raw))`, what the Dfns Node sample signs; undefined when not JSON. */
export function compactJson(raw: Buffer): string | undefined {
  try {
    return JSON.stringify(JSON.parse(raw.toString('utf8')));
  } catch {
    return undefined;
  }
}

/**
 * Dfns: `X-DFNS-WEBHOOK-SIGNATURE: sha256=<hex HMAC-SHA256(secret, body)>`; the timestamp is the
 * payload's `timestampSent`, valid while |now - timestampSent| < 300 s.
 */
export const dfns: Scheme = {
  samples,
  docs: 'https://docs.dfns.co/',
  checkedBy: "docs example: the Dfns webhook page's Node and Python samples (../shared/seeds), run as receivers in the tests",
  name: 'dfns',
  provider: 'Dfns',
  headers: ['X-DFNS-WEBHOOK-SIGNATURE'],
  algorithm: 'HMAC-SHA256, hex, "sha256=" prefix; body = compact JSON',
  timestamp: { where: 'timestampSent in the JSON body', tolerance: 300, direction: 'both', strict: true },
  secretFormat: 'the webhook secret as text (UTF-8)',
  multipleSecrets: false,
  contentType: 'application/json',

  sign({ body, secrets }) {
    return { 'X-DFNS-WEBHOOK-SIGNATURE': expected(body)(secrets[0]!) };
  },

  verify(d: Delivery) {
    const header = d.headers[HEADER];
    if (header === undefined) return invalid('dfns', 'missing_header', 'no X-DFNS-WEBHOOK-SIGNATURE header');
    const presented = [header.trim().toLowerCase()];
    if (!/^sha256=[0-9a-f]{64}$/.test(presented[0]!)) {
      return malformed('dfns', 'X-DFNS-WEBHOOK-SIGNATURE is not "sha256=<64 hex digits>"', header, 'hex');
    }
    let matched = 'raw body';
    let index = matchSecret('dfns', presented, d.secrets, expected(d.body));
    let compact: string | undefined;
    if (index === -1) {
      // Dfns signs compact JSON. A body that reached us re-spaced still carries the signed text
      // once its insignificant whitespace is gone (big integers intact), and failing that, the
      // docs' own samples re-serialize the parsed payload.
      const stripped = stripJsonWhitespace(d.body.toString('utf8'));
      if (stripped !== undefined && !toBuffer(stripped).equals(d.body)) {
        matched = 'body without its insignificant whitespace';
        index = matchSecret('dfns', presented, d.secrets, expected(stripped));
      }
      if (index === -1 && !(stripped !== undefined && surelyCanonical(stripped)) && (compact = compactJson(d.body)) !== undefined && compact !== stripped) {
        matched = 'compact re-serialization of the body';
        index = matchSecret('dfns', presented, d.secrets, expected(compact));
      }
    }
    if (typeof index !== 'number') return index;
    if (index === -1) return noMatch('dfns', compact === undefined ? 'the raw body' : 'the raw body nor its compact re-serialization', d.secrets.length);
    const ts = bodyNumber(d.body, 'timestampSent');
    if (ts === undefined) return invalid('dfns', 'missing_timestamp', 'the signature matches, but the body has no numeric timestampSent field');
    return checkTimestamp(dfns, ts, d) ?? valid('dfns', matched, index, d.now - ts);
  },

  eventInfo: (_h, json) => {
    const o = json as { kind?: unknown; id?: unknown } | null;
    return { type: typeof o?.kind === 'string' ? o.kind : undefined, id: typeof o?.id === 'string' ? o.id : undefined };
  },

  bodyTimestamp: { field: 'timestampSent', unit: 's' },
  // Dfns sends compact JSON: unusual formatting is not something its receivers must accept.
  compactJson: true,
  bodyNotes(body) {
    const compact = compactJson(body);
    return compact !== undefined && !Buffer.from(compact).equals(body)
      ? ["this body changes when re-serialized (JSON.stringify(JSON.parse(body)): spacing, escapes or integers beyond 2^53); Dfns sends compact JSON, and receivers that follow Dfns's sample code verify the re-serialization, so they will refuse it"]
      : [];
  },
  // What breaks is the re-parsing that the Dfns documentation's own samples do: WARNs. Added as
  // text, since JSON.stringify cannot write an integer beyond 2^53.
  probeChecks(raw) {
    const withMember = (member: string) => Buffer.from(raw.toString('utf8').replace(/"data":\{(\}?)/, (_m, empty: string) => `"data":{${member}${empty ? '}' : ','}`));
    return [
      {
        id: 'big-integer', title: 'integer beyond 2^53 (compact, as Dfns sends it)', warnOnly: true,
        sent: 'the event with "amount":12345678901234567890 in data, compact JSON', body: withMember('"amount":12345678901234567890'),
        explain: "your receiver re-serializes the parsed payload, like the Dfns docs' samples (JSON.stringify(JSON.parse(body))): integers beyond 2^53 lose precision and the signature no longer matches; verify the raw body",
      },
      {
        id: 'non-ascii', title: 'non-ASCII text (compact, as Dfns sends it)', warnOnly: true,
        sent: 'the event with "memo":"café ☕" in data, compact JSON', body: withMember('"memo":"café ☕"'),
        explain: "your receiver re-serializes the payload like the Dfns docs' Python sample: json.dumps escapes non-ASCII text (ensure_ascii=True), so the signature no longer matches; verify the raw body",
      },
    ];
  },
};

/**
 * JSON text with the whitespace between tokens removed (strings untouched); undefined if it ends
 * inside a string. Text with no whitespace next to a structural character (nor at either end)
 * has none between tokens and comes back as it is, at the cost of one scan: a forged compact
 * 800 KB body costs a millisecond here, not the tens a full pass takes.
 */
export function stripJsonWhitespace(text: string): string | undefined {
  if (!hasInsignificantWhitespace(text)) return text;
  let unterminated = false;
  const out = text.replace(/"(?:[^"\\]|\\[\s\S])*("?)|[ \n\r\t]+/g, (m: string, close: string | undefined) => {
    if (m.charCodeAt(0) !== 34 /* " */) return '';
    if (close === '') unterminated = true;
    return m;
  });
  return unterminated ? undefined : out;
}

/**
 * Whether compact JSON text is already what `JSON.stringify(JSON.parse(text))` gives back: no
 * escapes to rewrite and no number to normalize (a fraction or exponent). Conservative: a false
 * only means the re-serialization is tried.
 */
const surelyCanonical = (compact: string) => !compact.includes('\\') && !/\d[.eE]/.test(compact) && !/[:,[]-0(?![.\d])/.test(compact);

/** Whitespace next to a structural character or at either end (simple scans: a regular expression of alternatives is several times slower on large bodies). */
function hasInsignificantWhitespace(text: string): boolean {
  if (!/[ \n\r\t]/.test(text)) return false;
  return /[ \n\r\t][,:{}[\]]/.test(text) || /[,:{}[\]][ \n\r\t]/.test(text) || /^[ \n\r\t]/.test(text) || /[ \n\r\t]$/.test(text);
}
