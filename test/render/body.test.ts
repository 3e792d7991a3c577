/**
 * Bodies the pretty renderer cannot pretty-print as they are: nested deeper than any webhook
 * (100,000 levels of `[` overflows a recursive walk), or huge. Shown as text with a note, at most
 * the usual number of lines, never an exception.
 */
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/record.js';
import { colorJson, MAX_JSON_DEPTH, MAX_LINE_CHARS, measureJson, renderBody, renderEvent } from '../../src/render/event.js';
import { plain } from '../../src/render/style.js';

const record = (body: string): EventRecord => ({
  type: 'event', seq: 1, receivedAt: '2026-01-02T03:04:05.678Z', method: 'POST', path: '/', headers: { 'content-type': 'application/json' },
  body, bodyEncoding: 'utf8', scheme: null, verdict: null, eventType: null, eventId: null, duplicate: false, filtered: false, response: { status: 200 },
});
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const message = (body: string) => ({ record: record(body), parsed: JSON.parse(body) as unknown });

describe('a JSON body nested too deep to pretty-print', () => {
  it('100,000 levels of [ : shown as text with a note, cut to one line per line of text', () => {
    const body = nested(100_000);
    const out = renderBody(message(body), plain);
    const lines = out.split('\n');
    expect(lines[0]).toBe(`JSON too deeply nested to pretty-print (over ${MAX_JSON_DEPTH} levels): shown as text`);
    // The text is one line, itself cut: the terminal is not flooded with 200,000 brackets.
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(`${'['.repeat(MAX_LINE_CHARS)}… (${200_000 - MAX_LINE_CHARS} more characters)`);
  });

  it('a deep body over several lines is cut to the usual number of lines', () => {
    const body = Array.from({ length: 500 }, (_, i) => '['.repeat(i < 250 ? 1 : 0) + ']'.repeat(i >= 250 ? 1 : 0)).join('\n');
    const out = renderBody(message(body), plain, 10).split('\n');
    expect(out[0]).toMatch(/^JSON too deeply nested to pretty-print/);
    expect(out.slice(1, 11)).toEqual(Array(10).fill('['));
    expect(out[11]).toBe('… 490 more lines (the full body is in --json and --record)');
    expect(out).toHaveLength(12);
  });

  it('renderEvent shows the event around it, with colours', () => {
    const out = renderEvent({ kind: 'event', record: record(nested(100_000)), verdict: null, parsed: JSON.parse(nested(100_000)) }, new Chalk({ level: 2 }), { utc: true });
    expect(out).toMatch(/JSON too deeply nested to pretty-print/);
    expect(out).toContain('\u001b[');
  });

  it('just within the limit is still pretty-printed', () => {
    const body = nested(MAX_JSON_DEPTH);
    const out = renderBody(message(body), plain, 1000);
    expect(out).toBe(JSON.stringify(JSON.parse(body), null, 2));
    expect(renderBody(message(nested(MAX_JSON_DEPTH + 1)), plain)).toMatch(/^JSON too deeply nested/);
  });

  it('colorJson throws a RangeError of its own instead of overflowing the stack', () => {
    expect(() => colorJson(JSON.parse(nested(100_000)), plain)).toThrow(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  });
});

describe('measureJson (iterative: any depth)', () => {
  it('counts the lines of JSON.stringify(v, null, 2) and the depth', () => {
    for (const v of [1, 'a', null, [], {}, [1, [2, []], { a: {}, b: [3] }], { x: { y: { z: [1, 2, 3] } } }]) {
      expect(measureJson(v, 100).lines).toBe(JSON.stringify(v, null, 2).split('\n').length);
    }
    expect(measureJson([[[1]]], 100)).toEqual({ lines: 7, depth: 3, tooDeep: false });
    expect(measureJson(1, 0)).toEqual({ lines: 1, depth: 0, tooDeep: false });
    expect(measureJson([], 0)).toMatchObject({ depth: 1, tooDeep: true });
    expect(measureJson(JSON.parse(nested(100_000)), 10)).toMatchObject({ tooDeep: true });
  });
});

describe('a large JSON body', () => {
  it('builds only the lines it shows, and counts the rest', () => {
    // 200,000 array items, each on its own line when pretty-printed, nested 100 deep.
    const wide = JSON.parse(`${'['.repeat(99)}[${Array(200_000).fill('[[1]]').join(',')}]${']'.repeat(99)}`);
    const out = renderBody({ record: record('[]'), parsed: wide }, plain, 60).split('\n');
    expect(out).toHaveLength(61);
    expect(out[60]).toBe(`… ${measureJson(wide, 1000).lines - 60} more lines (the full body is in --json and --record)`);
    expect(out[59]).toBe(`${' '.repeat(2 * 59)}[`);
  });

  it('the pretty-printed lines equal JSON.stringify(v, null, 2), cut', () => {
    const v = { a: [1, { b: 'c"d' }, [], {}], e: null, f: false, g: -1.5e-7, h: 'ü\n', ['__proto__']: 1 };
    const parsed = JSON.parse(JSON.stringify(v));
    const full = JSON.stringify(parsed, null, 2).split('\n');
    expect(renderBody({ record: record(JSON.stringify(parsed)), parsed }, plain, 1000)).toBe(full.join('\n'));
    expect(renderBody({ record: record(JSON.stringify(parsed)), parsed }, plain, 5).split('\n').slice(0, 5)).toEqual(full.slice(0, 5));
  });
});
