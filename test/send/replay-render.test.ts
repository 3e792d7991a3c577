import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/record.js';
import { plain } from '../../src/render/style.js';
import { renderLoadSummary, renderReplayItem, renderSend, sendJson, verdictLine, type SendReport } from '../../src/render/send.js';
import { verify } from '../../src/schemes/core.js';
import { sign } from '../../src/schemes/core.js';
import { getScheme } from '../../src/schemes/registry.js';
import { parseRecording, replayRequest, selectEvents, targetUrl } from '../../src/send/replay.js';

const record = (over: Partial<EventRecord> = {}): EventRecord => ({
  type: 'event', seq: 1, receivedAt: '2024-01-01T00:00:00.000Z', method: 'POST', path: '/hooks?x=1',
  headers: { host: '127.0.0.1:4000', 'content-type': 'application/json', 'content-length': '20', connection: 'keep-alive', 'x-custom': 'yes' },
  body: '{"a":1}', bodyEncoding: 'utf8', scheme: null, verdict: null, eventType: 'ping', eventId: 'evt_1',
  duplicate: false, filtered: false, response: { status: 200 }, ...over,
});

describe('parseRecording', () => {
  it('keeps event lines, counts unparseable ones, skips other types and blank lines', () => {
    const text = [JSON.stringify({ type: 'ready', url: 'x', publicUrl: null }), JSON.stringify(record()), '', '{"type":"event"', 'garbage', JSON.stringify(record({ seq: 2 })), '42'].join('\n');
    const r = parseRecording(text);
    expect(r.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(r.unparseable).toBe(3);
    expect(r.skipped).toBe(1);
  });
});

describe('selectEvents (--only)', () => {
  const events = [record({ seq: 1, eventId: 'a', eventType: 't1' }), record({ seq: 2, eventId: 'b', eventType: 't2' }), record({ seq: 3, eventId: 'c', eventType: 't1' })];
  it.each([
    ['2', [2]], ['1,3', [1, 3]], ['2-3', [2, 3]], ['b', [2]], ['t1', [1, 3]], ['c, 1', [1, 3]],
  ])('%s', (only, seqs) => {
    expect(selectEvents(events, only).map((e) => e.seq)).toEqual(seqs);
  });
  it('nothing matching is a usage error listing the types', () => {
    expect(() => selectEvents(events, 'nope')).toThrow(/matches none of the 3 recorded events \(types: t1, t2\)/);
  });
});

describe('targetUrl', () => {
  it.each([
    ['http://h:1', '/hooks?x=1', 'http://h:1/hooks?x=1'],
    ['http://h:1/', '/hooks', 'http://h:1/hooks'],
    ['http://h:1/base/', '/hooks', 'http://h:1/base/hooks'],
    ['http://h:1/base?k=v', '/', 'http://h:1/base/?k=v'],
    ['http://h:1/base', '/a?b=c', 'http://h:1/base/a?b=c'],
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
    const r = replayRequest(record({ body, headers, scheme: 'dfns' }), new URL('http://t/'), { secrets: ['s'], now: () => 1800000000 });
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
    const r = replayRequest(record({ body, headers: { ...old, 'content-type': 'application/json' } }), new URL('http://t/'), { scheme: getScheme('standard'), secrets: [key], now: () => 1800000000 });
    const h: Record<string, string> = {};
    for (let i = 0; i < r.headers.length; i += 2) h[r.headers[i]!.toLowerCase()] = r.headers[i + 1]!;
    expect(h['webhook-id']).not.toBe('msg_old');
    expect(h['webhook-timestamp']).toBe('1800000000');
    expect(verify('standard', { body: r.body, headers: h, secrets: [key], now: 1800000000 }).valid).toBe(true);
  });

  it('--resign without a scheme, recorded or given, is a usage error', () => {
    expect(() => replayRequest(record(), new URL('http://t/'), { secrets: ['s'], now: () => 1 })).toThrow(/without a detected scheme/);
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
      statuses: { 200: 109, 500: 1 }, errors: {}, expect: '2xx', ok: 109, failed: 1, stopped: null,
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

  it('a replay line', () => {
    expect(renderReplayItem({ seq: 3, id: 'wh-1', eventType: 'ping', method: 'POST', url: 'http://h/x', status: 200, statusText: 'OK', ms: 1.5, error: null, withinExpect: true, resigned: 'dfns', bodyEdit: 'timestampSent set to now' }, plain))
      .toBe('#3 POST http://h/x  ping wh-1 → 200 OK  1.5 ms  (re-signed: dfns, timestampSent set to now)');
  });
});
