import { ulid } from './ids.js';
import type { Samples } from './types.js';

const FORM = 'lT4Z3j';
const fields = [
  { id: 'DlXFaesGBpoF', title: "What's your name?", type: 'short_text', ref: 'name', properties: {} },
  { id: 'SMEUb7VJz92Q', title: 'How likely are you to recommend us?', type: 'opinion_scale', ref: 'nps', properties: {} },
  { id: 'k6TP9oLGgHjl', title: 'Your email?', type: 'email', ref: 'email', properties: {} },
];

/** Typeform: compact JSON, `event_type: "form_response"`, one answer per field. */
export const typeform: Samples = {
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
