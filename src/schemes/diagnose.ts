import type { Delivery, Scheme, Secret } from './types.js';

/**
 * Bodies up to this size get every check. Above it, the JSON re-serializations (a parse and five
 * re-encodings, each a full copy of the body as a string and as bytes) are skipped: they cost
 * tens of milliseconds per MiB and several times the body in memory, while the other checks cost
 * one HMAC each. 1 MiB is the listener's default --max-body, so every delivery it accepts by
 * default gets the full diagnosis; frameworks that re-encode bodies do it to API-sized payloads.
 */
export const REENCODE_LIMIT = 1024 * 1024;

/**
 * Above this size, no check that needs a copy of the body (the body plus a newline, CRLF turned
 * into LF) is tried either: `whk verify` of a 500 MB file holds it in memory once, wrong secret
 * or not.
 */
export const COPY_LIMIT = 64 * 1024 * 1024;

/**
 * On no_match: tries the mistakes people actually make, one at a time, and returns the sentence
 * for the first one that explains the signature, or undefined. Timestamps are ignored here (the
 * question is only "what was signed, with which key"). A JSON body over `REENCODE_LIMIT` that
 * nothing explains gets a sentence saying its re-serialized forms were not tried.
 */
export function diagnose(scheme: Scheme, d: Delivery, candidates: readonly Scheme[] = []): string | undefined {
  const base: Delivery = { ...d, tolerance: Number.POSITIVE_INFINITY };
  const matches = (s: Scheme, changes: Partial<Delivery>) => {
    try {
      return s.verify({ ...base, ...changes }).valid;
    } catch {
      return false;
    }
  };

  for (const secret of d.secrets) {
    if (typeof secret !== 'string') continue;
    for (const [alt, why] of secretMistakes(scheme, secret)) {
      if (matches(scheme, { secrets: [alt] })) return why;
    }
  }

  // The other environment's secret (test and live, staging and production): one the caller knows
  // of (an environment variable), named, never shown.
  const others = typeof d.otherSecrets === 'function' ? d.otherSecrets() : (d.otherSecrets ?? []);
  for (const other of others) {
    if (matches(scheme, { secrets: [other.secret] })) {
      return `the signature matches the secret in ${other.label}, not the one given: the delivery comes from the other environment (test or live, staging or production), or the secrets were swapped: verify with that environment's secret`;
    }
  }

  for (const [body, why] of bodyMistakes(d.body)) {
    if (matches(scheme, { body })) return why;
  }

  const sigHeader = scheme.headers[0]!.toLowerCase();
  const presented = d.headers[sigHeader];
  if (presented !== undefined) {
    for (const [value, why] of encodingMistakes(scheme, presented)) {
      if (matches(scheme, { headers: { ...d.headers, [sigHeader]: value } })) return why;
    }
  }

  for (const m of scheme.misassemblies?.(base) ?? []) if (m.matches) return m.explain;

  for (const other of candidates) {
    if (other === scheme) continue;
    if (matches(other, {})) return `the signature is valid for the ${other.name} scheme, which uses the same headers: ${other.secretFormat}`;
  }
  // An API key where the webhook signing secret belongs: nothing can match, say so.
  const apiKey = d.secrets.find((s): s is string => typeof s === 'string' && API_KEY.test(s.trim()));
  if (apiKey !== undefined) {
    const prefix = API_KEY.exec(apiKey.trim())![0];
    return `the secret is an API key (${prefix}...), not the webhook signing secret: take the signing secret from the webhook endpoint's settings (Stripe: whsec_..., under Developers > Webhooks)`;
  }
  if (d.body.length > COPY_LIMIT) {
    return `the body is over ${COPY_LIMIT / 1024 / 1024} MiB, so only the checks that need no copy of it were tried (secret, encoding, a trailing newline too many), and none explains the signature`;
  }
  if (d.body.length > REENCODE_LIMIT && looksLikeJson(d.body)) {
    return `the body is over ${REENCODE_LIMIT / 1024 / 1024} MiB, so its re-serialized JSON forms were not tried (whitespace, secret and encoding mistakes were, and none explains the signature)`;
  }
  return undefined;
}

/** API keys of the providers that have them (Stripe sk_/rk_/pk_, Clerk sk_, Resend re_...). */
const API_KEY = /^(?:sk|rk|pk)_(?:live|test)_|^sk_(?=[A-Za-z0-9]{20})|^re_(?=[A-Za-z0-9_]{20})/;

/** Whether the first byte that is not whitespace opens a JSON object or array. */
function looksLikeJson(body: Buffer): boolean {
  for (const c of body) {
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return c === 0x7b || c === 0x5b;
  }
  return false;
}

function secretMistakes(scheme: Scheme, secret: string): Array<[Secret, string]> {
  const out: Array<[Secret, string]> = [];
  if (secret.trim() !== secret) {
    out.push([secret.trim(), 'the signature matches the secret without its surrounding whitespace: trim the secret (a trailing newline from a file or an env var?)']);
  }
  const decoding = scheme.keyDecoding ?? 'utf8';
  if (scheme.keyKind === 'whsec' && !scheme.keyDecoding) {
    out.push([Buffer.from(secret, 'utf8'), `the sender used the secret's text as the key instead of base64-decoding it: ${scheme.name} keys are the bytes after whsec_${scheme.forgeryPeer ? ` (if the provider does this on purpose, it is the ${scheme.forgeryPeer} scheme)` : ''}`]);
  } else if (decoding !== 'utf8') {
    out.push([Buffer.from(secret, 'utf8'), `the sender used the secret's text as the key instead of decoding it: ${scheme.name} keys are the ${decoding === 'hex' ? 'hex' : 'base64'}-decoded bytes${decoding === 'whsec' ? ' after whsec_' : ''} ("key": "${decoding}")`]);
  } else if (secret.startsWith('whsec_')) {
    out.push([Buffer.from(secret.slice(6), 'base64'), `the sender base64-decoded the whsec_ secret, but ${scheme.name} uses the whole whsec_... string as text`]);
    out.push([secret.slice(6), `the sender used the secret without its whsec_ prefix; ${scheme.name} uses the whole string`]);
  }
  return out;
}

const NL = Buffer.from('\n');

/**
 * The body as the sender may have serialized it differently from the bytes received, one form at
 * a time (each is built only when the previous one did not explain the signature, and dropped
 * after): whitespace mistakes, worked on the bytes, then, up to `limit` bytes, JSON
 * re-serializations.
 */
export function* bodyMistakes(body: Buffer, limit = REENCODE_LIMIT, copyLimit = COPY_LIMIT): Generator<[Buffer, string]> {
  // Whitespace mistakes first: JSON.parse ignores a trailing newline, so the re-serializations
  // below would otherwise take the credit for them. Each form differs from the body and from the
  // others (in length or in bytes).
  if (body[body.length - 1] === 0x0a) {
    yield [body.subarray(0, body.length - (body[body.length - 2] === 0x0d ? 2 : 1)), 'the signature matches the body without its trailing newline: something appended a newline after signing (an editor, echo, or a heredoc?); sign and verify the same bytes'];
  } else if (body.length <= copyLimit) {
    yield [Buffer.concat([body, NL]), 'the signature matches the body plus a trailing newline: the sender signed a newline that was not sent (or it was stripped); sign and verify the same bytes'];
  }
  if (body.length <= copyLimit && body.includes('\r\n')) yield [withoutCr(body), 'the signature matches the body with LF line endings instead of CRLF: line endings were converted after signing'];
  if (body.length > limit) return;

  const text = body.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return; // not JSON: only whitespace mistakes apply
  }
  const reencoded = (how: string) =>
    `the signature matches this body re-serialized as ${how}, not the bytes received: the body was parsed and re-encoded between signing and verifying (a JSON body parser?); verify the raw request bytes`;
  // Built one at a time, cheapest first; Python's forms derive from the compact one by string
  // passes (its escapes of non-ASCII text, its separators) instead of a walk of the parsed value.
  const compact = JSON.stringify(parsed);
  let ascii: string | undefined;
  const pyCompact = () => (ascii ??= asciiOnly(compact));
  const forms: Array<[() => string, string]> = [
    [() => compact, 'compact JSON (JSON.stringify)'],
    [() => JSON.stringify(parsed, null, 2), 'JSON with 2-space indentation'],
    [() => JSON.stringify(parsed, null, 4), 'JSON with 4-space indentation'],
    [pyCompact, "Python's json.dumps(separators=(',', ':')), which escapes non-ASCII text (ensure_ascii=True)"],
    [() => spaced(pyCompact()), "Python's json.dumps default (\", \" and \": \" separators, non-ASCII escaped)"],
  ];
  const tried = new Set([text]);
  for (const [make, how] of forms) {
    const t = make();
    if (tried.has(t)) continue;
    tried.add(t);
    yield [Buffer.from(t, 'utf8'), reencoded(how)];
  }
}

/** The bytes with every CR that precedes an LF removed. */
function withoutCr(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(body.length);
  let n = 0;
  let from = 0;
  for (let i = body.indexOf('\r\n'); i !== -1; i = body.indexOf('\r\n', i + 2)) {
    n += body.copy(out, n, from, i);
    from = i + 1;
  }
  n += body.copy(out, n, from);
  return out.subarray(0, n);
}

/** JSON text with non-ASCII characters escaped as \uXXXX, as Python's ensure_ascii does. */
export const asciiOnly = (json: string): string =>
  json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Compact JSON text with Python's default separators: ", " and ": " outside strings. */
export function spaced(compact: string): string {
  // A scan rather than a regular expression with a callback per token: 4× faster on large bodies.
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < compact.length; i++) {
    const c = compact.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x2c || c === 0x3a) {
      out += `${compact.slice(from, i + 1)} `;
      from = i + 1;
    }
  }
  return out + compact.slice(from);
}

/** The signature header with hex signatures rewritten as base64 and the other way round. */
function encodingMistakes(scheme: Scheme, header: string): Array<[string, string]> {
  const hexToB64 = header.replace(/[0-9a-f]{40,128}/gi, (h) => Buffer.from(h, 'hex').toString('base64'));
  const b64ToHex = header.replace(/[A-Za-z0-9+/]{27,88}={0,2}/g, (b) => (/^[0-9a-f]+$/i.test(b) ? b : Buffer.from(b, 'base64').toString('hex')));
  return [
    [hexToB64, `the signature is hex-encoded, but ${scheme.name} sends base64: encode the HMAC digest as base64`],
    [b64ToHex, `the signature is base64-encoded, but ${scheme.name} sends hex: encode the HMAC digest as hex`],
  ].filter(([v]) => v !== header) as Array<[string, string]>;
}
