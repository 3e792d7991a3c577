import { describe, expect, it } from 'vitest';
import type { EventMessage, ListenerStats } from '../../src/listen/events.js';
import type { EventRecord } from '../../src/record.js';
import {
  colorJson, eventJsonLine, readyJsonLine, rejectedJsonLine, renderBody, renderEvent, renderReady, renderRejected, renderSummary, waitingText,
} from '../../src/render/event.js';
import { plain } from '../../src/render/style.js';
import { renderCompact } from '../../src/render/compact.js';
import { Chalk } from 'chalk';

const body = '{"id":"wh-1","kind":"wallet.created","data":{"n":1,"ok":true,"tags":["a"],"none":null}}';
const record = (over: Partial<EventRecord> = {}): EventRecord => ({
  type: 'event', seq: 3, receivedAt: '2026-01-02T03:04:05.678Z', method: 'POST', path: '/hooks',
  headers: { 'content-type': 'application/json', 'x-dfns-webhook-signature': `sha256=${'a'.repeat(64)}` },
  body, bodyEncoding: 'utf8', scheme: 'dfns',
  verdict: { valid: true, scheme: 'dfns', reason: 'ok', message: 'signature matches the raw body, timestamp 2 s old', diagnosis: null, matched: 'raw body', secretIndex: 0, age: 2 },
  eventType: 'wallet.created', eventId: 'wh-1', duplicate: false, filtered: false, response: { status: 200 },
  ...over,
});
const valid = { valid: true as const, reason: 'ok' as const, scheme: 'dfns', matched: 'raw body', secretIndex: 0, age: 2, message: '' };
const msg = (over: Partial<EventRecord> = {}, extra: Partial<EventMessage> = {}): EventMessage => {
  const r = record(over);
  return { kind: 'event', record: r, verdict: valid, parsed: r.bodyEncoding === 'utf8' ? safeParse(r.body) : undefined, ...extra };
};
const safeParse = (s: string) => {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
};
const opts = { utc: true };

describe('renderEvent (terminal)', () => {
  it('a valid event: summary line, verdict, dimmed headers, pretty JSON body', () => {
    expect(renderEvent(msg(), plain, opts)).toBe([
      '03:04:05  #3  POST /hooks  dfns  wallet.created [wh-1]  → 200',
      '  ✓ valid (dfns, raw body, timestamp 2 s old)',
      '  content-type: application/json',
      `  x-dfns-webhook-signature: sha256=${'a'.repeat(64)}`,
      '  {',
      '    "id": "wh-1",',
      '    "kind": "wallet.created",',
      '    "data": {',
      '      "n": 1,',
      '      "ok": true,',
      '      "tags": [',
      '        "a"',
      '      ],',
      '      "none": null',
      '    }',
      '  }',
    ].join('\n'));
  });

  it('an invalid event: ✗ with the reason, the message and the diagnosis', () => {
    const m = msg({ response: { status: 401 } }, {
      verdict: { valid: false, reason: 'no_match', scheme: 'dfns', message: 'no signature matches the secret over the raw body', diagnosis: 'the body was re-serialized with 2-space indentation' },
    });
    const lines = renderEvent(m, plain, opts).split('\n');
    expect(lines.slice(0, 3)).toEqual([
      '03:04:05  #3  POST /hooks  dfns  wallet.created [wh-1]  → 401',
      '  ✗ invalid: no_match — no signature matches the secret over the raw body',
      '    diagnosis: the body was re-serialized with 2-space indentation',
    ]);
  });

  it('no secret: "not verified (no secret)"', () => {
    expect(renderEvent(msg({ verdict: null }, { verdict: null }), plain, opts).split('\n')[1]).toBe('  · not verified (no secret)');
  });

  it('duplicates, Dfns delivery attempts, injections and forwarding get their own lines', () => {
    const m = msg(
      { duplicate: true, duplicateOf: 1, deliveryAttempt: 2, retryOf: 'wh-0', injected: { delayMs: 1500, fail: 'fail-first', attempt: 1 }, response: { status: 500 } },
    );
    const lines = renderEvent(m, plain, opts).split('\n');
    expect(lines.slice(2, 4)).toEqual([
      '  duplicate of #1 · delivery attempt 2 · retry of wh-0',
      '  injected: answered after 1.5s (--delay), 500 (--fail-first: delivery 1 of this event)',
    ]);
    const fwd = renderEvent(msg({ response: { status: 422 } }, { forward: { url: 'http://localhost:3000/', status: 422, ms: 12, body: '{"error":\n "missing field"}' } }), plain, opts).split('\n');
    expect(fwd.slice(2, 4)).toEqual([
      '  forwarded to http://localhost:3000/ → 422 in 12 ms',
      '  your app answered: {"error": "missing field"}',
    ]);
    const down = renderEvent(msg({ response: { status: 502 } }, { forward: { url: 'http://localhost:3000/', status: 502, ms: 1, error: 'forward failed: connection refused at http://localhost:3000 — is your app running?' } }), plain, opts);
    expect(down.split('\n')[2]).toBe('  forward failed: connection refused at http://localhost:3000 — is your app running?');
    expect(renderEvent(msg({ response: { status: 0 }, injected: { drop: true } }), plain, opts).split('\n').slice(0, 3)).toEqual([
      '03:04:05  #3  POST /hooks  dfns  wallet.created [wh-1]  dropped',
      '  ✓ valid (dfns, raw body, timestamp 2 s old)',
      '  injected: closed the connection without answering (--drop)',
    ]);
  });

  it('a filtered event is one line', () => {
    expect(renderEvent(msg({ filtered: true }), plain, opts)).toBe('03:04:05  #3  POST /hooks  dfns  wallet.created [wh-1]  → 200  filtered (not in --events)');
    expect(renderEvent(msg({ filtered: true, eventType: null, eventId: null, scheme: null }), plain, opts)).toBe('03:04:05  #3  POST /hooks  unknown scheme  → 200  filtered (no event type; not in --events)');
  });

  it('cuts long header values', () => {
    const out = renderEvent(msg({ headers: { 'x-long': 'v'.repeat(500) } }), plain, { ...opts, maxHeaderValue: 10 });
    expect(out).toContain('  x-long: vvvvvvvvvv…');
  });

  it('colours only with a colour style', () => {
    expect(renderEvent(msg(), plain, opts)).not.toMatch(/\u001b\[/);
    expect(renderEvent(msg(), new Chalk({ level: 2 }), opts)).toMatch(/\u001b\[/);
  });
});

describe('renderBody', () => {
  const r = (b: string, enc: 'utf8' | 'base64' = 'utf8', headers: Record<string, string> = {}) => record({ body: b, bodyEncoding: enc, headers });
  it('binary: a short hex preview', () => {
    const bytes = Buffer.from(Array.from({ length: 40 }, (_, i) => i));
    expect(renderBody({ record: r(bytes.toString('base64'), 'base64') }, plain))
      .toBe('binary body, 40 bytes: 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f …');
  });
  it('text as text; invalid JSON said so, then shown as text', () => {
    expect(renderBody({ record: r('hello\nworld') }, plain)).toBe('hello\nworld');
    expect(renderBody({ record: r('{"a":'), jsonError: 'Unexpected end of JSON input' }, plain)).toBe('body is not valid JSON (Unexpected end of JSON input):\n{"a":');
  });
  it('form parameters one per line', () => {
    expect(renderBody({ record: r('a=1&b=x+y', 'utf8', { 'content-type': 'application/x-www-form-urlencoded' }), parsed: { a: '1', b: 'x y' } }, plain)).toBe('a = 1\nb = x y');
  });
  it('empty', () => {
    expect(renderBody({ record: r('') }, plain)).toBe('(empty body)');
  });
  it('cuts long bodies, saying where the rest is', () => {
    const out = renderBody({ record: r('x\n'.repeat(100).trimEnd()) }, plain, 3);
    expect(out).toBe('x\nx\nx\n… 97 more lines (the full body is in --json and --record)');
  });
  it('colorJson equals JSON.stringify(v, null, 2) without colours', () => {
    const v = { a: [1, { b: 'c"d' }, [], {}], e: null, f: false, g: -1.5e-7, h: 'ü\n' };
    expect(colorJson(v, plain)).toBe(JSON.stringify(v, null, 2));
  });
});

describe('NDJSON lines', () => {
  it('an event line is the record as one JSON object, newline-terminated', () => {
    const line = eventJsonLine(record());
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(JSON.parse(line)).toEqual(record());
  });
  it('ready and rejected lines', () => {
    expect(readyJsonLine('http://127.0.0.1:4000/', null, null, 4242)).toBe('{"type":"ready","url":"http://127.0.0.1:4000/","publicUrl":null,"inspectUrl":null,"pid":4242}\n');
    expect(JSON.parse(readyJsonLine('http://127.0.0.1:4000/', null, 'http://127.0.0.1:4040/', 4242)).inspectUrl).toBe('http://127.0.0.1:4040/');
    const rej = { type: 'rejected' as const, seq: 9, receivedAt: '2026-01-02T03:04:05.678Z', method: 'POST', path: '/', reason: 'body_too_large' as const, message: '413: body over the 1 MB limit', response: { status: 413 } };
    expect(JSON.parse(rejectedJsonLine(rej))).toEqual(rej);
    expect(renderRejected(rej, plain, opts)).toBe('03:04:05  #9  POST /  413: body over the 1 MB limit');
  });
});

describe('ready lines, summary', () => {
  it('the first line is exactly "whk listening on <url>"; the public URL follows', () => {
    const out = renderReady({ url: 'http://127.0.0.1:4000/', publicUrl: 'https://abc.ngrok.app/', scheme: 'dfns', secrets: 1, host: '127.0.0.1', forwardTo: 'http://localhost:3000', events: ['wallet.*'], expect: 2, injections: ['--fail-first 2'] }, plain);
    expect(out.split('\n')).toEqual([
      'whk listening on http://127.0.0.1:4000/',
      "public URL: https://abc.ngrok.app/  (paste it into the provider's webhook settings)",
      'verifying as dfns (1 secret) · forwarding to http://localhost:3000 · only wallet.* · expecting 2 valid events · injecting --fail-first 2',
    ]);
  });
  it('warns when nothing is verified and when other machines can post', () => {
    const out = renderReady({ url: 'http://127.0.0.1:4000/', publicUrl: null, scheme: 'auto', secrets: 0, host: '0.0.0.0' }, plain);
    expect(out).toContain('no secret: events are shown but not verified');
    expect(out).toContain('listening on 0.0.0.0: other machines on your network can post to it');
  });
  it('summary: events, invalid and duplicates always; the rest when non-zero', () => {
    const s: ListenerStats = { events: 0, valid: 0, invalid: 0, unverified: 0, duplicates: 0, filtered: 0, forwarded: 0, forwardFailed: 0, rejected: 0 };
    expect(renderSummary(s)).toBe('whk: 0 events: 0 valid, 0 invalid, 0 duplicates');
    expect(renderSummary({ ...s, events: 5, valid: 3, invalid: 1, unverified: 1, duplicates: 1, filtered: 2, forwarded: 2, forwardFailed: 1, rejected: 1 }))
      .toBe('whk: 5 events: 3 valid, 1 invalid, 1 not verified, 1 duplicate, 2 filtered, 2 forwarded, 1 failed to forward, 1 rejected request');
    expect(waitingText(s)).toBe('waiting for events');
    expect(waitingText({ ...s, events: 2, invalid: 1 })).toBe('waiting for events (2 so far, 1 invalid)');
  });
});

describe('renderCompact (--compact)', () => {
  it('one line with the event id after the type, as the block shows it (was: no id)', () => {
    expect(renderCompact(msg(), plain, opts)).toBe('03:04:05  #3  POST /hooks  dfns  wallet.created [wh-1]  ✓ valid  → 200');
    expect(renderCompact(msg({ eventId: null, eventType: null }), plain, opts)).toBe('03:04:05  #3  POST /hooks  dfns  -  ✓ valid  → 200');
  });
});
