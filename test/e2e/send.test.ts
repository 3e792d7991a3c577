/**
 * `whk send` end to end: the built CLI in a child process against receivers on 127.0.0.1 that
 * verify with the providers' SDKs, the Dfns seed's own sample code, or the core. No sleeps: every
 * wait is on a process exit or a request count.
 */
import { execFile } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verify } from '../../src/index.js';
import { coreSchemes as schemes } from '../../src/providers/core.js';
import { runWhk, WHK } from '../helpers/cli.js';
import { secretFor } from '../send/_fixtures.js';
import { deadPort, startReceiver, type Receiver } from '../send/_receiver.js';

const DFNS = 'dfns-s3cret';
const STD = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const STRIPE = 'whsec_test_0123456789abcdefghijklmnop';
const GITHUB = "It's a Secret to Everybody";

/** The Dfns seed's Node sample, as published: HMAC over JSON.stringify(parsed), |now - timestampSent| < 300. */
function dfnsSeedSample(body: Buffer, signature: string | undefined): boolean {
  try {
    const eventPayload = JSON.parse(body.toString('utf8'));
    const messageToSign = JSON.stringify(eventPayload);
    const sig = createHmac('sha256', DFNS).update(messageToSign).digest('hex');
    const isSignatureValid = timingSafeEqual(Buffer.from(`sha256=${sig}`, 'ascii'), Buffer.from(signature ?? '', 'ascii'));
    const isTimestampWithinTolerance = Math.abs(Date.now() / 1000 - eventPayload.timestampSent) < 5 * 60;
    return isSignatureValid && isTimestampWithinTolerance;
  } catch {
    return false; // timingSafeEqual throws on a length mismatch: a missing header
  }
}

const accepts = async (f: () => unknown) => {
  try {
    return (await f()) !== false;
  } catch {
    return false;
  }
};

let dfns: Receiver;
let standard: Receiver;
let stripe: Receiver;
let github: Receiver;
let anything: Receiver;
let core: Receiver;
beforeAll(async () => {
  const sdk = new Stripe('sk_test_unused');
  [dfns, standard, stripe, github, anything, core] = await Promise.all([
    startReceiver((r) => (dfnsSeedSample(r.body, r.headers['x-dfns-webhook-signature']) ? 200 : 401)),
    startReceiver(async (r) => ((await accepts(() => new Webhook(STD).verify(r.body.toString(), r.headers))) ? 200 : 401)),
    startReceiver(async (r) => ((await accepts(() => sdk.webhooks.constructEvent(r.body, r.headers['stripe-signature'] ?? '', STRIPE))) ? 200 : 400)),
    startReceiver(async (r) => ((await accepts(() => octokitVerify(GITHUB, r.body.toString(), r.headers['x-hub-signature-256'] ?? ''))) ? 204 : 401)),
    startReceiver(() => 200),
    // /<scheme>: verified by the core with that scheme's test secret, the URL as received.
    startReceiver((r) => {
      const scheme = r.path.split('/')[1]!.split('?')[0]!;
      const v = verify(scheme, { body: r.body, headers: r.headers, secrets: [secretFor(scheme).verify], url: `${core.url}${r.path}` });
      return v.valid ? 200 : 401;
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([dfns, standard, stripe, github, anything, core].map((r) => r?.close()));
});

const send = (url: string, ...args: string[]) => runWhk(['send', url, ...args]);

describe.concurrent('a valid sample event of every scheme verifies at the receiver (the core, with the URL it was sent to)', () => {
  it.each(schemes.map((s) => s.name))('%s', async (scheme) => {
    const r = await send(`${core.url}/${scheme}?tenant=7`, '--scheme', scheme, '--secret', secretFor(scheme).sign, '--json');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, status: 200, scheme, mode: 'valid', expect: '2xx' });
    expect(r.code).toBe(0);
  });
});

describe.concurrent('negative modes: refused by receivers that verify properly, so whk send exits 0', () => {
  const modes: Array<[string, string[]]> = [
    ['tamper body', ['--tamper', 'body']],
    ['tamper signature', ['--tamper', 'signature']],
    ['stale', ['--stale', '10m']],
    ['future', ['--future', '10m']],
    ['wrong secret', ['--wrong-secret']],
    ['no signature', ['--no-signature']],
  ];
  const cases: Array<[string, string, () => string, string, string[]]> = [
    ...modes.map(([m, a]) => ['dfns (seed sample code)', m, () => dfns.url, DFNS, a] as [string, string, () => string, string, string[]]),
    ...modes.map(([m, a]) => ['standard (standardwebhooks SDK)', m, () => standard.url, STD, a] as [string, string, () => string, string, string[]]),
    ...modes.filter(([m]) => m !== 'future').map(([m, a]) => ['stripe (constructEvent)', m, () => stripe.url, STRIPE, a] as [string, string, () => string, string, string[]]),
    ...modes.filter(([m]) => m !== 'future' && m !== 'stale').map(([m, a]) => ['github (@octokit/webhooks-methods)', m, () => github.url, GITHUB, a] as [string, string, () => string, string, string[]]),
  ];
  it.each(cases)('%s: %s', async (who, _mode, url, secret, args) => {
    const scheme = who.split(' ')[0]!;
    const r = await send(url(), '--scheme', scheme, '--secret', secret, ...args);
    expect(r.stdout).toMatch(/✓ refused .* with (400|401), as it must \(within --expect 4xx\)/);
    expect(r.code).toBe(0);
  });

  it('a receiver that accepts a forgery makes whk send exit 1 and say what it does wrong', async () => {
    const r = await send(anything.url, '--scheme', 'dfns', '--secret', DFNS, '--tamper', 'body');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ accepted a body changed after signing \(200\): it does not verify the signature over the raw body/);
  });

  it('--no-signature needs no secret', async () => {
    const r = await send(standard.url, '--scheme', 'standard', '--no-signature');
    expect(r.code).toBe(0);
  });

  it('only one negative mode at a time (exit 2)', async () => {
    const r = await send(dfns.url, '--scheme', 'dfns', '--secret', DFNS, '--tamper', 'body', '--wrong-secret');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/one negative mode at a time/);
  });

  it('--stale on a scheme without a timestamp is a usage error naming those that have one', async () => {
    const r = await send(github.url, '--scheme', 'github', '--secret', GITHUB, '--stale', '10m');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^whk: github signs no timestamp, so --stale has nothing to change \(schemes with one: dfns,/);
  });
});

describe('single deliveries', () => {
  it('a valid Dfns event passes the seed sample: status, latency, response headers and body printed', async () => {
    const before = dfns.got.length;
    const r = await send(`${dfns.url}/hooks/dfns`, '--scheme', 'dfns', '--secret', DFNS, '--event', 'policy.approval.pending');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^→ POST http:\/\/127\.0\.0\.1:\d+\/hooks\/dfns {2}dfns policy\.approval\.pending wh-/);
    expect(r.stdout).toMatch(/\n← 200 OK {2}[\d.]+ ms\n {2}content-type: text\/plain\n/);
    expect(r.stdout).toMatch(/\n {2}ok\n✓ 200 is within --expect 2xx\n$/);
    const got = dfns.got.slice(before);
    expect(got).toHaveLength(1);
    expect(got[0]!.path).toBe('/hooks/dfns');
    expect(JSON.parse(got[0]!.body.toString())).toMatchObject({ kind: 'policy.approval.pending', deliveryAttempt: 1 });
  });

  it('--duplicate: the same bytes twice, 2xx both times expected and got', async () => {
    const before = standard.got.length;
    const r = await send(standard.url, '--scheme', 'standard', '--secret', STD, '--duplicate', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ ok: true, mode: 'duplicate', expect: '2xx', status: [200, 200] });
    const [a, b] = standard.got.slice(before);
    expect(a!.body.equals(b!.body)).toBe(true);
    expect(a!.headers['webhook-id']).toBe(b!.headers['webhook-id']);
    expect(a!.headers['webhook-signature']).toBe(b!.headers['webhook-signature']);
  });

  it('a body given with --body, --body-file - or on stdin is sent byte for byte', async () => {
    const ts = Math.floor(Date.now() / 1000);
    const body = `{"kind":"wallet.created","data":{"name":"Zoë 🚀","tags":["a/b"]},"timestampSent":${ts}}`;
    for (const [args, input] of [[['--body', body], ''], [['--body-file', '-'], body]] as const) {
      const before = dfns.got.length;
      const r = await runWhk(['send', dfns.url, '--scheme', 'dfns', '--secret', DFNS, ...args], { input });
      expect(dfns.got[before]!.body.toString()).toBe(body);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    // A shell pipe (a FIFO) is read without --body-file; the socket a parent process leaves as
    // stdin is not (runWhk's: the sample goes instead), so a never-closed stdin cannot hang whk.
    const file = join(mkdtempSync(join(tmpdir(), 'whk-send-')), 'body.json');
    writeFileSync(file, body);
    const before = dfns.got.length;
    const piped = await new Promise<number | null>((resolve) => {
      execFile('sh', ['-c', `cat "$1" | "${process.execPath}" "${WHK}" send ${dfns.url} --scheme dfns --secret ${DFNS}`, 'sh', file], (err) => resolve(err ? (err as { code?: number }).code ?? 1 : 0));
    });
    expect(piped).toBe(0);
    expect(dfns.got[before]!.body.toString()).toBe(body);
    const sample = await runWhk(['send', dfns.url, '--scheme', 'dfns', '--secret', DFNS], { input: body });
    expect(sample.code).toBe(0);
    expect(JSON.parse(dfns.got[dfns.got.length - 1]!.body.toString()).kind).toBe('wallet.transfer.confirmed');
  });

  it('a Dfns body that is not compact JSON: sent as given (the core accepts it), with a note that Dfns\'s sample code will not', async () => {
    const body = `{ "kind": "wallet.created",\n  "data": {}, "timestampSent": ${Math.floor(Date.now() / 1000)} }\n`;
    const r = await send(`${core.url}/dfns`, '--scheme', 'dfns', '--secret', secretFor('dfns').sign, '--body', body);
    expect(core.got[core.got.length - 1]!.body.toString()).toBe(body);
    expect(r.stderr).toMatch(/^note: this body changes when re-serialized \(JSON\.stringify\(JSON\.parse\(body\)\): .*\); Dfns sends compact JSON/);
    expect(r.code).toBe(0);
    expect((await send(dfns.url, '--scheme', 'dfns', '--secret', DFNS, '--body', body)).code).toBe(1);
  });

  it('a body the Dfns seed sample cannot re-serialize (an integer beyond 2^53): sent as is; the core accepts it, the seed sample does not', async () => {
    const body = `{"kind":"wallet.created","data":{"n":12345678901234567890},"timestampSent":${Math.floor(Date.now() / 1000)}}`;
    const viaCore = await send(`${core.url}/dfns`, '--scheme', 'dfns', '--secret', secretFor('dfns').sign, '--body', body);
    expect(core.got[core.got.length - 1]!.body.toString()).toBe(body);
    expect(viaCore.code).toBe(0);
    expect((await send(dfns.url, '--scheme', 'dfns', '--secret', DFNS, '--body', body)).code).toBe(1);
  });

  it('a body whose own timestamp is stale is sent as given, with a note on stderr', async () => {
    const body = '{"id":"wh-1","kind":"ping","data":{},"timestampSent":1700000000,"deliveryAttempt":1}';
    const r = await send(dfns.url, '--scheme', 'dfns', '--secret', DFNS, '--body', body);
    expect(r.stderr).toMatch(/^note: this delivery would not verify even with the right secret: timestamp is \d+ s old/);
    expect(r.code).toBe(1);
  });

  it('--list-events needs no URL or secret; unknown events and schemes are usage errors', async () => {
    const list = await runWhk(['send', '--scheme', 'dfns', '--list-events']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ {2}wallet\.transfer\.confirmed +a native ETH transfer confirmed on chain \(default\)$/m);
    expect(list.stdout).toMatch(/^ {2}policy\.triggered /m);
    const all = await runWhk(['send', '--list-events', '--json']);
    // Every scheme has sample events: the core's and the catalogue's (issue 10).
    expect(JSON.parse(all.stdout).map((p: { scheme: string }) => p.scheme).slice(0, schemes.length)).toEqual(schemes.map((s) => s.name));
    expect(JSON.parse(all.stdout).length).toBeGreaterThanOrEqual(70);

    const ev = await send(dfns.url, '--scheme', 'dfns', '--secret', DFNS, '--event', 'wallet.exploded');
    expect(ev.code).toBe(2);
    expect(ev.stderr).toMatch(/^whk: unknown --event "wallet\.exploded" for dfns: use one of wallet\.transfer\.confirmed, ping, /);
    const sc = await send(dfns.url, '--scheme', 'dfnz', '--secret', DFNS);
    expect(sc.code).toBe(2);
    expect(sc.stderr).toMatch(/unknown scheme "dfnz": did you mean "dfns"\?/);
  });

  it.each([['ok'], ['2xx,'], ['600']])('--expect %s is a usage error (exit 2)', async (bad) => {
    const r = await send(dfns.url, '--scheme', 'dfns', '--secret', DFNS, '--expect', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^whk: --expect ".*" .*is not a status: use e\.g\. 2xx, 200, 4xx/);
  });

  it('--expect accepts lists: 401 within 200,4xx exits 0; 200 outside 201 exits 1', async () => {
    expect((await send(dfns.url, '--scheme', 'dfns', '--secret', 'wrong', '--expect', '200,4xx')).code).toBe(0);
    const r = await send(dfns.url, '--scheme', 'dfns', '--secret', DFNS, '--expect', '201');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ 200 is outside --expect 201\n$/);
  });
});

describe('failures and retries', () => {
  let failing: Receiver;
  let flaky: Receiver;
  let hanging: Receiver;
  beforeAll(async () => {
    [failing, flaky, hanging] = await Promise.all([
      startReceiver(() => 500),
      startReceiver((_r, i) => (i % 3 === 2 ? 200 : 503)),
      startReceiver(() => 'hang'),
    ]);
  });
  afterAll(async () => {
    await Promise.all([failing, flaky, hanging].map((r) => r?.close()));
  });

  it('a receiver answering 500: exit 1, no retry by default', async () => {
    const r = await send(failing.url, '--scheme', 'dfns', '--secret', DFNS);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/← 500 Internal Server Error/);
    expect(r.stdout).toMatch(/✗ 500 is outside --expect 2xx/);
  });

  it('--retries 2 retries 5xx with backoff, says so, and re-signs each attempt of the same event', async () => {
    const before = failing.got.length;
    const r = await send(failing.url, '--scheme', 'dfns', '--secret', DFNS, '--retries', '2', '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('retry 1/2 after 5xx in 200ms\nretry 2/2 after 5xx in 400ms\n');
    const bodies = failing.got.slice(before).map((g) => JSON.parse(g.body.toString()));
    expect(bodies.map((b) => b.deliveryAttempt)).toEqual([1, 2, 3]);
    expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
    expect(bodies[2].retryOf).toBe(bodies[0].id);
    expect(JSON.parse(r.stdout).deliveries[0].attempts.map((a: { status: number }) => a.status)).toEqual([500, 500, 500]);
  });

  it('--retries until the receiver recovers: exit 0', async () => {
    const r = await send(flaky.url, '--scheme', 'stripe', '--secret', STRIPE, '--retries', '3');
    expect(r.stderr).toBe('retry 1/3 after 5xx in 200ms\nretry 2/3 after 5xx in 400ms\n');
    expect(r.stdout).toMatch(/← 503 Service Unavailable .*\(attempt 1 of 3\)/);
    expect(r.code).toBe(0);
  });

  it('a dead URL: exit 3 and one line naming the problem', async () => {
    const port = await deadPort();
    const r = await send(`http://127.0.0.1:${port}/`, '--scheme', 'dfns', '--secret', DFNS);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`whk: connection refused at http://127.0.0.1:${port} — is the listener running?\n`);
  });

  it('a dead URL with --retries: each retry announced, then the one line', async () => {
    const port = await deadPort();
    const r = await send(`http://127.0.0.1:${port}/`, '--scheme', 'dfns', '--secret', DFNS, '--retries', '1');
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(`retry 1/1 after connection refused in 200ms\nwhk: connection refused at http://127.0.0.1:${port} — is the listener running?\n`);
  });

  it('a receiver that never answers: --timeout 300ms gives exit 3', async () => {
    const r = await send(hanging.url, '--scheme', 'dfns', '--secret', DFNS, '--timeout', '300ms');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^whk: no answer from http:\/\/127\.0\.0\.1:\d+ in time — the receiver is too slow \(raise --timeout\)\n$/);
  });

  it('a URL that is not http(s) is a usage error', async () => {
    const r = await send('ftp://example.com/', '--scheme', 'dfns', '--secret', DFNS);
    expect(r.code).toBe(2);
  });
});

describe('load mode', () => {
  it('--count 200 --concurrency 8 --json: one JSON summary; the receiver verified 200 distinct events', async () => {
    const before = core.got.length;
    const r = await send(`${core.url}/dfns`, '--scheme', 'dfns', '--secret', secretFor('dfns').sign, '--count', '200', '--concurrency', '8', '--json');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ scheme: 'dfns', requests: 200, events: 200, duplicates: 0, concurrency: 8, statuses: { 200: 200 }, errors: {}, ok: 200, failed: 0, expect: '2xx', stopped: null });
    expect(s.requestsPerSecond).toBeGreaterThan(0);
    for (const k of ['min', 'mean', 'p50', 'p90', 'p99', 'max']) expect(typeof s.latencyMs[k]).toBe('number');
    expect(s.latencyMs.p50).toBeLessThanOrEqual(s.latencyMs.p99);
    const got = core.got.slice(before);
    expect(got.every((g) => g.status === 200)).toBe(true);
    expect(new Set(got.map((g) => JSON.parse(g.body.toString()).id)).size).toBe(200);
  });

  it('--duplicate-rate 0.25 --shuffle: exactly 10 duplicates of 40 events (same id, same bytes), out of order', async () => {
    const before = core.got.length;
    const r = await send(`${core.url}/svix`, '--scheme', 'svix', '--secret', secretFor('svix').sign, '--count', '40', '--concurrency', '4', '--duplicate-rate', '0.25', '--shuffle', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ requests: 50, events: 40, duplicates: 10, shuffled: true, ok: 50 });
    const got = core.got.slice(before);
    expect(got).toHaveLength(50);
    const ids = got.map((g) => g.headers['svix-id']!);
    expect(new Set(ids).size).toBe(40);
    for (const id of new Set(ids)) {
      const same = got.filter((g) => g.headers['svix-id'] === id);
      expect(same.every((g) => g.body.equals(same[0]!.body))).toBe(true);
    }
  });

  it('a receiver answering 500 to some: exit 1, the histogram shows it', async () => {
    const mixed = await startReceiver((_r, i) => (i % 4 === 0 ? 500 : 200));
    try {
      const r = await send(mixed.url, '--scheme', 'github', '--secret', GITHUB, '--count', '20', '--concurrency', '2');
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^statuses {3}200 ×15 · 500 ×5$/m);
      expect(r.stdout).toMatch(/✗ 5\/20 failed/);
    } finally {
      await mixed.close();
    }
  });

  it('a dead URL: exit 3, stopped early, one line on stderr', async () => {
    const port = await deadPort();
    const r = await send(`http://127.0.0.1:${port}/`, '--scheme', 'dfns', '--secret', DFNS, '--count', '1000', '--concurrency', '4', '--json');
    expect(r.code).toBe(3);
    const s = JSON.parse(r.stdout);
    expect(s.requests).toBeLessThan(1000);
    expect(Object.keys(s.errors)).toEqual(['connection_refused']);
    expect(r.stderr).toMatch(/^whk: no answer to the first \d+ requests \(connection refused at/);
  });

  it('--duplicate-rate without --count is a usage error', async () => {
    const r = await send(dfns.url, '--scheme', 'dfns', '--secret', DFNS, '--duplicate-rate', '0.1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/add --count/);
  });
});
