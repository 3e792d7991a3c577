/**
 * `whk listen` as a user runs it: real sockets on 127.0.0.1, deliveries signed by the core and by
 * the providers' own SDKs; verification and forwarding in-process (main(), NDJSON as with no TTY),
 * the CI contract (exit codes, Ctrl-C, the ready file) by the built CLI in a child process.
 * Nothing sleeps: tests wait for lines.
 */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../src/index.js';
import { startWhk, runWhk, type Running } from '../helpers/cli.js';
import { listenInProcess, stop, whk, type InProcess } from '../helpers/in-process.js';

// One secret every scheme here can use: Dfns, Stripe and GitHub take it as text, Standard Webhooks
// decodes the base64 after whsec_.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const dir = mkdtempSync(join(tmpdir(), 'whk-listen-'));
const now = () => Math.floor(Date.now() / 1000);

async function listen(args: string[], env: Record<string, string | undefined> = {}) {
  const l = startWhk(['listen', '--port', '0', '--json', ...args], { env });
  const ready = JSON.parse(await l.waitFor(/"type":"ready"/, 'stdout'));
  return { l, url: ready.url as string, ready };
}
/** The n-th event line (1-based), waiting for it. */
const event = async (l: Running | InProcess, seq: number) => JSON.parse(await l.waitFor(new RegExp(`^\\{"type":"event","seq":${seq},`), 'stdout'));
const post = async (url: string, body: string | Buffer, headers: Record<string, string> = {}) => {
  const r = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers });
  return { status: r.status, text: await r.text() };
};
const dfnsBody = (id: string, kind = 'wallet.created', ts = now()) =>
  JSON.stringify({ id, kind, date: new Date(ts * 1000).toISOString(), data: { walletId: 'wa-1', note: 'Zoë 🚀' }, timestampSent: ts });

describe('whk listen: verification', () => {
  let l: InProcess;
  let url = '';
  const record = join(dir, 'verify.ndjson');
  beforeAll(async () => {
    ({ l, url } = await listenInProcess(['--secret', SECRET, '--record', record]));
  });
  afterAll(async () => {
    await stop(l);
  });

  it('accepts deliveries signed by the core and by the official SDKs (200), with scheme, type and id', async () => {
    const dfns = dfnsBody('wh-1');
    expect((await post(url, dfns, { 'content-type': 'application/json', ...sign('dfns', { body: dfns, secrets: [SECRET] }) })).status).toBe(200);

    const stripeBody = JSON.stringify({ id: 'evt_1', type: 'payment_intent.succeeded', data: { object: {} } });
    const stripeSig = new Stripe('sk_test_unused').webhooks.generateTestHeaderString({ payload: stripeBody, secret: SECRET });
    const stdBody = JSON.stringify({ type: 'invoice.paid', data: { n: 1 } });
    // One instant for the signature and the header: two reads of the clock straddled a second once
    // (a 401 in a loaded full run: the header said one second, the signature covered the other).
    const signedAt = new Date(now() * 1000);
    const stdHeaders = new Webhook(SECRET).sign('msg_1', signedAt, stdBody);
    const gh = '{"action":"opened"}';
    const others: Array<[string, Record<string, string>]> = [
      [stripeBody, { 'stripe-signature': stripeSig, 'content-type': 'application/json' }],
      [stdBody, { 'webhook-id': 'msg_1', 'webhook-timestamp': String(signedAt.getTime() / 1000), 'webhook-signature': stdHeaders, 'content-type': 'application/json' }],
      [gh, { 'x-github-event': 'issues', 'x-github-delivery': 'd-1', ...sign('github', { body: gh, secrets: [SECRET] }) }],
    ];
    // This listener verifies as dfns from its first valid delivery on: other schemes' headers are refused.
    for (const [b, h] of others) expect((await post(url, b, h)).status).toBe(401);
    await l.waitFor(/verifying as dfns from now on; pass --scheme to choose/, 'stderr');

    const got = [await event(l, 1), await event(l, 2), await event(l, 3), await event(l, 4)];
    // A refused one is recorded as the scheme it was signed as, with its event type (was: the pinned scheme, no type).
    expect(got.map((e) => [e.scheme, e.verdict.valid, e.verdict.reason, e.response.status, e.eventType])).toEqual([
      ['dfns', true, 'ok', 200, 'wallet.created'],
      ['stripe', false, 'scheme_mismatch', 401, 'payment_intent.succeeded'],
      ['standard', false, 'scheme_mismatch', 401, 'invoice.paid'],
      ['github', false, 'scheme_mismatch', 401, 'issues'],
    ]);
    expect(got[0].eventType).toBe('wallet.created');
    expect(got[0].eventId).toBe('wh-1');
    // Each of them, to a listener of its own, is accepted with its scheme, type and id.
    const want = [['stripe', 'payment_intent.succeeded', 'evt_1'], ['standard', 'invoice.paid', 'msg_1'], ['github', 'issues', 'd-1']];
    for (const [i, [b, h]] of others.entries()) {
      const own = await listenInProcess(['--secret', SECRET]);
      const status = (await post(own.url, b, h)).status;
      const e = await event(own.l, 1);
      expect([e.scheme, e.verdict.valid, e.eventType, e.eventId, e.response.status, status], JSON.stringify({ verdict: e.verdict, headers: e.headers })).toEqual([...want[i]!.slice(0, 1), true, ...want[i]!.slice(1), 200, 200]);
      await stop(own.l);
    }
    // The body exactly as sent, UTF-8 intact.
    expect(got[0].body).toBe(dfns);
  });

  it('tampered, stale and unsigned deliveries get 401 with the right reason; a duplicate is marked', async () => {
    const body = dfnsBody('wh-2');
    const headers = sign('dfns', { body, secrets: [SECRET] });
    const tampered = await post(url, body.replace('wa-1', 'wa-2'), headers);
    expect(tampered.status).toBe(401);
    expect(tampered.text).toMatch(/^whk: invalid signature \(no_match\)/);
    const staleBody = dfnsBody('wh-3', 'wallet.created', now() - 600);
    expect((await post(url, staleBody, sign('dfns', { body: staleBody, secrets: [SECRET] }))).status).toBe(401);
    expect((await post(url, '{"kind":"x"}', { 'content-type': 'application/json' })).status).toBe(401);
    const first = dfnsBody('wh-1'); // the id of event #1
    expect((await post(url, first, sign('dfns', { body: first, secrets: [SECRET] }))).status).toBe(200);

    const [t, s, u, d] = [await event(l, 5), await event(l, 6), await event(l, 7), await event(l, 8)];
    expect([t.verdict.reason, s.verdict.reason, u.verdict.reason]).toEqual(['no_match', 'timestamp_too_old', 'missing_header']);
    expect([t.response.status, s.response.status, u.response.status]).toEqual([401, 401, 401]);
    expect(s.verdict.message).toMatch(/600 s old/);
    expect(d).toMatchObject({ duplicate: true, duplicateOf: 1, eventId: 'wh-1', response: { status: 200 } });
  });

  it('NDJSON lines keep the contract shape, and the recording holds the same lines, without the secret', async () => {
    const lines = l.stdoutLines.filter((x) => x.startsWith('{"type":"event"'));
    const e = JSON.parse(lines[0]!);
    expect(Object.keys(e)).toEqual(['type', 'seq', 'receivedAt', 'method', 'path', 'headers', 'body', 'bodyEncoding', 'scheme', 'verdict',
      'eventType', 'eventId', 'duplicate', 'filtered', 'response']);
    expect(e).toMatchObject({ type: 'event', method: 'POST', path: '/', bodyEncoding: 'utf8', filtered: false, duplicate: false });
    expect(new Date(e.receivedAt).toISOString()).toBe(e.receivedAt);
    expect(e.headers['x-dfns-webhook-signature']).toMatch(/^sha256=/);
    expect(Object.keys(e.verdict)).toEqual(expect.arrayContaining(['valid', 'reason', 'message', 'diagnosis']));
    const recorded = readFileSync(record, 'utf8').trim().split('\n');
    expect(recorded).toEqual(lines);
    expect(readFileSync(record, 'utf8')).not.toContain(SECRET);
    expect(l.stdoutLines.join('\n')).not.toContain(SECRET);
    expect(l.stderrLines.join('\n')).not.toContain(SECRET);
  });

  it('the first stdout line is the ready line; stderr says where it listens', () => {
    expect(JSON.parse(l.stdoutLines[0]!)).toEqual({ type: 'ready', url, publicUrl: null, inspectUrl: null, pid: process.pid });
    expect(l.stderrLines[0]).toBe(`whk listening on ${url}`);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });
});

describe('whk listen: --events, --forward-to, --max-body', () => {
  let app: Server;
  let appUrl = '';
  const got: Array<{ req: IncomingMessage; body: Buffer }> = [];
  beforeAll(async () => {
    app = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        got.push({ req, body: Buffer.concat(chunks) });
        res.writeHead(201, { 'content-type': 'application/json' }).end('{"queued":true}');
      });
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    appUrl = `http://127.0.0.1:${(app.address() as { port: number }).port}/webhooks`;
  });
  afterAll(async () => {
    app.closeAllConnections();
    await new Promise((r) => app.close(r));
  });

  it('forwards accepted events byte for byte and relays the app; filtered ones get 2xx and stay here', async () => {
    const { l, url } = await listenInProcess(['--scheme', 'dfns', '--secret', 'dfns-s3cret', '--forward-to', appUrl, '--events', 'wallet.*']);
    try {
      // Re-spaced JSON with a trailing newline: the bytes must arrive as they are.
      const body = `{ "id": "wh-5", "kind": "wallet.transfer.confirmed",\n  "note": "Zoë", "timestampSent": ${now()} }\n`;
      const r = await post(`${url}dfns?tenant=7`, body, { 'content-type': 'application/json', 'x-extra': 'kept', ...sign('dfns', { body, secrets: ['dfns-s3cret'] }) });
      expect(r).toEqual({ status: 201, text: '{"queued":true}' });
      const skip = dfnsBody('wh-6', 'policy.triggered');
      expect((await post(url, skip, sign('dfns', { body: skip, secrets: ['dfns-s3cret'] }))).status).toBe(200);
      const [fwd, filtered] = [await event(l, 1), await event(l, 2)];
      expect(fwd).toMatchObject({ filtered: false, response: { status: 201 }, forward: { status: 201 } });
      expect(filtered).toMatchObject({ filtered: true, eventType: 'policy.triggered', response: { status: 200 } });
      expect(filtered.forward).toBeUndefined();
      expect(got).toHaveLength(1);
      expect(got[0]!.body.equals(Buffer.from(body))).toBe(true);
      expect(got[0]!.req.url).toBe('/webhooks/dfns?tenant=7');
      expect(got[0]!.req.headers['x-extra']).toBe('kept');
      expect(got[0]!.req.headers['x-dfns-webhook-signature']).toMatch(/^sha256=/);
    } finally {
      await stop(l);
    }
  });

  it('an app that is down: 502 for the sender, one line saying so, the event still recorded', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as { port: number }).port;
    await new Promise((r) => dead.close(r));
    const { l, url } = await listenInProcess(['--forward-to', `http://127.0.0.1:${port}`]);
    try {
      const r = await post(url, '{"hello":1}');
      expect(r.status).toBe(502);
      const message = `forward failed: connection refused at http://127.0.0.1:${port} — is your app running?`;
      expect(r.text).toBe(`whk: ${message}\n`);
      expect(await l.waitFor(/forward failed/, 'stderr')).toBe(`whk: #1 ${message}`);
      expect((await event(l, 1)).forward).toMatchObject({ error: message });
    } finally {
      await stop(l);
    }
  });

  it('a body over --max-body gets 413 and a line saying so', async () => {
    const { l, url } = await listenInProcess(['--max-body', '1kb']);
    try {
      expect((await post(url, 'x'.repeat(2048))).status).toBe(413);
      const rej = JSON.parse(await l.waitFor(/"type":"rejected"/, 'stdout'));
      expect(rej).toMatchObject({ reason: 'body_too_large', response: { status: 413 } });
      expect(rej.message).toMatch(/over the 1 KB limit/);
      expect((await post(url, 'x'.repeat(1024))).status).toBe(200);
    } finally {
      await stop(l);
    }
  });
});

describe('whk listen: CI (--expect, --timeout), Ctrl-C, --ready-file', () => {
  it('--expect 2 exits 0 once two valid events have arrived', async () => {
    const readyFile = join(dir, 'url.txt');
    const { l, url } = await listen(['--scheme', 'dfns', '--secret', 's', '--expect', '2', '--timeout', '30s', '--ready-file', readyFile]);
    expect(readFileSync(readyFile, 'utf8')).toBe(`${url}\n`);
    for (const id of ['a', 'b']) {
      const body = dfnsBody(id);
      await post(url, body, sign('dfns', { body, secrets: ['s'] }));
    }
    const r = await l.exited;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('whk: received 2 of 2 expected events');
    expect(existsSync(readyFile)).toBe(false);
  });

  it('--expect exits 1 as soon as an invalid event arrives', async () => {
    const { l, url } = await listen(['--scheme', 'dfns', '--secret', 's', '--expect', '5']);
    await post(url, dfnsBody('a'), sign('dfns', { body: 'other', secrets: ['s'] }));
    const r = await l.exited;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/whk: invalid event #1: no_match — /);
  });

  it('--timeout with --expect exits 1 with how many arrived', async () => {
    const r = await runWhk(['listen', '--port', '0', '--secret', 's', '--expect', '1', '--timeout', '1s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('whk: timed out after 1s: received 0 of 1 expected events\n');
  });

  it('--timeout alone listens for that long, then exits 0 with the summary', async () => {
    const r = await runWhk(['listen', '--port', '0', '--timeout', '500ms']);
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n').slice(-2)).toEqual(['whk: stopped after 500ms', 'whk: 0 events: 0 valid, 0 invalid, 0 duplicates']);
  });

  it('--expect without a secret is a usage error (nothing could be valid)', async () => {
    const r = await whk(['listen', '--port', '0', '--expect', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^whk: --expect counts valid events/);
  });

  it('bad flags are usage errors (exit 2) with one line', async () => {
    for (const args of [['--port', 'x'], ['--status', '99'], ['--fail-rate', '2'], ['--scheme', 'strype'], ['--forward-to', 'ftp://x'], ['--max-body', 'lots']]) {
      const r = await whk(['listen', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('a port in use is a clear error', async () => {
    const { l, url } = await listenInProcess([]);
    try {
      const r = await whk(['listen', '--port', new URL(url).port]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^whk: port \d+ is already in use on 127\.0\.0\.1/);
    } finally {
      await stop(l);
    }
  });

  it('Ctrl-C closes the server, prints the summary and exits 130', async () => {
    const { l, url } = await listen(['--scheme', 'dfns', '--secret', 's']);
    const body = dfnsBody('x');
    await post(url, body, sign('dfns', { body, secrets: ['s'] }));
    await post(url, body, sign('dfns', { body, secrets: ['s'] }));
    await post(url, body, {});
    await event(l, 3);
    l.child.kill('SIGINT');
    const r = await l.exited;
    expect(r.code).toBe(130);
    expect(r.stderr.split('\n').at(-1)).toBe('whk: 3 events: 2 valid, 1 invalid, 1 duplicate');
    const refused = await fetch(url, { method: 'POST', body: '{}' }).then(() => 'answered', () => 'closed');
    expect(refused).toBe('closed');
  });

  it('failure injection shows on the record: --status, --fail-first', async () => {
    const { l, url } = await listenInProcess(['--status', '202', '--fail-first', '1', '--scheme', 'dfns']);
    try {
      const body = dfnsBody('f-1');
      expect((await post(url, body)).status).toBe(500);
      expect((await post(url, body)).status).toBe(202);
      expect(await event(l, 1)).toMatchObject({ response: { status: 500 }, injected: { fail: 'fail-first', attempt: 1 }, verdict: null });
      expect(await event(l, 2)).toMatchObject({ response: { status: 202 }, duplicate: true, injected: { attempt: 2 } });
    } finally {
      await stop(l);
    }
  });
});
