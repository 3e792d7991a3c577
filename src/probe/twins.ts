import { allSchemes } from '../schemes/registry.js';
import type { Scheme, SignInput } from '../schemes/types.js';
import { isSignatureHeader } from '../send/negative.js';

/**
 * The digests a signature header carries, prefixes and parameters stripped: `sha256=<hex>` gives
 * the hex, `t=<ts>,v1=<hex>` the hex, `v1,<base64> v1,<base64>` both base64 strings. A digest is
 * a run of 16 or more hex or base64 characters that is not all digits (a timestamp is not one).
 */
export function digestsOf(value: string): string[] {
  return (value.match(/[A-Za-z0-9+/_-]{16,}={0,2}/g) ?? []).filter((d) => !/^\d+$/.test(d));
}

/** Another scheme that signs the same value, and its signature header(s) that carry it. */
export interface Twin {
  scheme: Scheme;
  /** The twin's signature headers (as it spells them) whose digest is one of the scheme's. */
  headers: string[];
}

/**
 * The other schemes whose signature *value* for the same input (body, secret, timestamp, id, URL)
 * is the same as `scheme`'s: a receiver that auto-detects the scheme from the headers would take
 * `scheme`'s signature under their header, and judge it by their rules (GitHub checks no
 * timestamp, so a stale Dfns delivery passes as a GitHub one). Schemes that cannot use the secret
 * are left out. Pure: signing reads no clock when `input.timestamp` is given.
 */
export function signatureTwins(scheme: Scheme, input: SignInput, candidates: readonly Scheme[] = allSchemes()): Twin[] {
  const mine = trySign(scheme, input);
  if (!mine) return [];
  const digests = new Set(Object.entries(mine).filter(([name]) => isSignatureHeader(name)).flatMap(([, v]) => digestsOf(v)));
  // A twin's header that is one of the scheme's own (Meta and GitHub share theirs) carries a
  // genuine delivery, not a forgery: left out.
  const own = new Set(scheme.headers.map((h) => h.toLowerCase()));
  const twins: Twin[] = [];
  for (const other of candidates) {
    if (other.name === scheme.name) continue;
    const theirs = trySign(other, input);
    if (!theirs) continue;
    const headers = Object.entries(theirs)
      .filter(([name, v]) => isSignatureHeader(name) && !own.has(name.toLowerCase()) && digestsOf(v).some((d) => digests.has(d)))
      .map(([name]) => name);
    if (headers.length > 0) twins.push({ scheme: other, headers });
  }
  return twins;
}

function trySign(scheme: Scheme, input: SignInput) {
  try {
    return scheme.sign(input);
  } catch {
    return undefined;
  }
}
