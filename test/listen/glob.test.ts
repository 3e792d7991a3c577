import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globMatcher } from '../../src/filter.js';

/** The obvious reading of a `*` glob, as a regular expression: the oracle on short inputs. */
const byRegex = (pattern: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');

describe('globMatcher (--events, routes)', () => {
  it('agrees with the regular expression on every pattern and text over a small alphabet', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '.', '*'), maxLength: 12 });
    fc.assert(fc.property(text, text, (pattern, t) => globMatcher(pattern)(t) === byRegex(pattern).test(t)), { numRuns: 20_000 });
  });

  it('reads the cases users write', () => {
    expect(globMatcher('invoice.*')('invoice.paid')).toBe(true);
    expect(globMatcher('invoice.*')('invoice')).toBe(false);
    expect(globMatcher('*.confirmed')('wallet.transfer.confirmed')).toBe(true);
    expect(globMatcher('customer.subscription.*')('customer.subscription.updated')).toBe(true);
    expect(globMatcher('a*ba')('aba')).toBe(true);
    expect(globMatcher('ab*ba')('aba')).toBe(false);
  });
});
