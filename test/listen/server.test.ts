/**
 * The listener in-process (startListener), with real sockets on 127.0.0.1 and fake collaborators
 * (forwarder, tunnel): everything the CLI wraps, including what a CLI test cannot time cheaply
 * (slow clients).
 */
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventMessage, ListenerEvent, RejectedMessage } from '../../src/listen/events.js';
import { parseEventFilter } from '../../src/filter.js';
import type { Forwarder } from '../../src/listen/forward.js';
import { startListener, type Listener, type ListenerOptions } from '../../src/listen/server.js';
import { sign } from '../../src/index.js';
import { WhkError } from '../../src/errors.js';
import { fakeTunnel } from '../helpers/fake-tunnel.js';
import { registry } from '../helpers/registry.js';

const SECRET = 'dfns-s3cret';
const dfnsBody = (id = 'wh-1', kind = 'wallet.created') => JSON.stringify({ id, kind, date: '2026-01-01T00:00:00Z', data: {}, timestampSent: Math.floor(Date.now() / 1000) });
const signed = (body: string) => ({ 'content-type': 'application/json', ...sign('dfns', { body, secrets: [SECRET] }) });

let running: Listener[] = [];
afterEach(async () => {
  await Promise.all(running.map((l) => l.close(0)));
  running = [];
});

/** Starts a listener and collects its events; `next(kind)` waits for the next one of a kind. */
async function listen(opts: Partial<ListenerOptions> = {}) {
  const seen: ListenerEvent[] = [];
  const waiters: Array<{ kind: string; resolve: (e: ListenerEvent) => void }> = [];
  const l = await startListener({ registry, port: 0, scheme: 'dfns', secrets: [SECRET], ...opts }, (e) => {
    const w = waiters.findIndex((x) => x.kind === e.kind);
    if (w >= 0) waiters.splice(w, 1)[0]!.resolve(e);
    else seen.push(e);
  });
  running.push(l);
  const next = <K extends ListenerEvent['kind']>(kind: K): Promise<Extract<ListenerEvent, { kind: K }>> => {
    const i = seen.findIndex((e) => e.kind === kind);
    if (i >= 0) return Promise.resolve(seen.splice(i, 1)[0] as Extract<ListenerEvent, { kind: K }>);
    return new Promise((resolve) => waiters.push({ kind, resolve: resolve as (e: ListenerEvent) => void }));
  };
  return { l, next };
}

const post = async (url: string, body: string | Buffer, headers: Record<string, string> = {}) => {
  const r = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers });
  return { status: r.status, text: await r.text(), headers: r.headers };
};

/** Raw bytes on a socket; resolves with everything the server sent back before closing. */
function raw(port: number, chunks: Array<string | Buffer>, opts: { end?: boolean; destroyAfterMs?: number } = {}): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => (got += d));
    s.on('error', () => resolve(got));
    s.on('close', () => resolve(got));
    s.on('connect', () => {
      for (const c of chunks) s.write(c);
      if (opts.end) s.end();
      if (opts.destroyAfterMs !== undefined) setImmediate(() => s.destroy());
    });
  });
}

describe('startListener', () => {
  it('verifies, answers, then emits one event per request; duplicates point at the first', async () => {
    const { l, next } = await listen();
    expect(l.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const body = dfnsBody();
    expect((await post(l.url, body, signed(body))).status).toBe(200);
    expect((await post(l.url, body, signed(body))).status).toBe(200);
    const tampered = await post(l.url, body.replace('wallet', 'Wallet'), signed(body));
    expect(tampered.status).toBe(401);
    expect(tampered.text).toMatch(/^whk: invalid signature \(no_match\): /);
    const [a, b, c] = [await next('event'), await next('event'), await next('event')];
    expect(a.record).toMatchObject({ seq: 1, eventType: 'wallet.created', eventId: 'wh-1', duplicate: false, response: { status: 200 } });
    expect(b.record).toMatchObject({ seq: 2, duplicate: true, duplicateOf: 1 });
    expect(c.record).toMatchObject({ seq: 3, verdict: { valid: false, reason: 'no_match' }, duplicate: false, response: { status: 401 } });
    expect(l.stats).toMatchObject({ events: 3, valid: 2, invalid: 1, duplicates: 1 });
  });

  it('an answer carries x-whk-seq, so a sender can find the event', async () => {
    const { l } = await listen({ secrets: [] });
    const r = await post(l.url, 'x');
    expect(r.headers.get('x-whk-seq')).toBe('1');
  });

  it('never shows a secret: a header carrying it is redacted', async () => {
    const { l, next } = await listen({ secrets: ['a-long-shared-token'], scheme: 'auto' });
    await post(l.url, '{}', { 'x-gitlab-token': 'a-long-shared-token' });
    const e = await next('event');
    expect(JSON.stringify(e.record)).not.toContain('a-long-shared-token');
    expect(e.record.headers['x-gitlab-token']).toBe('[redacted: contains the secret]');
  });

  it('holds events until it has returned, so the ready line comes first', async () => {
    const got: string[] = [];
    const l = await startListener({ registry, port: 0, secrets: [] }, (e) => got.push(e.kind));
    running.push(l);
    expect(got).toEqual([]);
  });

  it('--events: other types are answered 2xx, marked filtered and not forwarded', async () => {
    const forwarded: string[] = [];
    const forward: Forwarder = async (r) => {
      forwarded.push(r.body.toString());
      return { ok: true, url: 'http://app/', status: 202, headers: [], body: Readable.from([]), ms: 1 };
    };
    const { l, next } = await listen({ events: parseEventFilter('wallet.*'), forward, forwardTo: 'http://app/' });
    const keep = dfnsBody('wh-1', 'wallet.created');
    const skip = dfnsBody('wh-2', 'policy.triggered');
    expect((await post(l.url, keep, signed(keep))).status).toBe(202);
    expect((await post(l.url, skip, signed(skip))).status).toBe(200);
    expect((await next('event')).record).toMatchObject({ filtered: false, forward: { status: 202, ms: 1 } });
    expect((await next('event')).record).toMatchObject({ filtered: true, eventType: 'policy.triggered' });
    expect(forwarded).toEqual([keep]);
  });

  it('failure injection: --fail-first, --drop, --delay', async () => {
    const { l, next } = await listen({ inject: { failFirst: 1 } });
    const body = dfnsBody('wh-9');
    const first = await post(l.url, body, signed(body));
    expect(first.status).toBe(500);
    expect(first.text).toBe('whk: injected failure (--fail-first 1): delivery 1 of this event\n');
    expect((await post(l.url, body, signed(body))).status).toBe(200);
    expect((await next('event')).record).toMatchObject({ response: { status: 500 }, injected: { fail: 'fail-first', attempt: 1 } });
    expect((await next('event')).record).toMatchObject({ response: { status: 200 }, duplicate: true, injected: { attempt: 2 } });

    const dropper = await listen({ inject: { drop: true, delayMs: 20 } });
    const err = await fetch(dropper.l.url, { method: 'POST', body, headers: signed(body) }).then(() => null, (e) => e);
    expect(err).toBeInstanceOf(Error);
    expect((await dropper.next('event')).record).toMatchObject({ response: { status: 0 }, injected: { drop: true, delayMs: 20 } });
  });

  it('--delay: duplicates are marked in arrival order, even when the later sender hangs up first', async () => {
    const { l, next } = await listen({ inject: { delayMs: 400 } });
    const body = dfnsBody('wh-order');
    const first = post(l.url, body, signed(body));
    await new Promise((r) => setTimeout(r, 50));
    const hangUp = new AbortController();
    const second = fetch(l.url, { method: 'POST', body, headers: signed(body), signal: hangUp.signal }).catch(() => null);
    await new Promise((r) => setTimeout(r, 50));
    hangUp.abort();
    await second;
    // The second one's sender is gone: its event comes out first, yet the first delivery is the original.
    const early = (await next('event')).record;
    expect(early).toMatchObject({ seq: 2, duplicate: true, duplicateOf: 1 });
    expect((await first).status).toBe(200);
    expect((await next('event')).record).toMatchObject({ seq: 1, duplicate: false, response: { status: 200 } });
  });

  it('bodies over --max-body get 413, declared or streamed; the server goes on', async () => {
    const { l, next } = await listen({ maxBody: 100 });
    expect((await post(l.url, 'x'.repeat(101))).status).toBe(413);
    expect((await next('rejected')).record).toMatchObject({ reason: 'body_too_large', response: { status: 413 }, method: 'POST', path: '/' });
    const chunked = await raw(l.port, ['POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', `c8\r\n${'y'.repeat(200)}\r\n`]);
    expect(chunked).toMatch(/^HTTP\/1\.1 413 /);
    expect((await next('rejected')).record.message).toMatch(/^413: body over the 100 bytes limit/);
    const body = dfnsBody();
    expect((await post(l.url, body.slice(0, 99), {})).status).toBe(401);
  });

  it('a client that closes mid-body is reported as aborted, not as an event', async () => {
    const { l, next } = await listen();
    await raw(l.port, ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{"half":'], { destroyAfterMs: 0 });
    const r = (await next('rejected')) as RejectedMessage;
    expect(r.record).toMatchObject({ reason: 'aborted', response: null });
    expect(r.record.message).toBe('the client closed the connection after 8 of 50 bytes of the body');
    expect(l.stats.events).toBe(0);
  });

  it('slow clients time out (headers, then the body), and the server keeps answering', async () => {
    const { l, next } = await listen({ headersTimeoutMs: 300, requestTimeoutMs: 600, secrets: [] });
    const slowHeaders = await raw(l.port, ['POST / HTTP/1.1\r\nHost: x\r\n']);
    expect(slowHeaders).toMatch(/^HTTP\/1\.1 408 /);
    expect((await next('rejected')).record).toMatchObject({ reason: 'timeout', response: { status: 408 } });
    const slowBody = await raw(l.port, ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc']);
    expect(slowBody === '' || /^HTTP\/1\.1 408 /.test(slowBody)).toBe(true);
    expect((await post(l.url, 'still here')).status).toBe(200);
  });

  it('malformed requests get 400 and a rejected event', async () => {
    const { l, next } = await listen({ secrets: [] });
    expect(await raw(l.port, ['GARBAGE\r\n\r\n'])).toMatch(/^HTTP\/1\.1 400 /);
    expect((await next('rejected')).record).toMatchObject({ reason: 'malformed_request', method: null, response: { status: 400 } });
    expect(await raw(l.port, [`GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`])).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('--path: other paths get 404 and are not events', async () => {
    const { l, next } = await listen({ path: '/hooks', secrets: [] });
    expect(l.url).toMatch(/\/hooks$/);
    expect((await post(l.url.replace('/hooks', '/favicon.ico'), '')).status).toBe(404);
    expect((await next('rejected')).record).toMatchObject({ reason: 'outside_path', path: '/favicon.ico' });
    expect((await post(`${l.url}/dfns?x=1`, '{}')).status).toBe(200);
    expect((await next('event')).record.path).toBe('/hooks/dfns?x=1');
  });

  it('invalid UTF-8 is kept as base64; invalid JSON is shown, not fatal', async () => {
    const { l, next } = await listen({ secrets: [] });
    await post(l.url, Buffer.from([0xc3, 0x28, 0x00, 0xff]));
    await post(l.url, '{"unterminated": ');
    const bin = await next('event');
    expect(bin.record).toMatchObject({ bodyEncoding: 'base64', body: 'wygA/w==' });
    const bad = (await next('event')) as EventMessage;
    expect(bad.record.bodyEncoding).toBe('utf8');
    expect(bad.jsonError).toMatch(/JSON/);
  });
});

describe('tunnel adapter', () => {
  it('a tunnelled listener reports its public URL with the path; URL-signing schemes verify against it', async () => {
    const tunnel = fakeTunnel('https://abc.ngrok.example/');
    const { l, next } = await listen({ tunnel, scheme: 'square', secrets: ['sq-key'], path: '/sq' });
    expect(tunnel.started).toEqual([`http://127.0.0.1:${l.port}`]);
    expect(l.publicUrl).toBe('https://abc.ngrok.example/sq');
    const body = '{"type":"payment.created","event_id":"e-1"}';
    const headers = sign('square', { body, secrets: ['sq-key'], url: 'https://abc.ngrok.example/sq' });
    expect((await post(l.url, body, headers)).status).toBe(200);
    expect((await next('event')).record).toMatchObject({ verdict: { valid: true }, eventType: 'payment.created', eventId: 'e-1' });
    await l.close(0);
    expect(tunnel.closed).toBe(1);
  });

  it('without a tunnel, URL-signing schemes verify against the Host the request came to', async () => {
    const { l, next } = await listen({ scheme: 'auto', secrets: ['tw-token'] });
    const body = 'MessageSid=SM1&MessageStatus=delivered';
    const headers = { 'content-type': 'application/x-www-form-urlencoded', ...sign('twilio', { body, secrets: ['tw-token'], url: `${l.url}?a=1` }) };
    expect((await post(`${l.url}?a=1`, body, headers)).status).toBe(200);
    expect((await next('event')).record).toMatchObject({ scheme: 'twilio', eventType: 'delivered', eventId: 'SM1' });
  });

  it('a tunnel that fails closes the server and passes the error on', async () => {
    const err = new WhkError('tunnel_timeout', 'no answer', 3);
    const seen: ListenerEvent[] = [];
    const failed = await startListener({ registry, port: 0, tunnel: fakeTunnel('https://x', { fail: err }) }, (e) => seen.push(e)).catch((e) => e);
    expect(failed).toBe(err);
  });
});

describe('clients that go away', () => {
  it('mid-headers: reported as aborted too', async () => {
    const { next, l } = await listen({ secrets: [] });
    await raw(l.port, ['POST / HTTP/1.1\r\nHost: x\r\nContent-Le'], { end: true });
    expect((await next('rejected')).record).toMatchObject({ reason: 'aborted', method: null, message: 'the client closed the connection in the middle of the request headers' });
  });
});

describe('the length of every answer', () => {
  const dfnsSig = (body: string) => sign('dfns', { body, secrets: [SECRET] })['X-DFNS-WEBHOOK-SIGNATURE'];
  const head = (answer: string) => answer.slice(0, answer.indexOf('\r\n\r\n')).toLowerCase();
  it('is said (Content-Length, not chunked): an empty 200, a 401 with its reason', async () => {
    const { l } = await listen();
    const body = dfnsBody();
    const ok = await raw(l.port, [`POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nX-DFNS-WEBHOOK-SIGNATURE: ${dfnsSig(body)}\r\nContent-Length: ${body.length}\r\n\r\n${body}`]);
    expect(ok).toMatch(/^HTTP\/1\.1 200 /);
    expect(head(ok)).toContain('\r\ncontent-length: 0');
    expect(head(ok)).not.toContain('transfer-encoding');
    const bad = await raw(l.port, [`POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-DFNS-WEBHOOK-SIGNATURE: sha256=${'0'.repeat(64)}\r\nContent-Length: ${body.length}\r\n\r\n${body}`]);
    expect(bad).toMatch(/^HTTP\/1\.1 401 /);
    const text = bad.slice(bad.indexOf('\r\n\r\n') + 4);
    expect(text).toMatch(/^whk: invalid signature \(no_match\)/);
    expect(head(bad)).toContain(`\r\ncontent-length: ${Buffer.byteLength(text)}`);
    expect(head(bad)).not.toContain('transfer-encoding');
  });
  it('is not said by a 204 answer (--status 204), which has no body', async () => {
    const { l } = await listen({ status: 204 });
    const body = dfnsBody();
    const got = await raw(l.port, [`POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-DFNS-WEBHOOK-SIGNATURE: ${dfnsSig(body)}\r\nContent-Length: ${body.length}\r\n\r\n${body}`]);
    expect(got).toMatch(/^HTTP\/1\.1 204 /);
    expect(head(got)).not.toContain('content-length');
    expect(head(got)).not.toContain('transfer-encoding');
  });
});

describe('the headers of a record', () => {
  it('keeps headers named like inherited members (constructor, __proto__, toString) as headers, repeated ones joined', async () => {
    const { l, next } = await listen();
    const body = dfnsBody('wh-proto');
    const h = signed(body);
    const lines = [
      'POST / HTTP/1.1', 'Host: x', 'Connection: close', `Content-Length: ${Buffer.byteLength(body)}`,
      ...Object.entries(h).map(([k, v]) => `${k}: ${v}`),
      'Constructor: one', '__proto__: two', 'toString: three', 'X-Twice: a', 'x-twice: b',
    ];
    const answer = await raw(l.port, [`${lines.join('\r\n')}\r\n\r\n${body}`]);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    const { record } = await next('event');
    expect(record.verdict?.valid).toBe(true);
    expect(Object.keys(record.headers)).toEqual(expect.arrayContaining(['constructor', '__proto__', 'tostring', 'x-twice']));
    expect(record.headers.constructor).toBe('one');
    expect(record.headers.__proto__).toBe('two');
    expect(record.headers.tostring).toBe('three');
    expect(record.headers['x-twice']).toBe('a, b');
    // Nothing inherited: a header that was not sent is not there.
    expect(record.headers.hasOwnProperty).toBeUndefined();
    expect(JSON.parse(JSON.stringify(record.headers)).__proto__).toBe('two');
  });
});
