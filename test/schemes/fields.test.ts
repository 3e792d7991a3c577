/**
 * The JSON member scanner of src/schemes/fields.ts, which Mailgun's signing uses to put its
 * signature object in place: the span of a top-level member's value, strings, escapes and
 * nesting respected, every other byte left where it is.
 */
import { describe, expect, it } from 'vitest';
import { topLevelValue } from '../../src/schemes/fields.js';

const span = (json: string, field: string) => {
  const b = Buffer.from(json);
  const s = topLevelValue(b, field);
  return s && b.subarray(s[0], s[1]).toString();
};

describe('topLevelValue', () => {
  it.each([
    ['an object, with brackets and quotes inside its strings', '{"a":1,"signature": {"t":"}\\"]","n":[1,{"x":2}]} ,"b":2}', '{"t":"}\\"]","n":[1,{"x":2}]}'],
    ['a string with an escaped quote', '{"signature":"a\\"b","x":1}', '"a\\"b"'],
    ['a number, up to the comma', '{"signature":12.5,"x":1}', '12.5'],
    ['a number, up to the spaces before the comma', '{"signature": 12 , "x":1}', '12'],
    ['the last member, up to the brace', '{"x":1, "signature":\nnull\n}', 'null'],
    ['the first of two', '{"signature":[1],"signature":[2]}', '[1]'],
  ])('%s', (_what, json, want) => {
    expect(span(json, 'signature')).toBe(want);
  });

  it('a nested member, or the key\'s text as a value, is not a top-level member', () => {
    expect(span('{"data":{"signature":1},"x":"signature"}', 'signature')).toBeUndefined();
  });
});
