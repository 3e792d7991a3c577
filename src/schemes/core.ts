import { diagnose } from './diagnose.js';
import { noKnownHeader } from './missing.js';
import { usage } from '../errors.js';
import { nowSeconds, toBuffer } from './hmac.js';
import { secretStep } from './verdict.js';
import type { Delivery, Invalid, Scheme, SignedHeaders, SignInput, Verdict, VerifyInput } from './types.js';

/**
 * The core's entry points: a scheme (an object: names are the registry's business, registry.ts)
 * signs and judges deliveries. Pure: no I/O; the clock only where `now` is not given.
 */

/** The headers the provider would send with `input.body`. Throws a WhkError on misuse. */
export function sign(scheme: Scheme, input: SignInput): SignedHeaders {
  if (input.secrets.length === 0) throw usage('no_secret', 'no secret');
  return scheme.sign(input);
}

/** What a provider sends: its headers and the body, with the signature's place where it is inside the body. */
export interface SignedDelivery {
  headers: SignedHeaders;
  body: Buffer;
  /** [start, end) of the signature in `body`, for schemes that sign inside it (Scheme.signBody). */
  signature?: [number, number];
}

/**
 * The headers and the body the provider would send: the body is `input.body` as it is, except for
 * schemes that write their signature into it (Mailgun). Throws a WhkError on misuse.
 */
export function signDelivery(s: Scheme, input: SignInput): SignedDelivery {
  if (input.secrets.length === 0) throw usage('no_secret', 'no secret');
  if (!s.signBody) return { headers: s.sign(input), body: toBuffer(input.body) };
  const { body, signature } = s.signBody(input);
  return { headers: s.sign({ ...input, body }), body, signature };
}

/** Lower-cases header names; repeated headers are joined with ", " as node:http does. */
export function normalizeHeaders(headers: VerifyInput['headers']): Record<string, string> {
  // node:http's req.headers are usually lower-cased strings already: then they are used as they
  // are (the listener's hot path), not copied.
  let clean = true;
  for (const k in headers) {
    if (typeof headers[k] !== 'string' || k !== k.toLowerCase()) {
      clean = false;
      break;
    }
  }
  if (clean) return headers as Record<string, string>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    const key = k.toLowerCase();
    const value = Array.isArray(v) ? v.join(', ') : v;
    out[key] = key in out ? `${out[key]}, ${value}` : value;
  }
  return out;
}

// When several candidate schemes fail, the most informative verdict wins: a signature that
// matched but is stale says more than one that matched nothing, which says more than a secret
// the scheme cannot use.
const RANK: Record<Invalid['reason'], number> = {
  timestamp_too_old: 0, timestamp_in_future: 0, missing_timestamp: 1, no_match: 2,
  malformed_header: 3, missing_header: 4, bad_secret: 5, scheme_mismatch: 6,
};

/** Judges a delivery by one scheme. Bad signatures give a verdict, never an exception; only misuse throws. */
export function verify(scheme: Scheme, input: VerifyInput): Verdict {
  return verifyAmong([scheme], input);
}

/**
 * Judges a delivery by each of `candidates` (the schemes whose headers it carries: detection),
 * the first valid verdict winning, else the most informative refusal. None: `missing_header`,
 * naming the closest of the `known` schemes' headers.
 */
export function verifyAmong(candidates: readonly Scheme[], input: VerifyInput, known: readonly Scheme[] = candidates): Verdict {
  const headers = normalizeHeaders(input.headers);
  // Without a secret, only a provider that publishes its keys (Fireblocks) can be checked.
  if (input.secrets.length === 0 && !candidates.some((s) => s.publishedKeys)) throw usage('no_secret', 'no secret');
  if (candidates.length === 0) return noKnownHeader(headers, known);
  let worst: Invalid | undefined;
  const body = toBuffer(input.body);
  const now = input.now ?? nowSeconds();
  for (const s of candidates) {
    const secrets = input.secrets.length > 0 ? input.secrets : s.publishedKeys?.map((k) => k.key);
    if (!secrets) continue;
    const d: Delivery = { body, headers, secrets, now, tolerance: input.tolerance ?? s.timestamp?.tolerance ?? Number.POSITIVE_INFINITY, url: input.url, method: input.method };
    if (input.otherSecrets) d.otherSecrets = input.otherSecrets;
    if (input.rawOnlyAbove !== undefined) d.rawOnlyAbove = input.rawOnlyAbove;
    const v = s.verify(d);
    if (v.valid) return v;
    if (v.reason === 'no_match' && input.diagnose !== false) {
      const diagnosis = diagnose(s, d, candidates);
      if (diagnosis) v.diagnosis = diagnosis;
    }
    // Nothing explains it (or it was not looked for yet): the likely cause is the secret.
    if (v.reason === 'no_match' && !v.diagnosis) v.message = `${v.message}: ${secretStep(s, secrets.length)}`;
    if (!worst || RANK[v.reason] < RANK[worst.reason]) worst = v;
  }
  return worst!;
}
