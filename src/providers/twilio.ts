import { createHash } from 'node:crypto';
import { requireUrl } from '../schemes/fields.js';
import { hmacBase64, toBuffer } from '../schemes/hmac.js';
import type { Delivery, Scheme, Secret } from '../schemes/types.js';
import { invalid, matchSecret, noMatch, valid, malformed } from '../schemes/verdict.js';
import { twilioSid } from './ids.js';
import type { Samples } from '../schemes/samples.js';

const ACCOUNT = 'AC3f1e8a9b2c4d5e6f7a8b9c0d1e2f3a4b';

/** Twilio posts form-encoded parameters; the signature covers the URL + sorted parameters. */
const form = (params: Record<string, string>) => new URLSearchParams(params).toString();

/** What the provider sends (whk send, probe). */
const samples: Samples = {
  scheme: 'twilio',
  userAgent: 'TwilioProxy/1.1',
  contentType: 'application/x-www-form-urlencoded',
  // The MessageSid is what receivers key on.
  newId: () => twilioSid('SM'),
  headers: (ctx) => ({ Accept: '*/*', 'I-Twilio-Idempotency-Token': ctx.delivery, 'X-Home-Region': 'us1' }),
  events: [
    {
      event: 'message.status',
      description: 'an SMS status callback: the message was delivered',
      body: (ctx) => form({
        SmsSid: ctx.id, SmsStatus: 'delivered', MessageStatus: 'delivered', To: '+15558675310',
        MessageSid: ctx.id, AccountSid: ACCOUNT, From: '+15017122661', ApiVersion: '2010-04-01',
      }),
    },
    {
      event: 'message.incoming',
      description: 'an incoming SMS',
      body: (ctx) => form({
        ToCountry: 'US', ToState: 'CA', SmsMessageSid: ctx.id, NumMedia: '0', ToCity: 'SAN FRANCISCO', FromZip: '94105',
        SmsSid: ctx.id, FromState: 'CA', SmsStatus: 'received', FromCity: 'SAN FRANCISCO', Body: 'Is the webhook up? 👋',
        FromCountry: 'US', To: '+15017122661', ToZip: '94105', NumSegments: '1', MessageSid: ctx.id,
        AccountSid: ACCOUNT, From: '+15558675310', ApiVersion: '2010-04-01',
      }),
    },
  ],
};

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
  secretWhere: "Twilio signs with the account's Auth Token, shown in the Console under Account Info",
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
