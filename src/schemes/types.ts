import type { Samples } from './samples.js';
import type { Definition } from './definition/schema.js';

/**
 * The vocabulary of the core. Everything here is plain data: no I/O, no colours, no clock
 * (callers pass `now`).
 */

/** A secret as the provider's dashboard shows it (a string), or the exact key bytes. */
export type Secret = string | Uint8Array;

/** Why a delivery was judged the way it was. Stable: scripts and exit codes depend on these. */
export type Reason =
  | 'ok'
  | 'missing_header'
  | 'malformed_header'
  | 'no_match'
  | 'timestamp_too_old'
  | 'timestamp_in_future'
  | 'missing_timestamp'
  | 'bad_secret'
  /** A listener pinned to one scheme (auto-detected from the first valid delivery) got another's header. */
  | 'scheme_mismatch';

export const REASONS: readonly Reason[] = [
  'ok', 'missing_header', 'malformed_header', 'no_match',
  'timestamp_too_old', 'timestamp_in_future', 'missing_timestamp', 'bad_secret', 'scheme_mismatch',
];

export interface SignInput {
  /** The exact bytes to sign; never re-encoded. */
  body: Uint8Array | string;
  /** One signature per secret where the scheme carries several (secret rotation). */
  secrets: Secret[];
  /** Unix seconds; defaults to now where the scheme needs one. */
  timestamp?: number;
  /** Message id where the scheme has one (Standard Webhooks, Svix); defaults to a fresh one. */
  id?: string;
  /** The URL the provider posts to (square, twilio). */
  url?: string;
  /** The request method, for schemes that sign it (`{method}` in a definition); POST by default. */
  method?: string;
  /** Headers the scheme signs besides its own (`{header:Name}` in a definition): name -> value. */
  headers?: Record<string, string>;
}

/** Header name (as the provider spells it) -> value. */
export type SignedHeaders = Record<string, string>;

export interface VerifyInput {
  body: Uint8Array | string;
  /** Any case; arrays are joined the way node:http would. */
  headers: Record<string, string | string[] | undefined>;
  secrets: Secret[];
  /** Unix seconds; defaults to the current time. */
  now?: number;
  /** Seconds; defaults to the scheme's own tolerance. */
  tolerance?: number;
  url?: string;
  /** The request method, for schemes that sign it; POST by default. */
  method?: string;
  /**
   * Other secrets the caller knows of (another environment's, from environment variables), for
   * the diagnosis only: a match names `label`, never the secret. Never accepted as valid. A
   * function is called only when a diagnosis needs them.
   */
  otherSecrets?: OtherSecrets;
  /**
   * Bodies larger than this (bytes) are checked as received only: the other readings a scheme
   * may accept (Dfns: whitespace removed, re-serialized) are left to the diagnosis. The listener
   * sets it, so that a flood of forged large bodies costs one HMAC pass each.
   */
  rawOnlyAbove?: number;
  /**
   * On no_match, look for the mistake that explains the signature (default true). The listener
   * passes false to answer at once, and diagnoses later, off the answer's path.
   */
  diagnose?: boolean;
}

/** Other environments' secrets, or a function giving them (called only when a diagnosis needs them). */
export type OtherSecrets = Array<{ label: string; secret: Secret }> | (() => Array<{ label: string; secret: Secret }>);

/** What a scheme sees: the body as bytes and header names lower-cased. */
export interface Delivery {
  body: Buffer;
  headers: Record<string, string>;
  secrets: Secret[];
  now: number;
  tolerance: number;
  url?: string;
  method?: string;
  /** See VerifyInput.rawOnlyAbove. */
  rawOnlyAbove?: number;
  /** See VerifyInput.otherSecrets: for the diagnosis only. */
  otherSecrets?: OtherSecrets;
}

interface VerdictBase {
  scheme: string;
  /** One human sentence. */
  message: string;
  /**
   * What kind of check was made, in plain words, where it is not whk's own code for a provider:
   * e.g. 'HMAC-SHA256 hex of "timestamp.body", as the custom definition in acme.json says'.
   */
  check?: string;
  /**
   * What was compared, where it is not a signature over the delivery: `token` (a shared secret
   * sent as it is: proves who sent it, not what), `hash` (a digest of body + secret).
   */
  proof?: 'token' | 'hash';
}
export interface Valid extends VerdictBase {
  valid: true;
  reason: 'ok';
  /** What the signature matched, e.g. "raw body" or "compact re-serialization". */
  matched: string;
  /** Seconds between the signed timestamp and `now`, where the scheme has a timestamp. */
  age?: number;
  /** Index into the secrets that matched. */
  secretIndex: number;
}
export interface Invalid extends VerdictBase {
  valid: false;
  reason: Exclude<Reason, 'ok'>;
  /** On no_match: the likely mistake that explains the signature, and what to change. */
  diagnosis?: string;
  age?: number;
}
export type Verdict = Valid | Invalid;

/** How a scheme treats timestamps. */
export interface TimestampRule {
  /** Where the timestamp lives, for humans ("webhook-timestamp header", "timestampSent in the body"). */
  where: string;
  /** Default tolerance in seconds. */
  tolerance: number;
  /** 'both': too old and too far in the future fail; 'past': only too old fails. */
  direction: 'both' | 'past';
  /** Valid only while |age| < tolerance (Dfns); otherwise |age| <= tolerance. */
  strict?: boolean;
  /** What the default tolerance follows, where it is not the provider's documented window. */
  basis?: string;
}

export interface Scheme {
  name: string;
  /** Who uses it, for `whk schemes`. */
  provider: string;
  /** Where the provider documents its signatures. */
  docs?: string;
  /**
   * Where the provider shows the signing secret, said after a no_match nothing else explains:
   * "Stripe shows it in the Dashboard under Developers → Webhooks → your endpoint".
   */
  secretWhere?: string;
  /** The independent implementation whk's tests check this scheme against (an SDK, published vectors). */
  checkedBy?: string;
  /** Other names `--scheme` takes (custom schemes). */
  aliases?: string[];
  /** For schemes made from a definition (`defineScheme`): the definition, as data. */
  definition?: Definition;
  /** Where the definition came from (a file path), for messages; undefined for built-ins. */
  source?: string;
  /** How a secret becomes the HMAC key, where the scheme says (definitions do); diagnosis uses it. */
  keyDecoding?: 'utf8' | 'base64' | 'hex' | 'whsec';
  /** Header names as the provider spells them; the first is the signature header. */
  headers: string[];
  algorithm: string;
  timestamp: TimestampRule | null;
  secretFormat: string;
  /** Whether the provider signs with several secrets at once (rotation). */
  multipleSecrets: boolean;
  /** Whether signing needs the URL the provider posts to. */
  needsUrl?: boolean;
  /** Default Content-Type of the deliveries. */
  contentType: string;
  sign(input: SignInput): SignedHeaders;
  /**
   * For providers that sign fields inside the body (Mailgun's `signature` object): the body as
   * sent, with the signature written in. Everything that signs (send, sign, replay --resign,
   * probe) sends this body, and `sign` then gives the headers that go with it (often none).
   */
  signBody?(input: SignInput): SignedBody;
  verify(delivery: Delivery): Verdict;
  /**
   * Optional, for diagnosis only: signed contents assembled the wrong way that a buggy sender (or
   * receiver) might have used, each with the sentence that explains it.
   */
  misassemblies?(delivery: Delivery): Array<{ matches: boolean; explain: string }>;
  /** Where the provider puts its event type and id, for the listener. */
  eventInfo?(headers: Record<string, string>, json: unknown): { type?: string; id?: string };

  // What the rest of whk needs to know about the provider, said here rather than by testing its
  // name elsewhere (send, probe, replay, diagnosis).
  /** Headers any of which identifies a delivery of this scheme (auto-detection); default: `headers[0]`. */
  detect?: string[];
  /** One of the providers most deliveries come from: its header is named when a delivery carries none whk knows. */
  popular?: boolean;
  /** What the secret is: drives whk's placeholder and wrong secrets, and what diagnosis tries (default text). */
  keyKind?: KeyKind;
  /** A timestamp signed inside the JSON body, as a top-level number: re-signing rewrites it in place. */
  bodyTimestamp?: { field: string; unit: 's' | 'ms' };
  /** A scheme whose signature under this one's headers makes a convincing forgery (probe). */
  forgeryPeer?: string;
  /** A throwaway secret of the right kind, for modes that need no real one (default: by key kind). */
  placeholderSecret?: string;
  /** The provider sends compact JSON only: probe does not send unusual formatting as a must-accept. */
  compactJson?: boolean;
  /** What whk send says about a body of the user's that the provider would not send as it is. */
  bodyNotes?(body: Buffer): string[];
  /** Probe checks of the provider's own: bodies to send signed, each with what it proves. */
  probeChecks?(sampleBody: Buffer): ProbeBodyCheck[];
  /** Sample events for `whk send` and `whk probe`. */
  samples?: Samples;
  /**
   * Whether what is checked covers the body (default true): false for a shared token sent as it
   * is (GitLab's X-Gitlab-Token) or a signature over fields that leave the payload out (Mailgun's
   * timestamp + token). Then a changed body cannot be told, and probe does not ask a receiver to
   * refuse one. `secrets` are the ones the delivery is signed with (a GitLab signing token does
   * cover the body).
   */
  signsBody?(secrets: readonly Secret[]): boolean;
  /**
   * Public keys the provider publishes for everyone (Fireblocks): verifying uses them when no
   * secret is given. Each with a name for messages ("US production").
   */
  publishedKeys?: ReadonlyArray<{ name: string; key: string }>;
  /**
   * The provider's endpoint verification, answered by the listener itself when nothing is
   * forwarded (Meta's hub.challenge, Slack's url_verification, Zoom's endpoint.url_validation...):
   * the answer, or undefined when `req` is not such a request. A signed one (POST) is asked only
   * once its signature is valid.
   */
  handshake?(req: HandshakeRequest): HandshakeAnswer | undefined;
}

/** What a handshake sees of a request. */
export interface HandshakeRequest {
  method: string;
  query: URLSearchParams;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: Buffer;
  secrets: readonly Secret[];
}

/** What the listener answers to a handshake. */
export interface HandshakeAnswer {
  status: number;
  contentType: string;
  body: string;
  /** What it was, for the terminal: "Meta hub.challenge". */
  what: string;
}

/** A body with its signature inside (Scheme.signBody). */
export interface SignedBody {
  body: Buffer;
  /** Where the signature's text is in `body`, [start, end) in bytes: negative modes change it there. */
  signature: [number, number];
}

/**
 * What a secret is. Symmetric: `text` (its UTF-8 bytes), `whsec` (base64 after whsec_), `base64`,
 * `hex`, `token` (compared, not a key). Asymmetric (the sender signs with a private key; receivers
 * verify with the public key or certificate): `ed25519`, `ecdsa`, `rsa`.
 */
export type KeyKind = 'text' | 'whsec' | 'base64' | 'hex' | 'token' | 'ed25519' | 'ecdsa' | 'rsa';

/** Whether receivers verify with a public key: then whk's own signing secret cannot verify. */
export const isKeyPair = (k: KeyKind | undefined): boolean => k === 'ed25519' || k === 'ecdsa' || k === 'rsa';

/** A provider-specific probe check: a body signed as usual, which a receiver must accept. */
export interface ProbeBodyCheck {
  id: string;
  title: string;
  /** What was sent, for the report. */
  sent: string;
  body: Buffer;
  /** What a failure means and what to change. */
  explain: string;
  /** A failure is a WARN, not a FAIL (the provider's own samples get it wrong). */
  warnOnly?: boolean;
}
