/**
 * whk listen as a local gateway, as a user runs it: real processes on 127.0.0.1, whk.json, two
 * providers on one listener (signatures by their SDKs), routes by event type, fan-out, the queue
 * across an app that is down and a listener killed with SIGKILL, and whk routes test agreeing
 * with what the listener did.
 */
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign as octokitSign } from '@octokit/webhooks-methods';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { runWhk, startWhk, type Running } from '../helpers/cli.js';

const STRIPE_SECRET = 'whsec_e2e_gateway_0123456789';
const GITHUB_SECRET = 'e2e-github-s3cret';

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

/** An app recording every request; `status` is what it answers. */
async function app() {
  const got: Array<{ path: string; body: string; signature?: string }> = [];
  const state = { status: 200 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (state.status < 300) got.push({ path: req.url!, body: Buffer.concat(chunks).toString(), signature: (req.headers['x-hub-signature-256'] ?? req.headers['stripe-signature']) as string | undefined });
      res.statusCode = state.status;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => (server.closeAllConnections(), server.close()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got, state };
}

function project(config: object) {
  const dir = mkdtempSync(join(tmpdir(), 'whk-gateway-'));
  writeFileSync(join(dir, 'github.secret'), `${GITHUB_SECRET}\n`);
  writeFileSync(join(dir, 'whk.json'), JSON.stringify(config, null, 2));
  return { dir, config: join(dir, 'whk.json'), home: mkdtempSync(join(tmpdir(), 'whk-gateway-home-')) };
}

async function listen(p: { dir: string; config: string; home: string }, extra: string[] = []) {
  const whk = startWhk(['listen', '--port', '0', '--json', '--config', p.config, '--record', join(p.dir, 'events.ndjson'), ...extra], { env: { WHK_HOME: p.home, STRIPE_WEBHOOK_SECRET: STRIPE_SECRET } });
  cleanup.push(() => whk.child.kill('SIGKILL'));
  const ready = JSON.parse(await whk.waitFor(/"type":"ready"/, 'stdout')) as { url: string };
  return { whk, base: ready.url.replace(/\/$/, '') };
}

/** A project whose listener verifies GitHub on /gh and queues every delivery for `app`. */
const queued = (app: string, more: object = {}) => project({ mounts: { '/gh': { scheme: 'github', secretFile: './github.secret' } }, forwardTo: `${app}/hooks`, queue: true, ...more });

const stripe = (type: string) => {
  const body = JSON.stringify({ id: `evt_${Math.random().toString(36).slice(2)}`, object: 'event', type, data: { object: {} } });
  return { body, headers: { 'content-type': 'application/json', 'stripe-signature': new Stripe('sk_test_x').webhooks.generateTestHeaderString({ payload: body, secret: STRIPE_SECRET }) } };
};
const github = async (event: string, n = Math.random(), pad?: string) => {
  const body = JSON.stringify({ ref: 'refs/heads/main', n, ...(pad === undefined ? {} : { pad }) });
  return { body, headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': `d-${n}`, 'x-hub-signature-256': await octokitSign(GITHUB_SECRET, body) } };
};
const post = async (url: string, d: { body: string; headers: Record<string, string> }) => (await fetch(url, { method: 'POST', body: d.body, headers: d.headers })).status;
const events = (w: Running) => w.stdoutLines.filter((l) => l.includes('"type":"event"')).map((l) => JSON.parse(l) as { mount: string; route: string | null; scheme: string; eventType: string; forwards?: Array<{ url: string; status?: number }> });

describe('two providers on one listener, from whk.json', () => {
  it('each verified with its own secret, routed by event type, fanned out byte for byte; whk routes test agrees', async () => {
    const [billing, ci, bot, rest] = await Promise.all([app(), app(), app(), app()]);
    const p = project({
      mounts: { '/stripe': { scheme: 'stripe', secret: 'env:STRIPE_WEBHOOK_SECRET' }, '/gh': { scheme: 'github', secretFile: './github.secret' } },
      routes: [{ match: 'stripe:invoice.*', to: `${billing.url}/billing` }, { match: 'github:push', to: [`${ci.url}/ci`, `${bot.url}/bot`] }],
      forwardTo: `${rest.url}/webhooks`,
    });
    const { whk, base } = await listen(p);
    const invoice = stripe('invoice.paid');
    const push = await github('push');
    const charge = stripe('charge.succeeded');
    expect([await post(`${base}/stripe`, invoice), await post(`${base}/gh`, push), await post(`${base}/stripe`, charge)]).toEqual([200, 200, 200]);
    expect(await post(`${base}/gh`, invoice)).toBe(401);
    whk.child.kill('SIGTERM');
    expect((await whk.exited).code).toBe(143);
    expect(billing.got.map((g) => [g.path, g.body])).toEqual([['/billing', invoice.body]]);
    expect([ci.got, bot.got].map((g) => [g[0]!.body, g[0]!.signature])).toEqual([[push.body, push.headers['x-hub-signature-256']], [push.body, push.headers['x-hub-signature-256']]]);
    expect(rest.got.map((g) => [g.path, g.body])).toEqual([['/webhooks', charge.body]]);
    const seen = events(whk);
    expect(seen.map((e) => [e.mount, e.scheme, e.eventType, e.route, e.forwards?.length])).toEqual([
      ['/stripe', 'stripe', 'invoice.paid', 'stripe:invoice.*', 1],
      ['/gh', 'github', 'push', 'github:push', 2],
      ['/stripe', 'stripe', 'charge.succeeded', null, 1],
      ['/gh', 'github', null, null, undefined],
    ]);
    // Each recorded delivery, through whk routes test: the same route and targets, nothing sent.
    const recorded = readFileSync(join(p.dir, 'events.ndjson'), 'utf8').trim().split('\n');
    for (const [i, line] of recorded.entries()) {
      const one = join(p.dir, `one-${i}.ndjson`);
      writeFileSync(one, `${line}\n`);
      const r = await runWhk(['routes', 'test', one, '--config', p.config, '--json'], { env: { STRIPE_WEBHOOK_SECRET: STRIPE_SECRET } });
      const d = JSON.parse(r.stdout) as { route: string | null; targets: string[] };
      expect([d.route, d.targets.length, r.code]).toEqual([seen[i]!.route, seen[i]!.forwards?.length ?? 0, seen[i]!.forwards ? 0 : 1]);
    }
    expect(billing.got).toHaveLength(1);
  });

  it('a bad whk.json is one line naming the file and the key, exit 2', async () => {
    const p = project({ mounts: { '/gh': { scheme: 'github', secret: 'env:NOT_SET_ANYWHERE' } } });
    const r = await runWhk(['listen', '--port', '0', '--config', p.config], { env: { WHK_HOME: p.home } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/whk\.json: "mounts\.\/gh\.secret": the environment variable NOT_SET_ANYWHERE is not set: export NOT_SET_ANYWHERE=<the secret>/)]);
  });
});

describe('--queue: no event lost while the app is down', () => {
  it('100 queued deliveries survive a SIGKILL: after restart each arrives once, in order', async () => {
    const target = await app();
    target.state.status = 503;
    const p = queued(target.url);
    const first = await listen(p);
    const bodies: string[] = [];
    for (let i = 0; i < 100; i++) {
      const d = await github('push', i);
      bodies.push(d.body);
      expect(await post(`${first.base}/gh`, d)).toBe(200);
    }
    first.whk.child.kill('SIGKILL');
    await first.whk.exited;
    expect(target.got).toEqual([]);
    target.state.status = 200;
    const second = await listen(p);
    await second.whk.waitFor(/"state":"delivered".*"seq":100,|"seq":100,.*"state":"delivered"/, 'stdout', 30_000);
    expect(target.got.map((g) => g.body)).toEqual(bodies);
    const queue = await runWhk(['queue', '--json'], { env: { WHK_HOME: p.home } });
    expect(JSON.parse(queue.stdout)).toEqual([]);
    second.whk.child.kill('SIGTERM');
    await second.whk.exited;
  }, 60_000);
});

describe('--queue: a long run', () => {
  it('keeps its journal to what is live: 100 deliveries of 100 KB, each delivered once in order, and the file compacted as it ran', async () => {
    const target = await app();
    const p = queued(target.url);
    const { whk, base } = await listen(p);
    const bodies: string[] = [];
    for (let i = 0; i < 100; i++) {
      const d = await github('push', i, 'x'.repeat(100_000));
      bodies.push(d.body);
      expect(await post(`${base}/gh`, d)).toBe(200);
    }
    await whk.waitFor(/"state":"delivered".*"seq":100,|"seq":100,.*"state":"delivered"/, 'stdout', 30_000);
    expect(target.got.map((g) => g.body)).toEqual(bodies);
    // 100 put records of ~133 KB (the body in base64): 13 MB without compaction.
    const journal = readdirSync(p.home, { recursive: true, encoding: 'utf8' }).find((f) => f.endsWith('queue.ndjson'))!;
    expect(statSync(join(p.home, journal)).size).toBeLessThan(8 * 1024 * 1024);
    const queue = await runWhk(['queue', '--json'], { env: { WHK_HOME: p.home } });
    expect(JSON.parse(queue.stdout)).toEqual([]);
    whk.child.kill('SIGTERM');
    expect((await whk.exited).code).toBe(143);
  }, 60_000);
});

describe('--queue: a graceful stop sends nothing twice', () => {
  it('SIGTERM while the app is answering a queued delivery: the answer is awaited and marked (delivered, said), exit 143; a restart sends nothing again', async () => {
    // An app that takes its time: the delivery is in flight when the listener is told to stop.
    let arrived = 0;
    let answered = 0;
    const slow = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        arrived++;
        setTimeout(() => {
          answered++;
          res.end();
        }, 800);
      });
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    cleanup.push(() => (slow.closeAllConnections(), slow.close()));
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
    const p = queued(url);
    const first = await listen(p);
    expect(await post(`${first.base}/gh`, await github('push', 1))).toBe(200);
    await expect.poll(() => arrived).toBe(1);
    first.whk.child.kill('SIGTERM');
    expect((await first.whk.exited).code).toBe(143);
    expect(answered).toBe(1);
    expect(first.whk.stdoutLines.filter((l) => l.includes('"state":"delivered"'))).toHaveLength(1);
    expect(JSON.parse((await runWhk(['queue', '--json'], { env: { WHK_HOME: p.home } })).stdout)).toEqual([]);
    const second = await listen(p);
    await new Promise((r) => setTimeout(r, 1500));
    expect(arrived).toBe(1);
    second.whk.child.kill('SIGTERM');
    await second.whk.exited;
  }, 30_000);
});

describe('--queue: stopping with deliveries pending', () => {
  it('says how many are left and that the next listener sends them', async () => {
    const target = await app();
    target.state.status = 503;
    const p = queued(target.url);
    const { whk, base } = await listen(p);
    expect(await post(`${base}/gh`, await github('push', 1))).toBe(200);
    expect(await post(`${base}/gh`, await github('push', 2))).toBe(200);
    await whk.waitFor(/"state":"retrying"/, 'stdout');
    whk.child.kill('SIGTERM');
    const r = await whk.exited;
    expect(r.code).toBe(143);
    expect(r.stderr).toContain('whk: 2 deliveries are still pending in the queue: the next whk listen --queue with this state folder sends them (whk queue lists them)');
  });
});

describe('--queue: a journal damaged on disk', () => {
  it('the listener starts, sends what it can read, and says where the damaged lines were set aside', async () => {
    const target = await app();
    target.state.status = 503;
    const p = queued(target.url);
    const first = await listen(p);
    expect(await post(`${first.base}/gh`, await github('push', 1))).toBe(200);
    await first.whk.waitFor(/"state":"retrying"/, 'stdout');
    first.whk.child.kill('SIGKILL');
    await first.whk.exited;
    // Bytes damaged on disk: a line that is not JSON, and a record without its targets (which crashed the start).
    const journal = join(p.home, 'queue', 'queue.ndjson');
    appendFileSync(journal, 'garbage\n{"t":"put","id":"q-x-1","at":1}\n');
    target.state.status = 200;
    const again = await listen(p);
    const line = await again.whk.waitFor(/damaged/, 'stderr');
    expect(line).toBe(`whk: 2 lines of the queue (${journal}) are damaged (not a record whk wrote): set aside in ${join(p.home, 'queue', 'queue.damaged.ndjson')}; a delivery among them will not be sent (read them there, and replay what you need)`);
    await again.whk.waitFor(/"state":"delivered"/, 'stdout');
    expect(target.got).toHaveLength(1);
    expect(readFileSync(join(p.home, 'queue', 'queue.damaged.ndjson'), 'utf8')).toBe('garbage\n{"t":"put","id":"q-x-1","at":1}\n');
  });
});

describe('whk queue retry and drop, while a listener delivers', () => {
  it('failed deliveries: retry --all sends them (the running listener picks it up), drop <id> removes one; ids that match nothing: exit 1', async () => {
    const target = await app();
    target.state.status = 503;
    const p = queued(target.url, { queueMaxAge: '300ms' });
    const { whk, base } = await listen(p);
    const env = { WHK_HOME: p.home };
    const [a, b] = [await github('push', 1), await github('push', 2)];
    expect([await post(`${base}/gh`, a), await post(`${base}/gh`, b)]).toEqual([200, 200]);
    await expect.poll(() => whk.stdoutLines.filter((l) => l.includes('"state":"failed"')).length).toBe(2);
    const failed = JSON.parse((await runWhk(['queue', '--json'], { env })).stdout) as Array<{ id: string; state: string }>;
    expect(failed.map((f) => f.state)).toEqual(['failed', 'failed']);

    target.state.status = 200;
    const retry = await runWhk(['queue', 'retry', '--all'], { env });
    expect([retry.code, retry.stderr.trim()]).toEqual([0, 'whk: retrying 2 deliveries (a running whk listen --queue sends them within a second; the next one started otherwise)']);
    await expect.poll(() => whk.stdoutLines.filter((l) => l.includes('"state":"delivered"')).length).toBe(2);
    expect(target.got.map((g) => g.body)).toEqual([a.body, b.body]);
    expect(JSON.parse((await runWhk(['queue', '--json'], { env })).stdout)).toEqual([]);

    target.state.status = 503;
    const c = await github('push', 3);
    expect(await post(`${base}/gh`, c)).toBe(200);
    const [pending] = JSON.parse((await runWhk(['queue', '--json'], { env })).stdout) as Array<{ id: string }>;
    const drop = await runWhk(['queue', 'drop', pending!.id], { env });
    expect([drop.code, drop.stderr.trim()]).toEqual([0, 'whk: dropped 1 delivery']);
    expect(JSON.parse((await runWhk(['queue', '--json'], { env })).stdout)).toEqual([]);
    expect((await runWhk(['queue', 'drop', 'q-nothing-1'], { env })).code).toBe(1);
    expect((await runWhk(['queue', 'retry'], { env })).code).toBe(2);
    whk.child.kill('SIGTERM');
    await whk.exited;
  }, 30_000);
});

describe('the queue in the inspector', () => {
  it('shows each target\'s state, and retries or drops a delivery', async () => {
    const target = await app();
    target.state.status = 503;
    const p = queued(target.url);
    const whk = startWhk(['listen', '--port', '0', '--json', '--config', p.config, '--inspect', '--inspect-port', '0'], { env: { WHK_HOME: p.home } });
    cleanup.push(() => whk.child.kill('SIGKILL'));
    const ready = JSON.parse(await whk.waitFor(/"type":"ready"/, 'stdout')) as { url: string; inspectUrl: string };
    const inspector = new URL(ready.inspectUrl);
    const auth = { authorization: `Bearer ${inspector.searchParams.get('key')}` };
    expect(await post(`${ready.url}gh`, await github('push'))).toBe(200);
    const event = JSON.parse(await whk.waitFor(/"type":"event"/, 'stdout')) as { queued: string };
    await whk.waitFor(/"state":"retrying"/, 'stdout');
    const view = await (await fetch(new URL(`/api/queue/${event.queued}`, inspector.origin), { headers: auth })).json() as { targets: Array<{ url: string; state: string; attempts: number; status: number }> };
    expect(view.targets).toEqual([expect.objectContaining({ url: `${target.url}/hooks`, state: 'pending', status: 503 })]);
    expect(view.targets[0]!.attempts).toBeGreaterThan(0);
    const page = await (await fetch(new URL('/', inspector.origin), { headers: auth })).text();
    const token = /name="whk-token" content="([^"]+)"/.exec(page)![1]!;
    const dropped = await fetch(new URL(`/api/queue/${event.queued}/drop`, inspector.origin), { method: 'POST', headers: { ...auth, 'x-whk-token': token } });
    expect(dropped.status).toBe(200);
    expect(((await dropped.json()) as typeof view).targets[0]!.state).toBe('dropped');
    target.state.status = 200;
    const queue = await runWhk(['queue', '--json', '--all'], { env: { WHK_HOME: p.home } });
    expect((JSON.parse(queue.stdout) as Array<{ state: string }>).map((q) => q.state)).toEqual(['dropped']);
  });
});
