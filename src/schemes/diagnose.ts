import { toBuffer } from './hmac.js';
import { schemes } from './registry.js';
import type { Delivery, Scheme, Secret } from './types.js';

/**
 * On no_match: tries the mistakes people actually make, one at a time, and returns the sentence
 * for the first one that explains the signature, or undefined. Timestamps are ignored here (the
 * question is only "what was signed, with which key").
 */
export function diagnose(scheme: Scheme, d: Delivery, candidates: string[] = []): string | undefined {
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

  for (const other of schemes) {
    if (other === scheme || !candidates.includes(other.name)) continue;
    if (matches(other, {})) return `the signature is valid for --scheme ${other.name}, which uses the same headers: ${other.secretFormat}`;
  }
  return undefined;
}

function secretMistakes(scheme: Scheme, secret: string): Array<[Secret, string]> {
  const out: Array<[Secret, string]> = [];
  if (secret.trim() !== secret) {
    out.push([secret.trim(), 'the signature matches the secret without its surrounding whitespace: trim the secret (a trailing newline from a file or an env var?)']);
  }
  const decodes = scheme.name === 'standard' || scheme.name === 'svix';
  if (decodes) {
    out.push([Buffer.from(secret, 'utf8'), `the sender used the secret's text as the key instead of base64-decoding it: ${scheme.name} keys are the bytes after whsec_ (if the provider does this on purpose, it is --scheme freepik)`]);
  } else if (secret.startsWith('whsec_')) {
    out.push([Buffer.from(secret.slice(6), 'base64'), `the sender base64-decoded the whsec_ secret, but ${scheme.name} uses the whole whsec_... string as text`]);
    out.push([secret.slice(6), `the sender used the secret without its whsec_ prefix; ${scheme.name} uses the whole string`]);
  }
  return out;
}

/** The body as the sender may have serialized it differently from the bytes received. */
export function bodyMistakes(body: Buffer): Array<[Buffer, string]> {
  const text = body.toString('utf8');
  const out: Array<[Buffer, string]> = [];
  const add = (t: string, why: string) => {
    const b = toBuffer(t);
    if (!b.equals(body) && !out.some(([x]) => x.equals(b))) out.push([b, why]);
  };
  const reencoded = (how: string) =>
    `the signature matches this body re-serialized as ${how}, not the bytes received: the body was parsed and re-encoded between signing and verifying (a JSON body parser?); verify the raw request bytes`;
  // Whitespace mistakes first: JSON.parse ignores a trailing newline, so the re-serializations
  // below would otherwise take the credit for them.
  if (text.endsWith('\n')) add(text.replace(/\r?\n$/, ''), 'the signature matches the body without its trailing newline: something appended a newline after signing (an editor, echo, or a heredoc?); sign and verify the same bytes');
  else add(`${text}\n`, 'the signature matches the body plus a trailing newline: the sender signed a newline that was not sent (or it was stripped); sign and verify the same bytes');
  if (text.includes('\r\n')) add(text.replace(/\r\n/g, '\n'), 'the signature matches the body with LF line endings instead of CRLF: line endings were converted after signing');
  let parsed: unknown;
  let isJson = false;
  try {
    parsed = JSON.parse(text);
    isJson = true;
  } catch {
    /* not JSON: only whitespace mistakes apply */
  }
  if (isJson) {
    add(JSON.stringify(parsed), reencoded('compact JSON (JSON.stringify)'));
    add(JSON.stringify(parsed, null, 2), reencoded('JSON with 2-space indentation'));
    add(JSON.stringify(parsed, null, 4), reencoded('JSON with 4-space indentation'));
    add(pyDumps(parsed, ',', ':'), reencoded("Python's json.dumps(separators=(',', ':')), which escapes non-ASCII text (ensure_ascii=True)"));
    add(pyDumps(parsed, ', ', ': '), reencoded("Python's json.dumps default (\", \" and \": \" separators, non-ASCII escaped)"));
  }
  return out;
}

/** JSON the way Python's json.dumps writes it (ensure_ascii=True). */
export function pyDumps(v: unknown, itemSep: string, keySep: string): string {
  if (v === null || typeof v !== 'object') {
    const s = JSON.stringify(v);
    return typeof v === 'string' ? s.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : s;
  }
  if (Array.isArray(v)) return `[${v.map((x) => pyDumps(x, itemSep, keySep)).join(itemSep)}]`;
  return `{${Object.entries(v).map(([k, x]) => pyDumps(k, itemSep, keySep) + keySep + pyDumps(x, itemSep, keySep)).join(itemSep)}}`;
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
