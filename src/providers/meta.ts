import { definitionHandshake } from '../schemes/handshake.js';
import { hubSign, hubVerify } from '../schemes/hub.js';
import type { Delivery, Scheme } from '../schemes/types.js';
import { hexChars } from './ids.js';
import type { Sample, SampleContext, Samples } from '../schemes/samples.js';

/**
 * Meta (Facebook Pages, Instagram, WhatsApp Business, Messenger): Graph API webhooks.
 *
 * Docs (https://developers.facebook.com/docs/graph-api/webhooks/getting-started#event-notifications):
 * every event notification carries `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, payload)>`,
 * and the legacy `X-Hub-Signature: sha1=<hex HMAC-SHA1(app secret, payload)>` besides. The key is
 * the App Secret (App Dashboard > Settings > Basic), as text. No timestamp is signed. Meta signs
 * "an escaped unicode version of the payload, with lowercase hex digits" (non-ASCII as `\u00e9`,
 * and `/` as `\/`): that is the body as delivered, so the raw bytes verify, while a body that a
 * framework parsed and re-serialized with raw UTF-8 does not.
 *
 * The headers are GitHub's, with the same algorithms: auto-detection cannot tell the two apart
 * (Meta sends no header of its own, only `User-Agent: facebookexternalua`), so both are
 * candidates and GitHub, of the core, is tried first: a GitHub delivery is still verified as
 * github, and a Meta delivery verified with `--scheme auto` is valid but named github. Pass
 * `--scheme meta` (or facebook, instagram, whatsapp, messenger) to name it.
 *
 * `/object` is the subscription object (page, instagram, whatsapp_business_account, user...), the
 * finer event is `entry[].changes[].field` or the kind of `entry[].messaging[]` item. Endpoints
 * also answer a GET verification request (`hub.mode=subscribe`, `hub.verify_token`,
 * `hub.challenge`: echo the challenge), which is not signed.
 */

/** Meta's JSON: compact, non-ASCII as lowercase `\uXXXX` (UTF-16 units), `/` as `\/`. */
const metaJson = (value: unknown): string =>
  JSON.stringify(value)
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\//g, '\\/');

const PAGE_ID = '112233445566778';
const IG_ID = '17841405822304914';
const WABA_ID = '102290129340398';
const PHONE_ID = '106540352242922';

const first = <T>(x: unknown): T | undefined => (Array.isArray(x) ? (x[0] as T) : undefined);

/** The event type (`<object>.<field>`) and, where the payload has one, the id of what it is about. */
function eventInfo(_h: Record<string, string>, json: unknown): { type?: string; id?: string } {
  const o = (json ?? {}) as { object?: unknown; entry?: unknown };
  if (typeof o.object !== 'string') return {};
  const entry = first<{ changes?: unknown; messaging?: unknown }>(o.entry);
  const change = first<{ field?: unknown; value?: Record<string, unknown> }>(entry?.changes);
  const msg = first<Record<string, unknown>>(entry?.messaging);
  let field: string | undefined;
  let id: unknown;
  if (change && typeof change.field === 'string') {
    field = change.field;
    const v = change.value ?? {};
    id = first<{ id?: unknown }>(v.messages)?.id ?? first<{ id?: unknown }>(v.statuses)?.id ?? v.id ?? v.comment_id ?? v.post_id;
  } else if (msg) {
    const kinds: Array<[string, string]> = [['message', 'messages'], ['postback', 'messaging_postbacks'], ['reaction', 'message_reactions'], ['read', 'message_reads'], ['delivery', 'message_deliveries']];
    const kind = kinds.find(([k]) => k in msg);
    field = kind?.[1] ?? 'messaging';
    const m = kind ? (msg[kind[0]] as { mid?: unknown; watermark?: unknown } | undefined) : undefined;
    id = m?.mid;
  }
  return { type: field ? `${o.object}.${field}` : o.object, ...(typeof id === 'string' ? { id } : {}) };
}

const sample = (event: string, description: string, body: (ctx: SampleContext) => unknown): Sample => ({ event, description, body: (ctx) => metaJson(body(ctx)) });

const samples: Samples = {
  scheme: 'meta',
  userAgent: 'facebookexternalua',
  contentType: 'application/json',
  // Graph ids are decimal; each sample derives the id of what it is about from this one.
  newId: () => `1${hexChars(15).replace(/[a-f]/g, (c) => String(c.charCodeAt(0) - 97))}0`,
  events: [
    sample('whatsapp_business_account.messages', 'a WhatsApp text message from a customer (Cloud API)', (ctx) => ({
      object: 'whatsapp_business_account',
      entry: [{
        id: WABA_ID,
        changes: [{
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_ID },
            contacts: [{ profile: { name: 'João Silva' }, wa_id: '16315551181' }],
            messages: [{ from: '16315551181', id: `wamid.HBgLMTYzMTU1NTExODEVAgASGBQ${ctx.id}A==`, timestamp: String(ctx.createdUnix), text: { body: 'Olá! Is the café open at 9?' }, type: 'text' }],
          },
          field: 'messages',
        }],
      }],
    })),
    sample('page.messages', 'a Messenger message sent to your Page', (ctx) => ({
      object: 'page',
      entry: [{
        id: PAGE_ID,
        time: ctx.nowMs,
        messaging: [{
          sender: { id: '6789012345678901' },
          recipient: { id: PAGE_ID },
          timestamp: ctx.createdUnix * 1000,
          message: { mid: `m_${ctx.id}`, text: 'Hello, is this still available?' },
        }],
      }],
    })),
    sample('instagram.comments', 'a comment on one of your Instagram media', (ctx) => ({
      object: 'instagram',
      entry: [{
        id: IG_ID,
        time: ctx.now,
        changes: [{
          field: 'comments',
          value: {
            from: { id: '232323232', username: 'renee.muller' },
            media: { id: '17887498072083520', media_product_type: 'FEED' },
            id: ctx.id,
            text: 'Where can I buy this? 😍 https://example.com/shop',
          },
        }],
      }],
    })),
  ],
};

/**
 * Meta: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, body)>`, and the legacy
 * `X-Hub-Signature: sha1=<hex>` (checked only when the SHA-256 one is absent).
 */
export const meta: Scheme = {
  // The subscription check: a GET with hub.mode=subscribe wants hub.challenge back (whk does not
  // know your verify token, so it does not check hub.verify_token).
  handshake: definitionHandshake({ when: 'query:hub.mode=subscribe', echo: 'query:hub.challenge' }, 'Meta'),
  name: 'meta',
  aliases: ['facebook', 'instagram', 'whatsapp', 'messenger'],
  provider: 'Meta (Facebook, Instagram, WhatsApp, Messenger webhooks)',
  docs: 'https://developers.facebook.com/docs/graph-api/webhooks/getting-started#event-notifications',
  checkedBy: 'docs text: a Python signer written from https://developers.facebook.com/docs/graph-api/webhooks/getting-started#event-notifications',
  headers: ['X-Hub-Signature-256', 'X-Hub-Signature'],
  // GitHub's headers too: both are candidates, GitHub (core) first.
  detect: ['X-Hub-Signature-256', 'X-Hub-Signature'],
  algorithm: 'HMAC-SHA256 hex, "sha256=" prefix (legacy SHA-1 in X-Hub-Signature)',
  timestamp: null,
  secretFormat: 'the App Secret (App Dashboard > Settings > Basic) as text (UTF-8)',
  keyKind: 'text',
  multipleSecrets: false,
  contentType: 'application/json',
  samples,
  compactJson: true,
  // Bitbucket's X-Hub-Signature carries sha256=<hex>: Meta's header, not Meta's rules. (GitHub,
  // sharing both headers and both rules, would forge nothing.)
  forgeryPeer: 'bitbucket',

  sign: ({ body, secrets }) => hubSign(body, secrets[0]!),

  verify: (d: Delivery) => hubVerify('meta', d, '<lowercase hex>'),

  eventInfo,

  bodyNotes(body) {
    const text = body.toString('utf8');
    return /[^\x20-\x7e\t\n\r]/.test(text) || /(?<!\\)\//.test(text)
      ? ['Meta sends non-ASCII text as \\uXXXX escapes and "/" as "\\/": this body has raw ones, which Meta never sends (receivers verify the raw bytes, so it still verifies)']
      : [];
  },
};
