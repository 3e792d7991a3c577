import { WhkError } from '../errors.js';
import { safeEqual } from './hmac.js';
import { isKeyPair, type Delivery, type Invalid, type Scheme, type Secret, type Valid } from './types.js';

export function valid(scheme: string, matched: string, secretIndex: number, age?: number): Valid {
  // No spread: this is on every delivery's path.
  const v: Valid = { valid: true, reason: 'ok', scheme, matched, secretIndex, message: `signature matches the ${matched}` + (age === undefined ? '' : `, timestamp ${age} s old`) };
  if (age !== undefined) v.age = age;
  return v;
}

export function invalid(scheme: string, reason: Invalid['reason'], message: string, age?: number): Invalid {
  const v: Invalid = { valid: false, reason, scheme, message };
  if (age !== undefined) v.age = age;
  return v;
}

/**
 * Which secret, if any, produced one of the presented signatures. `expected` computes the
 * signature a secret gives (in the header's encoding); comparisons are constant-time.
 * Returns the index of the matching secret, -1 for none, or an Invalid when a secret cannot be
 * decoded.
 */
export function matchSecret(
  scheme: string,
  presented: string[],
  secrets: Secret[],
  expected: (secret: Secret) => string,
): number | Invalid {
  for (let i = 0; i < secrets.length; i++) {
    let want: string;
    try {
      want = expected(secrets[i]!);
    } catch (e) {
      if (e instanceof WhkError) return invalid(scheme, 'bad_secret', e.message);
      throw e;
    }
    for (const p of presented) if (safeEqual(p, want)) return i;
  }
  return -1;
}

/** The verdict for a timestamp that the signature covers; undefined when it is within tolerance. */
export function checkTimestamp(scheme: Scheme, ts: number, d: Delivery): Invalid | undefined {
  const rule = scheme.timestamp!;
  const age = d.now - ts;
  if (beyond(age, d.tolerance, rule.strict)) {
    const v = invalid(scheme.name, 'timestamp_too_old',
      `timestamp is ${age} s old, beyond the ${d.tolerance} s tolerance (${rule.where}): a replay, a delayed retry, or your clock is wrong`, age);
    // The signature itself matched: say how long ago it stopped being valid.
    v.diagnosis = `this signature was valid ${span(age - d.tolerance)} ago: the delivery was replayed (or retried late), or a clock is off`;
    return v;
  }
  if (rule.direction === 'both' && beyond(-age, d.tolerance, rule.strict)) {
    const v = invalid(scheme.name, 'timestamp_in_future',
      `timestamp is ${-age} s in the future, beyond the ${d.tolerance} s tolerance (${rule.where}): the sender's or your clock is wrong`, age);
    v.diagnosis = `this signature becomes valid in ${span(-age - d.tolerance)}: the sender's clock is ahead of yours, or yours is behind`;
    return v;
  }
  return undefined;
}

/** Past the tolerance: strictly (`>`), or from the bound itself for schemes whose SDK refuses it (`>=`). */
const beyond = (seconds: number, tolerance: number, strict: boolean | undefined) => (strict ? seconds >= tolerance : seconds > tolerance);

/** A duration for people: "45 s", "7 minutes", "3 hours", "2 days". */
export function span(seconds: number): string {
  const s = Math.max(1, Math.round(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} minutes`;
  if (s < 172800) return `${Math.round(s / 3600)} hours`;
  return `${Math.round(s / 86400)} days`;
}

export const noMatch = (scheme: string, what: string, n: number, age?: number) =>
  invalid(scheme, 'no_match',
    `no signature matches ${n === 1 ? 'the secret' : `any of the ${n} secrets`} over ${what}`, age);

/**
 * The next step after a no_match that no diagnosis explains (most often: another endpoint's, or
 * another environment's, secret): which secret to check, and where the provider shows it.
 */
export function secretStep(scheme: Pick<Scheme, 'keyKind' | 'secretWhere' | 'docs'>, secrets: number): string {
  const what = isKeyPair(scheme.keyKind)
    ? `check that the key is the provider's public key for this endpoint`
    : `check that ${secrets > 1 ? 'one of the secrets' : 'the secret'} is this endpoint's signing secret`;
  const where = [scheme.secretWhere, scheme.docs && `see ${scheme.docs}`].filter(Boolean).join('; ');
  return where ? `${what} (${where})` : what;
}

/** Parses a decimal Unix timestamp; NaN when it is not one. */
export function parseUnix(s: string | undefined): number {
  // 1 to 12 ASCII digits, spaces around allowed; a loop rather than a regex (every delivery's path).
  const t = s?.trim();
  if (!t || t.length > 12) return NaN;
  let n = 0;
  for (let i = 0; i < t.length; i++) {
    const digit = t.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return NaN;
    n = n * 10 + digit;
  }
  return n;
}

/**
 * A malformed signature header, with a diagnosis when the value is a well-formed digest in the
 * other encoding (hex where the provider sends base64, or the reverse).
 */
export function malformed(scheme: string, message: string, value: string, expects: 'hex' | 'base64'): Invalid {
  const v = invalid(scheme, 'malformed_header', message);
  const digest = value.trim().replace(/^[a-z0-9]+=/i, '');
  if (expects === 'base64' && /^[0-9a-f]{40}$|^[0-9a-f]{64}$/i.test(digest)) {
    v.diagnosis = `the value is a hex-encoded digest, but ${scheme} sends base64: encode the HMAC digest as base64`;
  } else if (expects === 'hex' && /^[A-Za-z0-9+/]{27}=$|^[A-Za-z0-9+/]{43}=$/.test(digest)) {
    v.diagnosis = `the value is a base64-encoded digest, but ${scheme} sends hex: encode the HMAC digest as hex`;
  }
  return v;
}
