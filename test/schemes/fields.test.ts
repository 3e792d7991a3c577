/**
 * The JSON member scanner of src/schemes/fields.ts, which Mailgun's signing uses to put its
 * signature object in place: the span of a top-level member's value, strings, escapes and
 * nesting respected, every other byte left where it is.
 */
import { describe, expect, it } from 'vitest';
import { parseJsonBody, topLevelValue } from '../../src/schemes/fields.js';

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

describe('parseJsonBody', () => {
  it('parses a body once while it is among the last parsed, and answers each body for itself', () => {
    const a = Buffer.from('{"type":"a"}');
    const b = Buffer.from('{"type":"b"}');
    const first = parseJsonBody(a);
    expect(first).toEqual({ value: { type: 'a' } });
    expect(parseJsonBody(b)).toEqual({ value: { type: 'b' } });
    // The same Buffer: the same parse (the listener's describing step reuses verifying's).
    expect(parseJsonBody(a)).toBe(first);
    // Equal bytes in another Buffer: parsed for itself.
    const again = parseJsonBody(Buffer.from('{"type":"a"}'));
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
  });

  it('is null for a body that is not JSON, and still right once the body has left the cache', () => {
    const bad = Buffer.from('{"type":');
    expect(parseJsonBody(bad)).toBeNull();
    for (let i = 0; i < 40; i++) parseJsonBody(Buffer.from(`{"n":${i}}`));
    expect(parseJsonBody(bad)).toBeNull();
  });

  it('parses a body over 64 KB each time, without keeping it', () => {
    const big = Buffer.from(JSON.stringify({ pad: 'x'.repeat(70_000) }));
    const one = parseJsonBody(big);
    expect((one?.value as { pad: string }).pad).toHaveLength(70_000);
    expect(parseJsonBody(big)).not.toBe(one);
  });
});
