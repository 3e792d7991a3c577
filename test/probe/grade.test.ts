import { describe, expect, it } from 'vitest';
import type { Check } from '../../src/probe/battery.js';
import { grade, overall, SLOW_MS } from '../../src/probe/grade.js';
import { junitReport } from '../../src/probe/junit.js';
import { WhkError } from '../../src/errors.js';
import type { Outcome } from '../../src/send/deliver.js';

const check = (expect: Check['expect'], warnOnly = false): Check => ({
  id: 'c', title: 'a check', expect, sent: 'something', requests: () => [], explain: 'the fix', warnOnly,
});
const status = (s: number, ms = 5): Outcome => ({ ok: true, status: s, ms });
const dropped: Outcome = { ok: false, error: new WhkError('connection_reset', 'connection reset by http://x before it answered', 3), ms: 1 };

describe('grade', () => {
  it.each([
    ['accept', [status(200)], 'PASS'],
    ['accept', [status(204)], 'PASS'],
    ['accept', [status(401)], 'FAIL'],
    ['accept', [dropped], 'FAIL'],
    ['refuse', [status(401)], 'PASS'],
    ['refuse', [status(400)], 'PASS'],
    ['refuse', [status(200)], 'FAIL'],
    ['refuse', [status(500)], 'WARN'],
    ['refuse', [status(302)], 'WARN'],
    ['refuse', [dropped], 'WARN'],
    ['duplicate', [status(200), status(200)], 'PASS'],
    ['duplicate', [status(200), status(409)], 'WARN'],
    ['duplicate', [status(401), status(401)], 'WARN'],
  ] as const)('%s answered %j is %s', (wants, outcomes, result) => {
    expect(grade(check(wants), [...outcomes]).result).toBe(result);
  });

  it('a warn-only check turns a refusal of a genuine event into WARN, with the explanation', () => {
    expect(grade(check('accept', true), [status(401)])).toMatchObject({ result: 'WARN', explain: 'the fix' });
  });

  it('describes what came back', () => {
    expect(grade(check('duplicate'), [status(200, 12.4), status(200, 3)]).got).toBe('200 in 12 ms, then 200 in 3 ms');
  });
});

describe('overall', () => {
  const valid = (ms: number) => ({ ...grade({ ...check('accept'), id: 'valid' }, [status(200, ms)]) });
  it('a slow genuine delivery is a WARN', () => {
    expect(overall([valid(SLOW_MS + 1)], [], ['s'])[0]).toMatchObject({ id: 'response-time', result: 'WARN' });
    expect(overall([valid(10)], [], ['s'])[0]).toMatchObject({ id: 'response-time', result: 'PASS' });
  });
  it('5xx answers and an echoed secret are reported', () => {
    const rows = overall([valid(10), grade(check('refuse'), [status(503)])], ['error: bad key whsec_abcdefgh'], ['whsec_abcdefgh']);
    expect(rows.map((r) => r.id)).toEqual(['response-time', 'server-errors', 'secret-echo']);
  });
});

describe('junitReport', () => {
  it('escapes what it embeds and counts failures', () => {
    const results = [grade({ ...check('refuse'), title: 'a <tricky> & "quoted" check' }, [status(200)]), grade(check('accept'), [status(200)])];
    const xml = junitReport({ url: 'http://x/?a=1&b=2', scheme: 'dfns', results, timestamp: '2026-01-01T00:00:00.000Z' });
    expect(xml).toContain('name="a &lt;tricky&gt; &amp; &quot;quoted&quot; check"');
    expect(xml).toContain('http://x/?a=1&amp;b=2');
    expect(xml).toMatch(/tests="2" failures="1"/);
    expect(xml).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
  });
});
