import { randomBytes } from 'node:crypto';
import type { Sample, SampleContext, Samples } from '../schemes/samples.js';
import { requireUrl } from '../schemes/fields.js';
import { hmacBase64, toBuffer } from '../schemes/hmac.js';
import type { Delivery, Scheme, Secret, Verdict } from '../schemes/types.js';
import { invalid, malformed, matchSecret, noMatch, valid } from '../schemes/verdict.js';

/**
 * Mailchimp Transactional (Mandrill) webhooks ("How to Authenticate Webhook Requests",
 * https://mailchimp.com/developer/transactional/guides/track-respond-activity-webhooks/#authenticating-webhook-requests):
 * `X-Mandrill-Signature: <base64 HMAC-SHA1(webhook key, URL + POST variables)>`, where the URL is
 * the webhook's URL exactly as entered in Mandrill (query string included, trailing slash
 * significant), followed by each POST variable's key and value with no delimiter, sorted by key.
 * The key is the webhook's authentication key (text). No timestamp.
 * The body is form-encoded: `mandrill_events=<JSON array of events>` (a batch, up to 1000).
 */

const HEADER = 'X-Mandrill-Signature';

/** What Mandrill signs: the URL, then each POST variable's key and value, sorted by key. */
export function mandrillContent(url: string, body: Uint8Array | string): string {
  const params = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(toBuffer(body).toString('utf8'))) params.set(k, v);
  let out = url;
  for (const k of [...params.keys()].sort()) out += k + params.get(k)!;
  return out;
}

const expected = (url: string, body: Uint8Array | string) => (secret: Secret) => hmacBase64('sha1', secret, mandrillContent(url, body));
const needUrl = (url: string | undefined) => requireUrl('mandrill', url, 'the webhook URL exactly as entered in Mandrill');

const msgId = () => randomBytes(16).toString('hex');
const SENDER = 'orders@acme.example';
const msg = (ctx: SampleContext, state: string, extra: Record<string, unknown> = {}) => ({
  ts: ctx.createdUnix - 60, subject: 'Your order has shipped', email: 'alice@example.com', sender: SENDER, tags: ['order-shipped'],
  opens: [], clicks: [], state, metadata: { order_id: '10423' }, _id: ctx.id, _version: randomBytes(11).toString('base64url').slice(0, 22), ...extra,
});
const event = (ctx: SampleContext, name: string, m: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  event: name, msg: m, _id: ctx.id, ts: ctx.createdUnix, ...extra,
});

/** A batch of one event, form-encoded as Mandrill posts it. */
const sample = (name: string, description: string, ev: (ctx: SampleContext) => unknown): Sample => ({
  event: name, description, body: (ctx) => new URLSearchParams({ mandrill_events: JSON.stringify([ev(ctx)]) }).toString(),
});

const samples: Samples = {
  scheme: 'mandrill',
  userAgent: 'Mandrill-Webhook/1.0',
  contentType: 'application/x-www-form-urlencoded',
  // The message's _id: what receivers dedupe on.
  newId: msgId,
  events: [
    sample('send', 'a message was sent', (ctx) => event(ctx, 'send', msg(ctx, 'sent'))),
    sample('open', 'the recipient opened the message', (ctx) => event(ctx, 'open', msg(ctx, 'sent', { opens: [{ ts: ctx.createdUnix, ip: '203.0.113.24', location: 'San Francisco, CA, US', ua: 'Mobile Safari on iOS' }] }), {
      ip: '203.0.113.24', location: { country_short: 'US', country: 'United States', region: 'California', city: 'San Francisco', latitude: 37.77, longitude: -122.41, postal_code: '94105', timezone: '-07:00' },
      user_agent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)', user_agent_parsed: { type: 'Mobile Browser', ua_family: 'Mobile Safari', os_family: 'iOS', mobile: true },
    })),
    sample('hard_bounce', 'a message bounced permanently', (ctx) => event(ctx, 'hard_bounce', msg(ctx, 'bounced', {
      email: 'nobody@example.com', bounce_description: 'bad_mailbox', bgtools_code: 10, diag: 'smtp;550 5.1.1 The email account that you tried to reach does not exist.',
    }))),
  ],
};

export const mandrill: Scheme = {
  samples,
  name: 'mandrill',
  aliases: ['mailchimp-transactional'],
  provider: 'Mailchimp Transactional (Mandrill)',
  docs: 'https://mailchimp.com/developer/transactional/guides/track-respond-activity-webhooks/#authenticating-webhook-requests',
  checkedBy: 'docs text https://mailchimp.com/developer/transactional/guides/track-respond-activity-webhooks/#authenticating-webhook-requests (a Python signer written from it)',
  headers: [HEADER],
  algorithm: 'HMAC-SHA1 base64 over the webhook URL + POST variables sorted by key (key+value)',
  timestamp: null,
  secretFormat: 'the webhook\'s authentication key (text)',
  multipleSecrets: false,
  needsUrl: true,
  contentType: 'application/x-www-form-urlencoded',
  keyKind: 'text',

  sign: ({ body, secrets, url }) => ({ [HEADER]: expected(needUrl(url), body)(secrets[0]!) }),

  verify(d: Delivery): Verdict {
    const header = d.headers['x-mandrill-signature'];
    if (header === undefined) return invalid('mandrill', 'missing_header', 'no X-Mandrill-Signature header');
    const url = needUrl(d.url);
    if (!/^[A-Za-z0-9+/]{27}=$/.test(header.trim())) return malformed('mandrill', 'X-Mandrill-Signature is not 28 base64 characters', header, 'base64');
    const index = matchSecret('mandrill', [header.trim()], d.secrets, expected(url, d.body));
    if (typeof index !== 'number') return index;
    if (index === -1) return noMatch('mandrill', 'the URL and the sorted POST variables', d.secrets.length);
    return valid('mandrill', 'URL + POST variables', index);
  },

  misassemblies(d) {
    const header = (d.headers['x-mandrill-signature'] ?? '').trim();
    const url = d.url ?? '';
    const u = (() => {
      try {
        return new URL(url);
      } catch {
        return undefined;
      }
    })();
    const wrong: Array<[string, string]> = [
      [toBuffer(d.body).toString('utf8'), 'the sender signed the POST variables without the URL: start with the webhook URL exactly as entered in Mandrill'],
      [url + toBuffer(d.body).toString('utf8'), 'the sender signed the URL + the raw form body: append each variable\'s decoded key and value, sorted by key, with no delimiter'],
    ];
    if (u) {
      const other = url.endsWith('/') ? url.slice(0, -1) : `${url}/`;
      wrong.push([mandrillContent(other, d.body), `the signature is for ${other}: the URL must be exactly the one entered in Mandrill (a trailing slash matters)`]);
    }
    return wrong.map(([c, explain]) => ({ explain, matches: d.secrets.some((s) => hmacBase64('sha1', s, c) === header) }));
  },

  eventInfo: (_h, json) => {
    const raw = (json as { mandrill_events?: unknown } | null)?.mandrill_events;
    if (typeof raw !== 'string') return {};
    const events = JSON.parse(raw) as Array<{ event?: unknown; _id?: unknown }>;
    const first = Array.isArray(events) ? events[0] : undefined;
    return { type: typeof first?.event === 'string' ? first.event : undefined, id: typeof first?._id === 'string' ? first._id : undefined };
  },
};
