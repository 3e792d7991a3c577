import { uuid } from './ids.js';
import type { Samples } from './types.js';

/** Square: compact JSON; the signature covers the notification URL + body (whk signs the target URL). */
export const square: Samples = {
  scheme: 'square',
  userAgent: 'Square Connect v2',
  newId: uuid,
  headers: (ctx) => ({
    'square-environment': 'Sandbox',
    'square-initial-delivery-timestamp': ctx.created,
    ...(ctx.attempt > 1 ? { 'square-retry-number': String(ctx.attempt - 1), 'square-retry-reason': 'http_error' } : {}),
  }),
  events: [
    {
      event: 'payment.created',
      description: 'a 1.00 USD card payment was created',
      body: (ctx) => JSON.stringify({
        merchant_id: '6SSW7HV8K2ST5',
        type: 'payment.created',
        event_id: ctx.id,
        created_at: ctx.created,
        data: {
          type: 'payment',
          id: 'KkAkhdMsgzn59SM8A89WgKwekxLZY',
          object: {
            payment: {
              id: 'KkAkhdMsgzn59SM8A89WgKwekxLZY',
              created_at: ctx.created,
              updated_at: ctx.created,
              amount_money: { amount: 100, currency: 'USD' },
              total_money: { amount: 100, currency: 'USD' },
              approved_money: { amount: 100, currency: 'USD' },
              status: 'APPROVED',
              delay_duration: 'PT168H',
              source_type: 'CARD',
              card_details: {
                status: 'AUTHORIZED',
                card: { card_brand: 'MASTERCARD', last_4: '9029', exp_month: 2, exp_year: 2027, card_type: 'CREDIT', prepaid_type: 'NOT_PREPAID', bin: '540988' },
                entry_method: 'KEYED', cvv_status: 'CVV_ACCEPTED', avs_status: 'AVS_ACCEPTED',
              },
              location_id: 'NAQ1FHV6ZJ8YV',
              order_id: '03O3USaPaAaFnI6kkwB1JxGgBsUZY',
              receipt_number: 'KkAk',
              application_details: { square_product: 'ECOMMERCE_API', application_id: 'sq0ids-TcgwhkS4mpl3' },
              version: 0,
            },
          },
        },
      }),
    },
  ],
};
