import type { Scheme, SignInput } from './types.js';

/**
 * Signature twins: schemes whose signature *value* for the same input is the same. A receiver
 * that detects the scheme from the headers would take one's signature under the other's header
 * and judge it by the other's rules (GitHub checks no timestamp, so a stale Dfns delivery passes
 * as a GitHub one). Pure: signing reads no clock when `input.timestamp` is given.
 */

/** The first header of every scheme, lower-cased: `registry.derive(signatureHeaders)`. */
export const signatureHeaders = (list: readonly Scheme[]): ReadonlySet<string> => new Set(list.map((s) => s.headers[0]!.toLowerCase()));

/** Whether a header carries a signature: by its name, or because it is one of `known` (some scheme's first header: X-Gitlab-Token). */
export const isSignatureHeader = (name: string, known: ReadonlySet<string>) =>
  (/signature|hmac/i.test(name) && !/timestamp/i.test(name)) || known.has(name.toLowerCase());

/**
 * The digests a signature header carries, prefixes and parameters stripped: `sha256=<hex>` gives
 * the hex, `t=<ts>,v1=<hex>` the hex, `v1,<base64> v1,<base64>` both base64 strings. A digest is
 * a run of 16 or more hex or base64 characters that is not all digits (a timestamp is not one).
 */
export function digestsOf(value: string): string[] {
  return (value.match(/[A-Za-z0-9+/_-]{16,}={0,2}/g) ?? []).filter((d) => !/^\d+$/.test(d));
}

/** The digests of the signature headers among `headers`. */
export function signatureDigests(headers: Record<string, string>, known: ReadonlySet<string>): Set<string> {
  return new Set(Object.entries(headers).filter(([name]) => isSignatureHeader(name, known)).flatMap(([, v]) => digestsOf(v)));
}

/** Another scheme that signs the same value, and its signature header(s) that carry it. */
export interface Twin {
  scheme: Scheme;
  /** The twin's signature headers (as it spells them) whose digest is one of the scheme's. */
  headers: string[];
}

/**
 * The other schemes among `candidates` whose signature of `input` carries one of `scheme`'s
 * digests. Schemes that cannot use the secret are left out. A twin's header that is one of this
 * scheme's own (Meta and GitHub share theirs) carries no forgery: it is this scheme's delivery.
 */
export function signatureTwins(scheme: Scheme, input: SignInput, candidates: readonly Scheme[]): Twin[] {
  const mine = trySign(scheme, input);
  if (!mine) return [];
  const known = signatureHeaders([scheme, ...candidates]);
  const digests = signatureDigests(mine, known);
  const own = new Set(scheme.headers.map((h) => h.toLowerCase()));
  const twins: Twin[] = [];
  for (const other of candidates) {
    if (other.name === scheme.name) continue;
    const theirs = trySign(other, input);
    if (!theirs) continue;
    const headers = Object.entries(theirs)
      .filter(([name, v]) => isSignatureHeader(name, known) && !own.has(name.toLowerCase()) && digestsOf(v).some((d) => digests.has(d)))
      .map(([name]) => name);
    if (headers.length > 0) twins.push({ scheme: other, headers });
  }
  return twins;
}

export function trySign(scheme: Scheme, input: SignInput): Record<string, string> | undefined {
  try {
    return scheme.sign(input);
  } catch {
    return undefined;
  }
}
