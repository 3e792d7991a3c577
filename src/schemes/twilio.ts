import { twilio as samples } from '../send/samples/twilio.js';
import { createHash } from 'node:crypto';
import { requireUrl } from './fields.js';
import { hmacBase64, toBuffer } from './hmac.js';
import type { Delivery, Scheme, Secret } from './types.js';
import { invalid, matchSecret, noMatch, valid, malformed } from './verdict.js';

/**
 * What Twilio signs: the URL followed by each form parameter's name and value, sorted by name;
 * a repeated parameter contributes each distinct value once, sorted (as Twilio's SDKs do).
 * JSON bodies are not signed as parameters: the URL carries `bodySHA256` instead.
 */
export function twilioContent(url: string, body: Uint8Array | string): string {
  const text = toBuffer(body).toString('utf8');
  if (/^\s*[[{]/.test(text)) return url;
  const params = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(text)) params.set(k, [...(params.get(k) ?? []), v]);
  let out = url;
  for (const k of [...params.keys()].sort()) for (const v of [...new Set(params.get(k))].sort()) out += k + v;
  return out;
}

const expected = (url: string, body: Uint8Array | string) => (secret: Secret) => hmacBase64('sha1', secret, twilioContent(url, body));

/** Twilio: `X-Twilio-Signature: <base64 HMAC-SHA1(auth token, URL + sorted params)>`. */
export const twilio: Scheme = {
  samples,
  docs: 'https://www.twilio.com/docs/usage/webhooks/webhooks-security',
  checkedBy: "SDK twilio (validateRequest), and the docs' published example",
  name: 'twilio',
  provider: 'Twilio',
  headers: ['X-Twilio-Signature'],
  algorithm: 'HMAC-SHA1 base64 over URL + sorted form parameters (name+value)',
  timestamp: null,
  secretFormat: 'the account auth token',
  multipleSecrets: false,
  needsUrl: true,
  contentType: 'application/x-www-form-urlencoded',

  sign: ({ body, secrets, url }) => ({ 'X-Twilio-Signature': expected(requireUrl('twilio', url, 'the full request URL, with its query string'), body)(secrets[0]!) }),

  verify(d: Delivery) {
    const header = d.headers['x-twilio-signature'];
    if (header === undefined) return invalid('twilio', 'missing_header', 'no X-Twilio-Signature header');
    const url = requireUrl('twilio', d.url, 'the full request URL, with its query string');
    if (!/^[A-Za-z0-9+/]{27}=$/.test(header.trim())) return malformed('twilio', 'X-Twilio-Signature is not 28 base64 characters', header, 'base64');
    const index = matchSecret('twilio', [header.trim()], d.secrets, expected(url, d.body));
    if (typeof index !== 'number') return index;
    if (index === -1) return noMatch('twilio', 'the URL and the sorted form parameters', d.secrets.length);
    const bodyHash = new URL(url).searchParams.get('bodySHA256');
    if (bodyHash !== null && bodyHash !== createHash('sha256').update(d.body).digest('hex')) {
      return invalid('twilio', 'no_match', 'the URL is signed, but its bodySHA256 does not match the body: the body was changed');
    }
    return valid('twilio', 'URL + form parameters', index);
  },

  eventInfo: (_h, json) => {
    const o = (json ?? {}) as Record<string, unknown>;
    const id = ['MessageSid', 'CallSid', 'Sid'].map((k) => o[k]).find((x) => typeof x === 'string') as string | undefined;
    const status = ['MessageStatus', 'CallStatus', 'SmsStatus'].map((k) => o[k]).find((x) => typeof x === 'string') as string | undefined;
    return { type: status, id };
  },
};
