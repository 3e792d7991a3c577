import { verify } from '../schemes/core.js';
import { WhkError } from '../errors.js';
import { detectScheme, getScheme } from '../schemes/registry.js';
import { REASONS, type Invalid, type Scheme, type Verdict, type VerifyInput } from '../schemes/types.js';

export interface JudgeOptions {
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
 * With `--scheme auto`, the first valid delivery fixes the scheme for the rest of the run: a
 * delivery that later comes under another scheme's header is refused (`scheme_mismatch`)
 * instead of being judged by that scheme's weaker rules (a one-hour-old Dfns signature is a
 * valid GitHub X-Hub-Signature-256, which has no timestamp).
 */
export class Judge {
  private readonly fixed: Scheme | undefined;
  /** The scheme auto-detection settled on, and the delivery that settled it. */
  pinned: { scheme: Scheme; seq: number } | undefined;

  constructor(private readonly o: JudgeOptions) {
    this.fixed = o.scheme === 'auto' ? undefined : getScheme(o.scheme);
  }

  /** The scheme every delivery is judged by, if one is known yet. */
  get scheme(): Scheme | undefined {
    return this.fixed ?? this.pinned?.scheme;
  }

  /** Whether judging `headers` needs the signed URL (square, twilio). */
  needsUrl(headers: Record<string, string>): boolean {
    const s = this.scheme;
    if (s) return Boolean(s.needsUrl);
    return detectScheme(headers).some((n) => getScheme(n).needsUrl);
  }

  /** The verdict, without diagnosis. `onPinned` is told when this delivery fixed the scheme. */
  judge(seq: number, d: Delivery, onPinned?: (scheme: string) => void): Verdict {
    const pinned = this.pinned?.scheme;
    if (pinned && !this.fixed) {
      const detected = detectScheme(d.headers);
      if (detected.length > 0 && !detected.includes(pinned.name)) {
        const other = getScheme(detected[0]!);
        return {
          valid: false,
          reason: 'scheme_mismatch',
          scheme: pinned.name,
          message: `this delivery is signed as ${other.name} (${other.headers[0]}), but this listener verifies ${pinned.name}, fixed by the first valid delivery (#${this.pinned!.seq}); pass --scheme to choose`,
        };
      }
    }
    const verdict = this.run(pinned ?? this.fixed ?? 'auto', d, false);
    if (verdict.valid && !this.fixed && !this.pinned) {
      this.pinned = { scheme: getScheme(verdict.scheme), seq };
      onPinned?.(verdict.scheme);
    }
    return verdict;
  }

  /** What the no-match diagnosis of `verdict` needs (the slow part, for after the answer): the scheme and the core's input. */
  diagnosisCall(verdict: Verdict, d: Delivery): { scheme: string; input: VerifyInput } {
    return { scheme: verdict.scheme, input: { body: d.body, headers: d.headers, secrets: this.o.secrets, tolerance: this.o.tolerance, url: d.url, method: d.method, now: d.now, otherSecrets: this.o.otherSecrets, diagnose: true } };
  }

  private run(scheme: Scheme | string, d: Delivery, diagnose: boolean): Verdict {
    const name = typeof scheme === 'string' ? scheme : scheme.name;
    try {
      return verify(scheme, { body: d.body, headers: d.headers, secrets: this.o.secrets, tolerance: this.o.tolerance, url: d.url, method: d.method, now: d.now, diagnose });
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
