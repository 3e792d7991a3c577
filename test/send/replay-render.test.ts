import { describe, expect, it } from 'vitest';
import { registry } from '../helpers/registry.js';
import type { EventRecord } from '../../src/record.js';
import { plain } from '../../src/render/style.js';
import { renderLoadSummary, renderReplayItem, renderReplaySummary, renderSend, sendJson, verdictLine, type ReplayItem, type ReplaySummary, type SendReport } from '../../src/render/send.js';
import { verify } from '../../src/index.js';
import { sign } from '../../src/index.js';
import { getScheme } from '../../src/index.js';
import { onlyMatcher, parseLine, prepare, readLines, replayRequest, requestProblem, targetUrl, type RawLine } from '../../src/send/replay.js';

const record = (over: Partial<EventRecord> = {}): EventRecord => ({
  type: 'event', seq: 1, receivedAt: '2024-01-01T00:00:00.000Z', method: 'POST', path: '/hooks?x=1',
  headers: { host: '127.0.0.1:4000', 'content-type': 'application/json', 'content-length': '20', connection: 'keep-alive', 'x-custom': 'yes' },
  body: '{"a":1}', bodyEncoding: 'utf8', scheme: null, verdict: null, eventType: 'ping', eventId: 'evt_1',
  duplicate: false, filtered: false, response: { status: 200 }, ...over,
});

describe('parseLine', () => {
  it('an event line, another type, a blank line', () => {
    expect(parseLine(JSON.stringify(record()))).toMatchObject({ kind: 'event', record: { seq: 1 }, who: { seq: 1, eventId: 'evt_1', eventType: 'ping' } });
    expect(parseLine(JSON.stringify({ type: 'ready', url: 'x', publicUrl: null }))).toEqual({ kind: 'other' });
    expect(parseLine('  ')).toEqual({ kind: 'blank' });
  });

  it.each([
    ['{"type":"event"', /^not a JSON line \(/],
    ['garbage', /^not a JSON line \(/],
    ['42', /^not a JSON object \(42\)$/],
    ['[1,2]', /^not a JSON object/],
    ['null', /^not a JSON object/],
  ])('unparseable: %s', (line, message) => {
    const l = parseLine(line);
    expect(l).toMatchObject({ kind: 'unparseable', problem: { code: 'unparseable_line' } });
    expect(l.kind === 'unparseable' && l.problem.message).toMatch(message);
  });

  it.each([
    ['no body', { body: 1 }, 'bad_record', /no "body" string/],
    ['no headers', { headers: null }, 'bad_record', /no "headers" object/],
    ['headers as a list', { headers: [['a', 'b']] }, 'bad_record', /no "headers" object/],
    ['a method that is not a string', { method: 7 }, 'bad_method', /"method" is not a string/],
    ['a refused body kept in part (bodyTruncated)', { bodyTruncated: { bytes: 900000, kept: 65536 } }, 'truncated_body', /only the first 65536 of its 900000 bytes were recorded/],
    ['a path that is not a string', { path: {} }, 'bad_record', /"path" is not a string/],
    ['an unknown body encoding', { bodyEncoding: 'hex' }, 'bad_body', /unknown bodyEncoding "hex"/],
    ['base64 that does not decode', { body: 'eyJh*QiOjF9', bodyEncoding: 'base64' }, 'bad_body', /not valid base64/],
    ['base64 cut short', { body: 'eyJhIjox', bodyEncoding: 'base64' }, undefined, undefined],
    ['base64 without its padding', { body: 'eyJhIjoxfQ', bodyEncoding: 'base64' }, 'bad_body', /not valid base64/],
  ])('an event with %s', (_what, over, code, message) => {
    const l = parseLine(JSON.stringify({ ...record({ seq: 4, eventId: 'e4', eventType: 't' }), ...over }));
    if (code === undefined) return expect(l.kind).toBe('event');
    expect(l).toMatchObject({ kind: 'invalid', who: { seq: 4, eventId: 'e4', eventType: 't' }, problem: { code } });
    expect(l.kind === 'invalid' && l.problem.message).toMatch(message!);
  });

  it('what identifies an event is kept as far as the line has it', () => {
    expect(parseLine('{"type":"event","seq":"x","eventId":5}')).toMatchObject({ kind: 'invalid', who: { seq: null, eventId: null, eventType: null } });
  });
});

describe('readLines', () => {
  const lines = async (chunks: Array<string | Buffer>, max?: number) => {
    const out: RawLine[] = [];
    for await (const l of readLines((async function* () { yield* chunks; })(), max)) out.push(l);
    return out;
  };

  it('LF and CRLF lines, a last line without a line break, empty lines counted', async () => {
    expect(await lines(['a\nb\r\n\nc'])).toEqual([{ no: 1, text: 'a' }, { no: 2, text: 'b' }, { no: 3, text: '' }, { no: 4, text: 'c' }]);
    expect(await lines(['a\n'])).toEqual([{ no: 1, text: 'a' }]);
    expect(await lines([])).toEqual([]);
  });

  it('a line across many chunks, and a UTF-8 character split between two', async () => {
    const text = `{"x":"${'é'.repeat(50)}🚀"}`;
    const bytes = Buffer.from(`${text}\nnext`);
    const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.subarray(i * 7, i * 7 + 7));
    expect(await lines(chunks)).toEqual([{ no: 1, text }, { no: 2, text: 'next' }]);
  });

  it('a line over the limit is counted, not kept; the lines after it are read', async () => {
    expect(await lines(['ok\n', 'x'.repeat(30), 'x'.repeat(30), '\nafter'], 50)).toEqual([{ no: 1, text: 'ok' }, { no: 2, bytes: 60 }, { no: 3, text: 'after' }]);
  });
});

describe('onlyMatcher (--only)', () => {
  const events = [{ seq: 1, eventId: 'a', eventType: 't1' }, { seq: 2, eventId: 'b', eventType: 't2' }, { seq: 3, eventId: 'c', eventType: 't1' }, { seq: null, eventId: null, eventType: null }];
  it.each([
    ['2', [2]], ['1,3', [1, 3]], ['2-3', [2, 3]], ['b', [2]], ['t1', [1, 3]], ['c, 1', [1, 3]],
  ])('%s', (only, seqs) => {
    expect(events.filter(onlyMatcher(only)).map((e) => e.seq)).toEqual(seqs);
  });
  it('an empty list is a usage error', () => {
    expect(() => onlyMatcher(' , ')).toThrow(/--only is empty/);
  });
});

describe('requestProblem', () => {
  const req = (method: string, headers: unknown[]) => ({ method, headers: headers as string[] });
  it.each([
    ['a CR LF in a value', req('POST', ['x-a', 'one\r\nx-injected: two']), 'bad_header', 'the header x-a has a line break (CR or LF) in its value: no HTTP client can send it as recorded'],
    ['a bare LF', req('POST', ['x-a', 'one\ntwo']), 'bad_header', /line break/],
    ['a NUL', req('POST', ['x-a', 'a\0b']), 'bad_header', /a NUL byte/],
    ['another control character', req('POST', ['x-a', 'a\x1bb']), 'bad_header', /the character U\+001B/],
    ['a character beyond Latin-1', req('POST', ['x-a', 'rocket 🚀']), 'bad_header', /the character U\+1F680/],
    ['a space in a name', req('POST', ['x a', 'v']), 'bad_header', 'the header name "x a" is not a token: no HTTP client can send it'],
    ['an empty name', req('POST', ['', 'v']), 'bad_header', /is not a token/],
    ['a value that is not text', req('POST', ['x-a', 5]), 'bad_header', 'the header x-a has no text value (number)'],
    ['a space in the method', req('BAD METHOD', []), 'bad_method', /the method "BAD METHOD" is not an HTTP method/],
    ['an empty method', req('', []), 'bad_method', /is not an HTTP method/],
    ['CONNECT', req('CONNECT', []), 'bad_method', /CONNECT asks for a tunnel/],
  ])('%s', (_what, r, code, message) => {
    const p = requestProblem(r);
    expect(p?.code).toBe(code);
    if (typeof message === 'string') expect(p?.message).toBe(message);
    else expect(p?.message).toMatch(message);
  });

  it('what HTTP allows passes: tabs and spaces, Latin-1 (obs-text), any token method', () => {
    expect(requestProblem(req('PATCH', ['x-a', 'a\tb c', 'x-b', 'Gr\u00fc\u00dfe', "x-c!#$%&'*+.^_`|~", '']))).toBeUndefined();
    expect(requestProblem(req('PROPFIND', []))).toBeUndefined();
  });
});

describe('prepare', () => {
  const to = new URL('http://t:9/');
  it('a good record: the request and its URL', () => {
    const p = prepare(record(), to);
    expect(p.ok && [p.req.method, p.url.href]).toEqual(['POST', 'http://t:9/hooks?x=1']);
  });
  it('never throws: a bad header, a bad method, a record that cannot be re-signed', () => {
    expect(prepare(record({ headers: { 'x-a': 'a\r\nb' } }), to)).toMatchObject({ ok: false, problem: { code: 'bad_header' }, method: 'POST' });
    expect(prepare(record({ method: 'GET /x' }), to)).toMatchObject({ ok: false, problem: { code: 'bad_method' }, method: 'GET /X' });
    expect(prepare(record(), to, { registry, secrets: ['s'], now: () => 1 })).toMatchObject({ ok: false, problem: { code: 'no_scheme', message: /without a detected scheme/ } });
    expect(prepare(record({ scheme: 'nope' }), to, { registry, secrets: ['s'], now: () => 1 })).toMatchObject({ ok: false, problem: { code: 'unknown_scheme' } });
    expect(prepare(record({ scheme: 'dfns', body: '{"kind":"ping"}' }), to, { registry, secrets: ['s'], now: () => 1 })).toMatchObject({ ok: false, problem: { code: 'no_body_timestamp' } });
    expect(prepare(record({ path: 'http://[bad' }), to)).toMatchObject({ ok: false, problem: { code: 'bad_record', message: /is not a URL path/ }, url: null });
  });
});

describe('targetUrl', () => {
  it.each([
    ['http://h:1', '/hooks?x=1', 'http://h:1/hooks?x=1'],
    ['http://h:1/', '/hooks', 'http://h:1/hooks'],
    ['http://h:1/base/', '/hooks', 'http://h:1/base/hooks'],
    ['http://h:1/base?k=v', '/', 'http://h:1/base/?k=v'],
    ['http://h:1/base', '/a?b=c', 'http://h:1/base/a?b=c'],
    // A path that starts with // is a path, not a host.
    ['http://h:1/base', '//evil/x', 'http://h:1/base//evil/x'],
  ])('%s + %s', (to, path, want) => {
    expect(targetUrl(new URL(to), path).href).toBe(want);
  });
});

describe('replayRequest', () => {
  it('original method, bytes and headers, minus hop-by-hop and content-length/host', () => {
    const r = replayRequest(record({ method: 'put', body: Buffer.from([0xff, 0x00, 0x7b]).toString('base64'), bodyEncoding: 'base64' }), new URL('http://t:9/hooks?x=1'));
    expect(r.method).toBe('PUT');
    expect(r.body).toEqual(Buffer.from([0xff, 0x00, 0x7b]));
    expect(r.headers).toEqual(['content-type', 'application/json', 'x-custom', 'yes']);
    expect(r.path).toBe('/hooks?x=1');
  });

  it('--resign on Dfns rewrites timestampSent in place and signs again; nothing else changes', () => {
    const body = '{"id":"wh-1","date":"2024-01-01T00:00:00.000Z","kind":"ping","data":{"é":"ü"},"timestampSent":1700000000,"deliveryAttempt":1}';
    const headers = { 'content-type': 'application/json', ...Object.fromEntries(Object.entries(sign('dfns', { body, secrets: ['s'] })).map(([k, v]) => [k.toLowerCase(), v])) };
    const r = replayRequest(record({ body, headers, scheme: 'dfns' }), new URL('http://t/'), { registry, secrets: ['s'], now: () => 1800000000 });
    expect(r.body.toString()).toBe(body.replace('1700000000', '1800000000'));
    expect(r.bodyEdit).toBe('timestampSent set to now');
    const h: Record<string, string> = {};
    for (let i = 0; i < r.headers.length; i += 2) h[r.headers[i]!] = r.headers[i + 1]!;
    expect(Object.keys(h).filter((k) => /dfns/i.test(k))).toHaveLength(1);
    expect(verify('dfns', { body: r.body, headers: h, secrets: ['s'], now: 1800000001 }).valid).toBe(true);
  });

  it('--resign on Standard Webhooks: fresh timestamp and message id', () => {
    const key = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"type":"user.created"}';
    const old = sign('standard', { body, secrets: [key], timestamp: 1000, id: 'msg_old' });
    const r = replayRequest(record({ body, headers: { ...old, 'content-type': 'application/json' } }), new URL('http://t/'), { registry, scheme: getScheme('standard'), secrets: [key], now: () => 1800000000 });
    const h: Record<string, string> = {};
    for (let i = 0; i < r.headers.length; i += 2) h[r.headers[i]!.toLowerCase()] = r.headers[i + 1]!;
    expect(h['webhook-id']).not.toBe('msg_old');
    expect(h['webhook-timestamp']).toBe('1800000000');
    expect(verify('standard', { body: r.body, headers: h, secrets: [key], now: 1800000000 }).valid).toBe(true);
  });

  it('--resign without a scheme, recorded or given, is a usage error', () => {
    expect(() => replayRequest(record(), new URL('http://t/'), { registry, secrets: ['s'], now: () => 1 })).toThrow(/without a detected scheme/);
  });
});

describe('renderers', () => {
  const report = (over: Partial<SendReport> = {}): SendReport => ({
    scheme: 'dfns', event: 'ping', id: 'wh-1', url: 'http://127.0.0.1:4000/', mode: 'valid', expect: '2xx', ok: true,
    deliveries: [{
      method: 'POST', url: 'http://127.0.0.1:4000/', requestHeaders: [['Content-Type', 'application/json']], bodyBytes: 120,
      attempts: [{ attempt: 1, status: 200, statusText: 'OK', ms: 3.21 }],
      response: { status: 200, statusText: 'OK', headers: { 'content-type': 'text/plain' }, body: 'ok', bodyBytes: 2, truncated: false },
      withinExpect: true,
    }],
    ...over,
  });

  it('a valid send', () => {
    expect(renderSend(report(), plain)).toBe([
      '→ POST http://127.0.0.1:4000/  dfns ping wh-1  (120 B)',
      '  Content-Type: application/json',
      '← 200 OK  3.2 ms',
      '  content-type: text/plain',
      '',
      '  ok',
      '✓ 200 is within --expect 2xx',
    ].join('\n'));
  });

  it('negative modes say what was refused, or what the receiver gets wrong', () => {
    const refused = report({ mode: 'tamper-body', expect: '4xx' });
    refused.deliveries[0]!.response!.status = 401;
    expect(verdictLine(refused, plain)).toBe('✓ refused a body changed after signing with 401, as it must (within --expect 4xx)');
    const accepted = report({ mode: 'stale', modeDetail: '10m', expect: '4xx', ok: false });
    expect(verdictLine(accepted, plain)).toBe('✗ accepted a timestamp 10m in the past (200): it does not enforce a timestamp tolerance: a captured delivery can be replayed later');
  });

  it('json has stable keys', () => {
    expect(sendJson(report())).toMatchObject({ ok: true, mode: 'valid', status: 200, latencyMs: 3.21, expect: '2xx', deliveries: [{ request: { bodyBytes: 120 }, response: { status: 200 } }] });
  });

  it('the load summary', () => {
    const text = renderLoadSummary({
      url: 'http://h/', scheme: 'dfns', event: 'ping', requests: 110, events: 100, duplicates: 10, retries: 0, concurrency: 8, shuffled: true,
      durationMs: 250, requestsPerSecond: 440, latencyMs: { min: 1, mean: 2, p50: 2, p90: 3, p99: 4.5, max: 12 },
      statuses: { 200: 109, 500: 1 }, errors: {}, incomplete: 0, expect: '2xx', ok: 109, failed: 1, stopped: null,
    }, plain);
    expect(text).toBe([
      'sent 110 dfns ping deliveries to http://h/ in 250 ms: 440 req/s (concurrency 8)',
      'latency    p50 2.0 ms · p90 3.0 ms · p99 4.5 ms · max 12 ms',
      'statuses   200 ×109 · 500 ×1',
      'errors     none',
      'events     100 distinct · 10 duplicates (same id, same bytes) · shuffled order',
      '✗ 1/110 failed (outside --expect 2xx or no answer)',
    ].join('\n'));
  });

  const item = (over: Partial<ReplayItem> = {}): ReplayItem => ({
    line: 4, seq: 3, id: 'wh-1', eventType: 'ping', method: 'POST', url: 'http://h/x', status: 200, statusText: 'OK', ms: 1.5, error: null,
    withinExpect: true, result: 'ok', resigned: null, bodyEdit: null, ...over,
  });

  it('a replay line', () => {
    expect(renderReplayItem(item({ resigned: 'dfns', bodyEdit: 'timestampSent set to now' }), plain))
      .toBe('#3 POST http://h/x  ping wh-1 → 200 OK  1.5 ms  (re-signed: dfns, timestampSent set to now)');
  });

  it('each result of a replay line', () => {
    const err = (code: string, message: string) => ({ code, message });
    expect(renderReplayItem(item({ status: 500, statusText: 'Internal Server Error', withinExpect: false, result: 'outside_expect' }), plain))
      .toBe('#3 POST http://h/x  ping wh-1 → 500 Internal Server Error  1.5 ms');
    expect(renderReplayItem(item({ status: null, error: err('connection_refused', 'connection refused at http://h'), withinExpect: false, result: 'no_answer' }), plain))
      .toBe('#3 POST http://h/x  ping wh-1 → connection_refused: connection refused at http://h  1.5 ms');
    expect(renderReplayItem(item({ error: err('body_timeout', 'the receiver answered 200 but its body did not finish within 1s'), withinExpect: false, result: 'incomplete' }), plain))
      .toBe('#3 POST http://h/x  ping wh-1 → 200 OK, then body_timeout: the receiver answered 200 but its body did not finish within 1s  1.5 ms');
    expect(renderReplayItem(item({ status: null, ms: 0, error: err('bad_header', 'the header x-a has a line break'), withinExpect: false, result: 'invalid' }), plain))
      .toBe('#3 POST http://h/x  ping wh-1 → not sent (line 4): bad_header: the header x-a has a line break');
    expect(renderReplayItem(item({ seq: null, id: null, eventType: null, method: null, url: null, status: null, ms: 0, error: err('unparseable_line', 'not a JSON line'), withinExpect: false, result: 'invalid' }), plain))
      .toBe('line 4 → not sent: unparseable_line: not a JSON line');
  });

  it('text from a recording or a receiver reaches the terminal escaped', () => {
    const line = renderReplayItem(item({ eventType: 'ping\x1b]0;owned\x07', id: 'a\rb', method: 'BAD\nMETHOD', statusText: 'OK\x1b[2J', result: 'ok' }), plain);
    expect(line).toBe('#3 BAD\\x0aMETHOD http://h/x  ping\\x1b]0;owned\\x07 a\\x0db → 200 OK\\x1b[2J  1.5 ms');
    const r = report();
    r.deliveries[0]!.response = { status: 200, statusText: 'OK\x1b[31m', headers: { 'x-evil': 'a\x1b]52;c;Zm9v\x07' }, body: 'line 1\nline\x1b[2J 2\r', bodyBytes: 20, truncated: false };
    const text = renderSend(r, plain);
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(text).toContain('  x-evil: a\\x1b]52;c;Zm9v\\x07');
    expect(text).toContain('  line\\x1b[2J 2\\x0d');
  });

  it('the replay summary: all well, or what failed and why', () => {
    const base: ReplaySummary = {
      events: 3, ok: 3, failed: 0, statuses: { 200: 3 }, errors: {}, expect: '2xx', unparseable: 0, durationMs: 5,
      outsideExpect: 0, incomplete: 0, noAnswer: 0, invalid: 0, invalidReasons: {}, skipped: 1,
    };
    expect(renderReplaySummary(base, plain)).toBe('✓ replayed 3 events: 3 within --expect 2xx (200 ×3)');
    expect(renderReplaySummary({
      ...base, events: 7, ok: 2, failed: 5, statuses: { 200: 3, 500: 1 }, errors: { body_timeout: 1, connection_reset: 1 },
      outsideExpect: 1, incomplete: 1, noAnswer: 1, invalid: 2, invalidReasons: { bad_header: 1, unparseable_line: 1 },
    }, plain)).toBe('✗ replayed 7 events: 5 failed — 1 outside --expect 2xx, 1 answered with a body that did not finish, 1 no answer, 2 invalid in the recording, not sent '
      + '(200 ×3 · 500 ×1 · body timeout ×1 · connection reset ×1 · bad header ×1 · unparseable line ×1)');
    expect(renderReplaySummary({ ...base, events: 1, ok: 1, interrupted: true }, plain)).toBe('✓ replayed 1 event: 1 within --expect 2xx (200 ×3) — interrupted: the events after these were not sent');
  });

  it('a send whose answer stalled after the headers: the status, then what happened, and the verdict', () => {
    const r = report({ ok: false });
    const d = r.deliveries[0]!;
    const message = 'the receiver answered 200 but its body did not finish within 10s — answer at once, before any slow work (or raise --timeout)';
    d.attempts = [{ attempt: 1, status: 200, statusText: 'OK', error: { code: 'body_timeout', message }, ms: 10003 }];
    d.response = { status: 200, statusText: 'OK', headers: {}, body: 'par', bodyBytes: 3, truncated: false, incomplete: true };
    d.error = { code: 'body_timeout', message };
    d.withinExpect = false;
    expect(renderSend(r, plain).split('\n').slice(2)).toEqual([
      '← 200 OK  10003 ms  then body timeout',
      '',
      '  par',
      '  … (incomplete: 3 B received)',
      `✗ ${message}`,
    ]);
    d.error = { code: 'timeout', message: 'no answer from http://h in time' };
    expect(verdictLine(r, plain)).toBe('✗ no answer: no answer from http://h in time');
  });
});
