import { uuid } from './ids.js';
import type { Samples, Sample, SampleContext } from './types.js';

/**
 * WealthKernel wraps each notification as `{event: {id, type, version}, payload}` (compact JSON).
 * The seed guide documents only the signature, so these payloads are illustrative.
 */
const sample = (type: string, description: string, payload: (ctx: SampleContext) => unknown): Sample => ({
  event: type,
  description,
  body: (ctx) => JSON.stringify({ event: { id: ctx.id, type, version: '1', occurredAt: ctx.created }, payload: payload(ctx) }),
});

export const wealthkernel: Samples = {
  scheme: 'wealthkernel',
  newId: uuid,
  events: [
    sample('deposits.deposit_settled', 'a deposit into a portfolio settled', (ctx) => ({
      id: 'dep-34bh6yf2x22xe2', portfolioId: 'prt-32b5a4fgc22t6a', accountId: 'acc-2z5yxh4b222xbs',
      consideration: { currency: 'GBP', amount: 250.0 }, status: 'Settled', settledAt: ctx.created,
    })),
    sample('portfolios.portfolio_created', 'a portfolio was created', (ctx) => ({
      id: 'prt-32b5a4fgc22t6a', accountId: 'acc-2z5yxh4b222xbs', currency: 'GBP', status: 'Created',
      mandate: { type: 'ExecutionOnly' }, createdAt: ctx.created,
    })),
  ],
};
