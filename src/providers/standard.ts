import { whsecKey } from '../schemes/hmac.js';
import { standardFamily } from '../schemes/standard.js';
import { msgId } from './ids.js';
import type { Samples, Sample, SampleContext } from '../schemes/samples.js';


/** The Standard Webhooks payload shape: `{type, timestamp, data}`, compact JSON. */
export const payload = (type: string, description: string, data: (ctx: SampleContext) => unknown): Sample => ({
  event: type,
  description,
  body: (ctx) => JSON.stringify({ type, timestamp: ctx.created, data: data(ctx) }),
});

export const userCreated = payload('user.created', 'a user signed up', (ctx) => ({
  id: 'user_2fWhkS4mpl3U53r', object: 'user', email_addresses: [{ email_address: 'ada@example.com', verification: { status: 'verified' } }],
  first_name: 'Ada', last_name: 'Lovelace', created_at: ctx.created,
}));
export const invoicePaid = payload('invoice.paid', 'an invoice was paid', (ctx) => ({
  id: 'inv_8dWhk2Sampl3', customer: 'cus_Ada', amount_paid: 4900, currency: 'eur', paid_at: ctx.created, lines: [{ description: 'Pro plan', amount: 4900 }],
}));
const emailDelivered = payload('email.delivered', 'an email reached the recipient (Resend style)', (ctx) => ({
  email_id: '56761188-7520-42d8-8898-ff6fc54ce618', from: 'Acme <onboarding@example.com>', to: ['ada@example.com'],
  subject: 'Welcome to Acme', created_at: ctx.created,
}));

// Standard Webhooks: the message id (webhook-id) is what receivers dedupe on.
const samples: Samples = { scheme: 'standard', newId: msgId, events: [userCreated, invoicePaid, emailDelivered] };

export const standard = standardFamily({
  name: 'standard',
  provider: 'Standard Webhooks (Resend, Clerk, Liveblocks, ...)',
  prefix: 'webhook',
  key: whsecKey,
  secretFormat: 'whsec_<base64>: the key is the decoded bytes (prefix optional); whsk_/whpk_ Ed25519 keys for v1a',
  more: { docs: 'https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md', popular: true, checkedBy: "SDK standardwebhooks, and the spec's published vectors", samples, keyKind: 'whsec', placeholderSecret: 'whsec_d2hrIHBsYWNlaG9sZGVyIHNlY3JldCE=', forgeryPeer: 'freepik' },
});
