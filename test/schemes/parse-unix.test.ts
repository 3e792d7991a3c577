/**
 * The timestamp reader on every delivery's path is a loop: it must read exactly what the rule
 * says (1 to 12 ASCII digits, spaces around allowed), compared here with that rule written as a
 * regular expression, over edge cases and random strings.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { parseUnix } from '../../src/schemes/verdict.js';

const byRule = (s: string | undefined) => (s !== undefined && /^\d{1,12}$/.test(s.trim()) ? Number(s.trim()) : NaN);

it('reads the edge cases as the rule does', () => {
  const cases = [undefined, '', ' ', '0', '007', ' 1700000000 ', '\t1700000000', '999999999999', '1000000000000',
    '-1', '+1', '1e9', '0x10', '1.5', '1 2', '١٢٣', '17000000OO', '\u00a0123'];
  for (const c of cases) expect([c, parseUnix(c)]).toEqual([c, byRule(c)]);
});

it('reads any string as the rule does', () => {
  fc.assert(fc.property(fc.oneof(fc.string(), fc.stringMatching(/^\s?\d{0,14}\s?$/)), (s) => {
    expect(parseUnix(s)).toEqual(byRule(s));
  }), { numRuns: 2000 });
});
