import { type Bytes, hmacBase64 } from '../schemes/hmac.js';
import type { Delivery, Scheme, Secret } from '../schemes/types.js';
import { invalid, matchSecret, noMatch, valid, malformed } from '../schemes/verdict.js';
import { ulid } from './ids.js';
import type { Samples } from '../schemes/samples.js';

const FORM = 'lT4Z3j';
const fields = [
  { id: 'DlXFaesGBpoF', title: "What's your name?", type: 'short_text', ref: 'name', properties: {} },
  { id: 'SMEUb7VJz92Q', title: 'How likely are you to recommend us?', type: 'opinion_scale', ref: 'nps', properties: {} },
  { id: 'k6TP9oLGgHjl', title: 'Your email?', type: 'email', ref: 'email', properties: {} },
];

/** Typeform: compact JSON, `event_type: "form_response"`, one answer per field. */
/** What the provider sends (whk send, probe). */
const samples: Samples = {
  scheme: 'typeform',
  userAgent: 'Typeform Webhooks',
  newId: ulid,
  events: [
    {
      event: 'form_response',
      description: 'a respondent submitted the form',
      body: (ctx) => JSON.stringify({
        event_id: ctx.id,
        event_type: 'form_response',
        form_response: {
          form_id: FORM,
          token: 'a3a12ec67a1365927098a606107fac15',
          landed_at: ctx.created,
          submitted_at: ctx.created,
          definition: { id: FORM, title: 'Webhooks feedback', fields },
          answers: [
            { type: 'text', text: 'Ada Lovelace', field: { id: fields[0]!.id, type: 'short_text', ref: 'name' } },
            { type: 'number', number: 9, field: { id: fields[1]!.id, type: 'opinion_scale', ref: 'nps' } },
            { type: 'email', email: 'ada@example.com', field: { id: fields[2]!.id, type: 'email', ref: 'email' } },
          ],
          ending: { id: 'DefaultTyScreen', ref: 'default_tys' },
        },
      }),
    },
  ],
};

const expected = (body: Bytes) => (secret: Secret) => `sha256=${hmacBase64('sha256', secret, body)}`;

/** Typeform: `Typeform-Signature: sha256=<base64 HMAC-SHA256(secret, raw body)>`; no timestamp. */
export const typeform: Scheme = {
  samples,
  checkedBy: "docs example: the Typeform/Django guide's Python sample, run in the tests",
  name: 'typeform',
  provider: 'Typeform',
  docs: 'https://www.typeform.com/developers/webhooks/secure-your-webhooks/',
  secretWhere: "it is the secret set in the form's webhook settings, under Connect → Webhooks",
  headers: ['Typeform-Signature'],
  algorithm: 'HMAC-SHA256, base64, "sha256=" prefix',
  timestamp: null,
  secretFormat: 'the webhook secret as text (UTF-8)',
  multipleSecrets: false,
  contentType: 'application/json',

  sign: ({ body, secrets }) => ({ 'Typeform-Signature': expected(body)(secrets[0]!) }),

  verify(d: Delivery) {
    const header = d.headers['typeform-signature'];
    if (header === undefined) return invalid('typeform', 'missing_header', 'no Typeform-Signature header');
    if (!/^sha256=[A-Za-z0-9+/]{43}=$/.test(header.trim())) {
      return malformed('typeform', 'Typeform-Signature is not "sha256=<44 base64 characters>"', header, 'base64');
    }
    const index = matchSecret('typeform', [header.trim()], d.secrets, expected(d.body));
    if (typeof index !== 'number') return index;
    return index === -1 ? noMatch('typeform', 'the raw body', d.secrets.length) : valid('typeform', 'raw body', index);
  },

  eventInfo: (_h, json) => {
    const o = json as { event_type?: unknown; event_id?: unknown } | null;
    return { type: typeof o?.event_type === 'string' ? o.event_type : undefined, id: typeof o?.event_id === 'string' ? o.event_id : undefined };
  },
};
