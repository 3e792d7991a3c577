import { WhkError } from '../errors.js';
import type { Registry } from '../schemes/registry.js';
import { signatureDigests, signatureHeaders, signatureTwins, trySign } from '../schemes/twins.js';
import { REASONS, type Invalid, type Scheme, type Secret, type Valid, type Verdict, type VerifyInput } from '../schemes/types.js';

/**
 * Bodies over 64 KB are judged as received only, one HMAC pass: a scheme's other readings (Dfns:
 * the body re-spaced or re-serialized) are the diagnosis's work, in its worker, within its budget.
 */
export const RAW_ONLY_ABOVE = 64 * 1024;

export interface JudgeOptions {
  registry: Registry;
  /** A scheme name, or 'auto' to detect it from the headers. */
  scheme: string;
  secrets: string[];
  /** Seconds; default: the scheme's own. */
  tolerance?: number;
  /** Other environments' secrets, for the no-match diagnosis only (VerifyInput.otherSecrets). */
  otherSecrets?: Array<{ label: string; secret: string }>;
}

export interface Delivery {
  body: Buffer;
  headers: Record<string, string>;
  /** The URL the provider signed (square, twilio), when the scheme needs one. */
  url?: string;
  /** The request method (schemes that sign it: hubspot, contentful). */
  method?: string;
  /** Unix seconds. */
  now: number;
}

/**
 * The judging step: one verdict per delivery, fast enough to answer at once (the no-match
 * diagnosis is left for later, off the answer's path: `diagnose`).
 *
 * With `--scheme auto`, the headers say which scheme signed a delivery. Some schemes sign the
 * same value (GitHub and Dfns both send hex HMAC-SHA256 of the body): a Dfns delivery re-sent
 * under X-Hub-Signature-256 would be judged by GitHub's rules, which have no timestamp. So a
 * signature that is also valid under such a twin is read the stricter way: a stale twin is
 * refused (`timestamp_too_old`, naming both schemes). The first valid delivery that is not
 * ambiguous fixes the scheme for the rest of the run; a delivery that later comes under another
 * scheme's header is refused (`scheme_mismatch`), and recorded as the scheme it was signed as.
 */
export class Judge {
  private readonly fixed: Scheme | undefined;
  /** The scheme auto-detection settled on, and the delivery that settled it. */
  pinned: { scheme: Scheme; seq: number } | undefined;
  /** Per scheme and secret: the twins that carry a timestamp (found once, by signing a probe). */
  private readonly twins = new Map<string, Scheme[]>();

  constructor(private readonly o: JudgeOptions) {
    this.fixed = o.scheme === 'auto' ? undefined : o.registry.get(o.scheme);
  }

  /** The scheme every delivery is judged by, if one is known yet. */
  get scheme(): Scheme | undefined {
    return this.fixed ?? this.pinned?.scheme;
  }

  /** Whether judging `headers` needs the signed URL (square, twilio). */
  needsUrl(headers: Record<string, string>): boolean {
    const s = this.scheme;
    if (s) return Boolean(s.needsUrl);
    return this.o.registry.detect(headers).some((s) => s.needsUrl);
  }

  /** The verdict, without diagnosis. `onPinned` is told when this delivery fixed the scheme. */
  judge(seq: number, d: Delivery, onPinned?: (scheme: string) => void): Verdict {
    if (this.fixed) return this.run(this.fixed, d);
    const pinned = this.pinned?.scheme;
    if (pinned) {
      const detected = this.o.registry.detect(d.headers);
      if (detected.length > 0 && !detected.includes(pinned)) return this.mismatch(detected[0]!, pinned);
    }
    const verdict = this.run(pinned ?? 'auto', d);
    if (!verdict.valid) return verdict;
    const twin = this.stricterTwin(verdict, d);
    if (twin && !twin.valid) return twin;
    if (!this.pinned && !twin) {
      this.pinned = { scheme: this.o.registry.get(verdict.scheme), seq };
      onPinned?.(verdict.scheme);
    }
    return verdict;
  }

  private mismatch(signedAs: Scheme, pinned: Scheme): Verdict {
    return {
      valid: false,
      reason: 'scheme_mismatch',
      scheme: signedAs.name,
      message: `this delivery is signed as ${signedAs.name} (${signedAs.headers[0]}), but this listener verifies ${pinned.name}, fixed by the first valid delivery (#${this.pinned!.seq}); pass --scheme to choose`,
    };
  }

  /**
   * A valid signature read by a twin that carries a timestamp: the twin's verdict when the same
   * signature is one of its signatures too (valid: the delivery is ambiguous; a timestamp refusal:
   * a stale twin), else undefined (the twin does not apply: no such signature, no timestamp).
   */
  private stricterTwin(v: Valid, d: Delivery): Verdict | undefined {
    const scheme = this.o.registry.get(v.scheme);
    if (scheme.timestamp) return undefined;
    const secret = this.o.secrets[v.secretIndex]!;
    const known = this.o.registry.derive(signatureHeaders);
    const presented = signatureDigests(d.headers, known);
    for (const twin of this.twinsOf(scheme, v.secretIndex, secret)) {
      const signed = trySign(twin, { body: d.body, secrets: [secret], url: d.url, method: d.method, headers: d.headers });
      if (!signed || ![...signatureDigests(signed, known)].some((x) => presented.has(x))) continue;
      const headers = { ...d.headers, ...Object.fromEntries(Object.entries(signed).map(([k, x]) => [k.toLowerCase(), x])) };
      const t = this.run(twin, { ...d, headers });
      if (t.valid) return t;
      if (t.reason === 'timestamp_too_old' || t.reason === 'timestamp_in_future') {
        return { ...t, scheme: scheme.name, message: `signed as ${scheme.name} (${scheme.headers[0]}), but the same signature is ${twin.name}'s, and read as ${twin.name} ${t.message.replace(/^timestamp /, 'its timestamp ')}: refused, as a replayed ${twin.name} delivery would be; pass --scheme ${scheme.name} if this listener receives ${scheme.provider} only` };
      }
    }
    return undefined;
  }

  private twinsOf(scheme: Scheme, index: number, secret: Secret): Scheme[] {
    const key = `${scheme.name}\n${index}`;
    let found = this.twins.get(key);
    if (!found) {
      const probe = { body: '{"whk":"twin probe","timestampSent":1700000000,"webhookTimestamp":1700000000000}', secrets: [secret], timestamp: 1700000000, id: 'msg_whk_twin_probe', url: 'https://example.com/webhooks', method: 'POST' };
      found = signatureTwins(scheme, probe, this.o.registry.all).map((t) => t.scheme).filter((t) => t.timestamp);
      this.twins.set(key, found);
    }
    return found;
  }

  /** What the no-match diagnosis of `verdict` needs (the slow part, for after the answer): the scheme and the core's input. */
  diagnosisCall(verdict: Verdict, d: Delivery): { scheme: string; input: VerifyInput } {
    return { scheme: verdict.scheme, input: { body: d.body, headers: d.headers, secrets: this.o.secrets, tolerance: this.o.tolerance, url: d.url, method: d.method, now: d.now, otherSecrets: this.o.otherSecrets, diagnose: true } };
  }

  private run(scheme: Scheme | string, d: Delivery, diagnose = false): Verdict {
    const name = typeof scheme === 'string' ? scheme : scheme.name;
    try {
      return this.o.registry.verify(scheme, { body: d.body, headers: d.headers, secrets: this.o.secrets, tolerance: this.o.tolerance, url: d.url, method: d.method, now: d.now, diagnose, rawOnlyAbove: RAW_ONLY_ABOVE });
    } catch (e) {
      // Misuse the core detected for this delivery (a secret this scheme cannot decode, no URL):
      // a verdict like any other, never a crash. Anything else is a body the core could not
      // handle (a stack overflow on absurd nesting): refused, and said so.
      if (e instanceof WhkError && (REASONS as readonly string[]).includes(e.code) && e.code !== 'ok') {
        return { valid: false, reason: e.code as Invalid['reason'], scheme: name, message: e.message };
      }
      if (e instanceof WhkError) return { valid: false, reason: 'bad_secret', scheme: name, message: e.message };
      return { valid: false, reason: 'no_match', scheme: name, message: `the delivery could not be checked: ${(e as Error).message}` };
    }
  }
}
