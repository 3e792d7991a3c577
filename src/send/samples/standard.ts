import { msgId } from './ids.js';
import type { Samples, Sample, SampleContext } from './types.js';

/** The Standard Webhooks payload shape: `{type, timestamp, data}`, compact JSON. */
const payload = (type: string, description: string, data: (ctx: SampleContext) => unknown): Sample => ({
  event: type,
  description,
  body: (ctx) => JSON.stringify({ type, timestamp: ctx.created, data: data(ctx) }),
});

const userCreated = payload('user.created', 'a user signed up', (ctx) => ({
  id: 'user_2fWhkS4mpl3U53r', object: 'user', email_addresses: [{ email_address: 'ada@example.com', verification: { status: 'verified' } }],
  first_name: 'Ada', last_name: 'Lovelace', created_at: ctx.created,
}));
const invoicePaid = payload('invoice.paid', 'an invoice was paid', (ctx) => ({
  id: 'inv_8dWhk2Sampl3', customer: 'cus_Ada', amount_paid: 4900, currency: 'eur', paid_at: ctx.created, lines: [{ description: 'Pro plan', amount: 4900 }],
}));
const emailDelivered = payload('email.delivered', 'an email reached the recipient (Resend style)', (ctx) => ({
  email_id: '56761188-7520-42d8-8898-ff6fc54ce618', from: 'Acme <onboarding@example.com>', to: ['ada@example.com'],
  subject: 'Welcome to Acme', created_at: ctx.created,
}));

// Standard Webhooks: the message id (webhook-id) is what receivers dedupe on.
export const standard: Samples = { scheme: 'standard', newId: msgId, events: [userCreated, invoicePaid, emailDelivered] };

export const svix: Samples = {
  scheme: 'svix',
  userAgent: 'Svix-Webhooks/1.63.0 (sender-whk; +https://www.svix.com/http-sender/)',
  newId: msgId,
  events: [userCreated, invoicePaid],
};

export const freepik: Samples = {
  scheme: 'freepik',
  newId: msgId,
  events: [
    payload('image.generation.completed', 'an AI image generation task finished', (ctx) => ({
      task_id: '046b6c7f-0b8a-43b9-b35d-6489e6daee91', status: 'COMPLETED', finished_at: ctx.created,
      generated: ['https://cdn.example.com/freepik/046b6c7f/image-1.png'],
    })),
    payload('image.generation.failed', 'an AI image generation task failed', (ctx) => ({
      task_id: '7c9e6679-7425-40de-944b-e07fc1f90ae7', status: 'FAILED', finished_at: ctx.created, error: 'content policy violation',
    })),
  ],
};
