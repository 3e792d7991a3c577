import { findSample, samplesFor } from '../providers/samples.js';
import type { Registry } from '../schemes/registry.js';
import type { Sample, Samples } from '../schemes/samples.js';
import { digestsOf, isSignatureHeader, signatureHeaders, signatureTwins } from '../schemes/twins.js';
import type { Scheme, Secret, SignInput } from '../schemes/types.js';
import { builder, type OutRequest } from '../send/build.js';
import { editBodySignature, wrongSecret, type Negative } from '../send/negative.js';

/** What a check expects of the receiver. */
export type Expectation = 'accept' | 'refuse' | 'duplicate' | 'info';

export interface Check {
  id: string;
  title: string;
  expect: Expectation;
  /** What was sent, in one line. */
  sent: string;
  /** Builds the request(s) just before they are sent (timestamps are now): two for the duplicate. */
  requests: () => OutRequest[];
  /** When it fails: what the receiver's code is probably doing, and the fix. */
  explain: string;
  /** A failure here is a WARN, not a FAIL (what only breaks receivers following a provider's own sample code). */
  warnOnly?: boolean;
}

export interface BatteryOptions {
  /** The run's schemes: forgeries are made with the others. */
  registry: Registry;
  scheme: Scheme;
  secrets: Secret[];
  url: URL;
  /** Unix ms; the probe's clock. */
  now?: () => number;
}

/**
 * The deliveries `whk probe` sends: what a receiver must accept, what it must refuse, and the
 * duplicate. Built from the same sample events and signing as `whk send`.
 */
export function battery(o: BatteryOptions): Check[] {
  const p = probeContext(o);
  return [...acceptChecks(p), ...forgeryChecks(p), ...timestampChecks(p), ...otherSchemeChecks(p), ...twinHeaderChecks(p), duplicateCheck(p)];
}

type BuildExtra = { negative?: Negative; secrets?: Secret[]; body?: Buffer; scheme?: Scheme; clock?: () => number };

/** What every check is made from: the scheme, its sample event, and a way to build one delivery of it. */
interface ProbeContext extends BatteryOptions {
  provider: Samples;
  sample: Sample;
  /** One delivery of the sample event, signed now (or as `extra` says). */
  one: (extra?: BuildExtra) => OutRequest;
  isSignature: (name: string) => boolean;
  /** The scheme's first header (its signature header, mostly). */
  header: string;
  tolerance: number;
  /** How old a stale delivery is: past the tolerance by as much again (at least 5 minutes). */
  staleMs: number;
  /** The sample's body bytes, as signed. */
  raw: Buffer;
}

function probeContext(o: BatteryOptions): ProbeContext {
  const { scheme, secrets, url, registry } = o;
  const provider = samplesFor(scheme);
  const sample = findSample(provider, undefined);
  const one = (extra: BuildExtra = {}) => {
    const b = builder({
      scheme: extra.scheme ?? scheme, provider, sample, body: extra.body, secrets: extra.secrets ?? secrets, url, negative: extra.negative, clock: extra.clock ?? o.now, userAgent: 'whk-probe',
    });
    return b.build(b.newEvent());
  };
  const tolerance = scheme.timestamp?.tolerance ?? 0;
  return {
    ...o, provider, sample, one, tolerance,
    isSignature: (name) => isSignatureHeader(name, registry.derive(signatureHeaders)),
    header: scheme.headers[0]!,
    staleMs: (tolerance + Math.max(tolerance, 300)) * 1000,
    raw: Buffer.from(one().body),
  };
}

const refusal = (id: string, title: string, sent: string, req: () => OutRequest, explain: string): Check => ({ id, title, expect: 'refuse', sent, requests: () => [req()], explain });

/** What a receiver must accept: the valid event, a rotation's two signatures, unusual JSON, the scheme's own. */
function acceptChecks({ scheme, secrets, provider, sample, one, header, raw }: ProbeContext): Check[] {
  const checks: Check[] = [];
  checks.push({
    id: 'valid', title: 'valid event', expect: 'accept', sent: `a ${sample.event} event, signed as ${provider.scheme} signs it`, requests: () => [one()],
    explain: 'a genuine delivery was refused: check the secret, that you verify the raw body bytes, and the response your handler returns',
  });
  if (scheme.multipleSecrets && secrets.length === 1) {
    checks.push({
      id: 'rotation', title: 'secret rotation (two signatures, wrong one first)', expect: 'accept',
      sent: `the same event signed with an old secret and the right one, both in ${header}`,
      requests: () => [one({ secrets: [wrongSecret(scheme, secrets[0]), secrets[0]!] })],
      explain: `your receiver checks only the first signature in ${header}; during secret rotation the provider sends one per active secret: accept the delivery if any of them matches`,
    });
  }
  const json = parseJson(raw);
  if (json !== undefined && !scheme.compactJson) {
    const unusual = unusualJson(json);
    checks.push({
      id: 'formatting', title: 'unusual but legal JSON formatting', expect: 'accept',
      sent: 'the event pretty-printed with spaces, newlines and \\u escapes, signed over exactly those bytes', requests: () => [one({ body: unusual })],
      explain: 'your receiver verifies a re-serialized body (a JSON body parser ran before the signature check, then JSON.stringify): verify the raw request bytes, before parsing',
    });
  }
  for (const c of scheme.probeChecks?.(raw) ?? []) {
    checks.push({ id: c.id, title: c.title, expect: 'accept', ...(c.warnOnly ? { warnOnly: true } : {}), sent: c.sent, requests: () => [one({ body: c.body })], explain: c.explain });
  }
  return checks;
}

/** What a receiver must refuse: a changed body, a changed, wrong, missing or malformed signature. */
function forgeryChecks({ scheme, secrets, one, header, isSignature }: ProbeContext): Check[] {
  const checks: Check[] = [];
  // A shared token, or a signature over fields that leave the payload out (Mailgun), cannot tell
  // a changed body: a receiver that accepts one is right to.
  if (scheme.signsBody?.(secrets) ?? true) {
    checks.push(refusal('tampered-body', 'tampered body', 'the event with one byte changed after signing', () => one({ negative: { kind: 'tamper-body' } }),
      'your receiver accepted a body that does not match its signature: it does not verify the signature at all, or verifies something else than the raw body'));
  }
  checks.push(
    refusal('tampered-signature', 'tampered signature', `one character of ${header} changed`, () => one({ negative: { kind: 'tamper-signature' } }),
      'your receiver accepted a signature that does not match: compare the computed signature with the received one (crypto.timingSafeEqual) and refuse on mismatch'),
    refusal('wrong-secret', 'wrong secret', 'the event signed with a secret of the same shape that is not yours', () => one({ negative: { kind: 'wrong-secret' } }),
      'your receiver accepted a signature made with another secret: it does not verify the signature, or verifies with a key that is not the secret'),
    refusal('missing-signature', 'missing signature header', `the event without ${scheme.headers.filter(isSignature).join(', ') || header}`, () => one({ negative: { kind: 'no-signature' } }),
      `your receiver accepted a delivery without ${header}: a missing header must be a refusal (401), not a skipped check`),
    refusal('malformed-signature', 'malformed signature header', `${header} set to "garbage"`, () => garbage(one(), isSignature),
      `your receiver accepted a ${header} it cannot parse: refuse anything that is not a well-formed, matching signature`),
  );
  return checks;
}

/** A stale timestamp, and one in the future where the scheme refuses both. */
function timestampChecks({ scheme, one, tolerance, staleMs }: ProbeContext): Check[] {
  if (!scheme.timestamp) return [];
  const checks = [
    refusal('stale-timestamp', 'stale timestamp', `signed ${staleMs / 1000} s ago (${scheme.name} allows ${tolerance} s)`, () => one({ negative: { kind: 'stale', ms: staleMs } }),
      `your receiver accepted a delivery signed ${staleMs / 1000} s ago: check the timestamp (${scheme.timestamp.where}) and refuse beyond ${tolerance} s, or anyone who captured one delivery can replay it`),
  ];
  if (scheme.timestamp.direction === 'both') {
    checks.push(refusal('future-timestamp', 'timestamp in the future', `signed ${staleMs / 1000} s in the future`, () => one({ negative: { kind: 'future', ms: staleMs } }),
      `your receiver accepted a timestamp ${staleMs / 1000} s in the future: ${scheme.name} refuses timestamps beyond ${tolerance} s either way`));
  }
  return checks;
}

/** The event signed another scheme's way with the same secret. */
function otherSchemeChecks({ registry, scheme, secrets, url, one, header, raw, now }: ProbeContext): Check[] {
  const other = otherScheme(registry, scheme, { body: raw, secrets, timestamp: Math.floor((now ?? Date.now)() / 1000), id: 'whk-probe-other', url: url.href });
  if (!other || !buildable(() => one({ scheme: other }))) return [];
  return [refusal('other-scheme', `signature for another scheme (${other.name})`, `the event signed the ${other.name} way with your secret`, () => one({ scheme: other }),
    sharesHeaders(scheme, other)
      ? `your receiver accepted a signature made the ${other.name} way; for ${scheme.name} the secret is ${scheme.secretFormat}`
      : `your receiver accepted a delivery that carries only ${other.name}'s signature headers: require ${header} and refuse without it`)];
}

/**
 * Schemes that sign the same value (Dfns, GitHub and Linear all send the hex HMAC-SHA256 of the
 * body): a receiver that detects the scheme from each request's headers judges this scheme's
 * signature by the other's rules. GitHub checks no timestamp, so a stale Dfns delivery passes
 * as a GitHub one. Sent: the genuine but stale signature (the valid one where this scheme has no
 * timestamp), its headers replaced by the other scheme's.
 */
function twinHeaderChecks({ registry, scheme, secrets, url, one, staleMs, raw, now, isSignature }: ProbeContext): Check[] {
  const clock = now ?? Date.now;
  const twins = signatureTwins(scheme, { body: raw, secrets, timestamp: Math.floor(clock() / 1000), id: 'whk-probe-twin', url: url.href }, registry.all);
  const stale = scheme.timestamp !== null;
  return twins.map((twin) => {
    const other = twin.scheme;
    const where = `${other.name}'s ${twin.headers[0]}`;
    const why = stale && !other.timestamp ? `, where ${other.name} checks no timestamp` : '';
    return refusal(
      `other-header-${other.name}`, `signature under another scheme's header (${where})`,
      `${stale ? `a ${scheme.name} delivery signed ${staleMs / 1000} s ago` : `a valid ${scheme.name} delivery`}, its signature moved to ${twin.headers[0]} (${other.name} signs the same value)`,
      () => {
        const t = clock();
        const req = one({ clock: () => t, ...(stale ? { negative: { kind: 'stale', ms: staleMs } } : {}) });
        const signed = { body: req.body, secrets, timestamp: Math.floor((t - (stale ? staleMs : 0)) / 1000), id: req.id, url: url.href };
        return underTwinHeader(req, scheme, other, signed, isSignature);
      },
      `your receiver accepted ${stale ? `a ${staleMs / 1000} s old` : 'a'} ${scheme.name} signature re-sent under ${where}${why}: verify only the header of the provider you configured; pin the scheme instead of auto-detecting per request`,
    );
  });
}

function duplicateCheck({ one }: ProbeContext): Check {
  return {
    id: 'duplicate', title: 'the same event delivered twice', expect: 'duplicate', sent: 'one valid delivery, then the identical one again (same id)',
    requests: () => {
      const req = one();
      return [req, req];
    },
    explain: 'your receiver refused a redelivery: providers deliver at least once, so answer 2xx to duplicates and skip processing them by event id',
  };
}

/** Whether the secret can sign this way at all (a freepik secret may not be base64, for one). */
function buildable(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch {
    return false;
  }
}

const parseJson = (b: Buffer): unknown => {
  try {
    return JSON.parse(b.toString('utf8'));
  } catch {
    return undefined;
  }
};

/** Legal JSON no serializer writes by default: spaced, indented with tabs, ASCII-escaped, with \/ . */
export function unusualJson(value: unknown): Buffer {
  const text = JSON.stringify(value, null, '\t')
    .replace(/":/g, '" :')
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\//g, '\\/');
  return Buffer.from(`\n${text}\r\n`);
}

/** The request with its signature set to "garbage": in the signature headers, and inside the body where the scheme signs there. */
function garbage(req: OutRequest, isSignature: (name: string) => boolean): OutRequest {
  const out = withHeader(req, isSignature, 'garbage');
  if (!req.signatureSpan) return out;
  const { body, span } = editBodySignature(Buffer.from(req.body), req.signatureSpan, 'garbage');
  return { ...out, body, signatureSpan: span };
}

function withHeader(req: OutRequest, match: (name: string) => boolean, value: string): OutRequest {
  const headers = [...req.headers];
  for (let i = 0; i < headers.length; i += 2) if (match(headers[i]!)) headers[i + 1] = value;
  return { ...req, headers };
}

/**
 * `req` with `scheme`'s signature headers removed and `twin`'s added: the twin's signature headers
 * that carry the same digest (the very signature `scheme` made), and its timestamp or id headers.
 * `input` is what `req` was signed with.
 */
function underTwinHeader(req: OutRequest, scheme: Scheme, twin: Scheme, input: SignInput, isSignature: (name: string) => boolean): OutRequest {
  const mine = new Set(scheme.headers.filter(isSignature).map((h) => h.toLowerCase()));
  const headers: string[] = [];
  const digests = new Set<string>();
  for (let i = 0; i < req.headers.length; i += 2) {
    const [name, value] = [req.headers[i]!, req.headers[i + 1]!];
    if (mine.has(name.toLowerCase())) digestsOf(value).forEach((d) => digests.add(d));
    else headers.push(name, value);
  }
  const present = new Set(headers.filter((_, i) => i % 2 === 0).map((h) => h.toLowerCase()));
  let moved = false;
  for (const [name, value] of Object.entries(twin.sign(input))) {
    const carries = isSignature(name) && digestsOf(value).some((d) => digests.has(d));
    moved ||= carries;
    if (carries || (!isSignature(name) && !present.has(name.toLowerCase()))) headers.push(name, value);
  }
  // Without the signature, a refusal would prove nothing: never a PASS for a check not made.
  if (!moved) throw new Error(`whk probe: ${twin.name} did not sign the value ${scheme.name} signed for this delivery`);
  return { ...req, headers };
}

const sharesHeaders = (a: Scheme, b: Scheme) => a.headers[0]!.toLowerCase() === b.headers[0]!.toLowerCase();

/**
 * A scheme to forge with: the provider's own choice, else one with the same headers, else a common
 * one; never one whose signature is the same as this scheme's for the same input (ClickUp and
 * Lemon Squeezy both send the hex HMAC-SHA256 of the body in X-Signature: that "forgery" would be a
 * genuine delivery).
 */
function otherScheme(registry: Registry, s: Scheme, input: SignInput): Scheme | undefined {
  const known = registry.derive(signatureHeaders);
  const digests = (x: Scheme) => {
    try {
      return Object.entries(x.sign(input)).filter(([name]) => isSignatureHeader(name, known)).flatMap(([, v]) => digestsOf(v));
    } catch {
      return undefined;
    }
  };
  const mine = new Set(digests(s) ?? []);
  const names = [s.forgeryPeer, ...registry.all.filter((o) => o !== s && sharesHeaders(o, s)).map((o) => o.name), 'stripe', 'github'];
  for (const name of new Set(names)) {
    if (name === undefined || name === s.name) continue;
    const other = registry.find(name);
    if (!other) continue;
    const theirs = digests(other);
    if (theirs && !theirs.some((d) => mine.has(d))) return other;
  }
  return undefined;
}

