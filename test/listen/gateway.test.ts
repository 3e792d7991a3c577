/**
 * The listener as a gateway, in-process with real sockets: mounts (a scheme and secret each),
 * routes by event type with fan-out, and the queue (journaled, answered at once, delivered in
 * order when the app is back). Signatures are made by the providers' own SDKs where whk has them
 * as devDependencies (stripe, @octokit/webhooks-methods).
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign as octokitSign } from '@octokit/webhooks-methods';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { QueueJournal } from '../../src/history/queue-journal.js';
import type { DeliveryRecord, EventMessage, ListenerEvent } from '../../src/listen/events.js';
import { createForwarder } from '../../src/listen/forward.js';
import { compileRoutes, parseMountFlag, parseRouteFlag, pickTargets } from '../../src/listen/gateway.js';
import { QueueRunner } from '../../src/listen/queue-runner.js';
import { startListener, type Listener, type ListenerOptions } from '../../src/listen/server.js';
import { registry } from '../helpers/registry.js';

const STRIPE_SECRET = 'whsec_gateway_stripe_0123456789';
const GITHUB_SECRET = 'gateway-github-s3cret';

const closers: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** An app that records what it gets; `down()` makes it answer 503, `up()` 200 again. */
async function app() {
  const got: Array<{ path: string; body: string; headers: IncomingMessage['headers'] }> = [];
  let status = 200;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (status === 200) got.push({ path: req.url!, body: Buffer.concat(chunks).toString(), headers: req.headers });
      res.statusCode = status;
      res.end(status === 200 ? 'ok' : 'down');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => (server.closeAllConnections(), server.close(r))));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got, down: () => (status = 503), up: () => (status = 200) };
}

async function listen(opts: Partial<ListenerOptions>) {
  const events: EventMessage[] = [];
  const deliveries: DeliveryRecord[] = [];
  const forward = createForwarder({ timeoutMs: 5_000 });
  const l: Listener = await startListener({ registry, port: 0, forward, ...opts }, (e: ListenerEvent) => {
    if (e.kind === 'event') events.push(e);
    if (e.kind === 'delivery') deliveries.push(e.record);
  });
  closers.push(() => forward.close(), () => l.close(0));
  return { l, events, deliveries, forward, base: l.url.replace(/\/$/, '') };
}

const stripeDelivery = (type: string, id = `evt_${Math.random().toString(36).slice(2)}`) => {
  const body = JSON.stringify({ id, object: 'event', type, data: { object: {} } });
  return { body, headers: { 'content-type': 'application/json', 'stripe-signature': new Stripe('sk_test_x').webhooks.generateTestHeaderString({ payload: body, secret: STRIPE_SECRET }) } };
};
const githubDelivery = async (event: string) => {
  const body = JSON.stringify({ action: 'opened', n: Math.random() });
  return { body, headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': `d-${Math.random()}`, 'x-hub-signature-256': await octokitSign(GITHUB_SECRET, body) } };
};
const post = async (url: string, d: { body: string; headers: Record<string, string> }) => {
  const r = await fetch(url, { method: 'POST', body: d.body, headers: d.headers });
  return { status: r.status, text: await r.text() };
};
const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
};

describe('flags and routes, parsed', () => {
  it('--mount and --route', () => {
    expect(parseMountFlag('/stripe=stripe')).toEqual({ path: '/stripe', scheme: 'stripe' });
    expect(parseMountFlag('gh/=github')).toEqual({ path: '/gh', scheme: 'github' });
    expect(() => parseMountFlag('/x')).toThrow('--mount "/x" is not <path>=<scheme>: give e.g. --mount /stripe=stripe');
    expect(parseRouteFlag('stripe:invoice.*=http://a/1,http://b/2')).toEqual({ match: 'stripe:invoice.*', to: ['http://a/1', 'http://b/2'] });
    expect(() => parseRouteFlag('invoice.*')).toThrow(/is not <match>=<url>/);
  });

  it('first match wins; a qualifier names a mount or a scheme; no match falls back', () => {
    const routes = compileRoutes([
      { match: 'stripe:invoice.*', to: ['http://billing'] },
      { match: '/gh:push', to: ['http://ci'] },
      { match: '*.created', to: ['http://created'] },
    ], ['/stripe', '/gh'], registry);
    expect(pickTargets(routes, { mount: '/stripe', scheme: 'stripe', type: 'invoice.paid' }, 'http://fallback')).toEqual({ route: 'stripe:invoice.*', targets: ['http://billing'] });
    expect(pickTargets(routes, { mount: '/gh', scheme: 'github', type: 'push' }, undefined)).toEqual({ route: '/gh:push', targets: ['http://ci'] });
    expect(pickTargets(routes, { mount: '/gh', scheme: 'github', type: 'issue.created' }, undefined)).toEqual({ route: '*.created', targets: ['http://created'] });
    expect(pickTargets(routes, { mount: '/stripe', scheme: 'stripe', type: 'charge.failed' }, 'http://fallback')).toEqual({ route: null, targets: ['http://fallback'] });
    expect(pickTargets(routes, { mount: '/stripe', scheme: 'stripe', type: 'charge.failed' }, undefined)).toEqual({ route: null, targets: [] });
    expect(() => compileRoutes([{ match: 'strpe:invoice.*', to: ['http://x'] }], ['/stripe'], registry)).toThrow(/"strpe" is neither a mount \(\/stripe\) nor a scheme/);
    // An event type with a colon of its own (Bitbucket's repo:push) routes with its prefix.
    expect(() => compileRoutes([{ match: 'repo:push', to: ['http://x'] }], [], registry)).toThrow(/needs that prefix too: <mount or scheme>:repo:push\)$/);
    const [bitbucket] = compileRoutes([{ match: 'bitbucket:repo:push', to: ['http://x'] }], [], registry);
    expect(pickTargets([bitbucket!], { mount: null, scheme: 'bitbucket', type: 'repo:push' }, undefined)).toEqual({ route: 'bitbucket:repo:push', targets: ['http://x'] });
    expect(pickTargets([bitbucket!], { mount: null, scheme: 'bitbucket', type: 'pullrequest:created' }, undefined).route).toBeNull();
  });
});

describe('two mounts, routes by event type', () => {
  it('Stripe and GitHub deliveries are each verified with their own secret and routed by type; fan-out sends the exact bytes to both apps', async () => {
    const [billing, ci, bot, rest] = await Promise.all([app(), app(), app(), app()]);
    const { base, events } = await listen({
      mounts: [{ path: '/stripe', scheme: 'stripe', secrets: [STRIPE_SECRET] }, { path: '/gh', scheme: 'github', secrets: [GITHUB_SECRET] }],
      routes: [{ match: 'stripe:invoice.*', to: [`${billing.url}/billing`] }, { match: 'github:push', to: [`${ci.url}/ci`, `${bot.url}/bot`] }],
      forwardTo: `${rest.url}/webhooks`,
    });
    const invoice = stripeDelivery('invoice.paid');
    expect(await post(`${base}/stripe`, invoice)).toMatchObject({ status: 200 });
    const push = await githubDelivery('push');
    expect(await post(`${base}/gh`, push)).toMatchObject({ status: 200 });
    const other = stripeDelivery('charge.succeeded');
    expect((await post(`${base}/stripe`, other)).status).toBe(200);
    // GitHub's signature under the Stripe mount: refused by the mount's scheme.
    expect((await post(`${base}/stripe`, push)).status).toBe(401);
    expect((await post(`${base}/nowhere`, push)).status).toBe(404);
    await until(() => events.length === 4);
    expect(billing.got.map((g) => [g.path, g.body])).toEqual([['/billing', invoice.body]]);
    expect([ci.got[0]?.body, bot.got[0]?.body]).toEqual([push.body, push.body]);
    expect(bot.got[0]!.headers['x-hub-signature-256']).toBe(push.headers['x-hub-signature-256']);
    expect(rest.got.map((g) => [g.path, g.body])).toEqual([['/webhooks', other.body]]);
    const records = events.map((e) => e.record);
    expect(records.map((r) => [r.mount, r.scheme, r.eventType, r.route, r.verdict?.valid, r.forwards?.map((f) => f.status)])).toEqual([
      ['/stripe', 'stripe', 'invoice.paid', 'stripe:invoice.*', true, [200]],
      ['/gh', 'github', 'push', 'github:push', true, [200, 200]],
      ['/stripe', 'stripe', 'charge.succeeded', null, true, [200]],
      ['/stripe', 'stripe', null, null, false, undefined],
    ]);
  });

  it('fan-out without a queue: 2xx only when every target answers 2xx, else the first failing status', async () => {
    const [a, b] = await Promise.all([app(), app()]);
    const { base, events } = await listen({ mounts: [{ path: '/gh', scheme: 'github', secrets: [GITHUB_SECRET] }], routes: [{ match: '*', to: [a.url, b.url] }] });
    b.down();
    const r = await post(`${base}/gh`, await githubDelivery('push'));
    expect(r.status).toBe(503);
    await until(() => events.length === 1);
    expect(events[0]!.record.forwards?.map((f) => f.status)).toEqual([200, 503]);
  });
});

describe('--queue: no event lost while the app is down', () => {
  it('the provider gets 2xx at once; when the app comes back every delivery arrives once, in order', async () => {
    const target = await app();
    target.down();
    const dir = mkdtempSync(join(tmpdir(), 'whk-queue-'));
    const journal = new QueueJournal(dir).load().open();
    const forward = createForwarder({ timeoutMs: 2_000 });
    const deliveries: DeliveryRecord[] = [];
    const queue = new QueueRunner({ journal, forward, maxAgeMs: 60_000, backoff: { firstMs: 20, maxMs: 100 }, onOutcome: (r) => deliveries.push(r) });
    closers.push(() => forward.close(), () => journal.close(), () => queue.close());
    queue.start();
    const { base, events } = await listen({ mounts: [{ path: '/gh', scheme: 'github', secrets: [GITHUB_SECRET] }], forwardTo: `${target.url}/hooks`, queue });
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) {
      const d = await githubDelivery('push');
      sent.push(d.body);
      expect((await post(`${base}/gh`, d)).status).toBe(200);
    }
    await until(() => events.length === 5 && deliveries.some((d) => d.state === 'retrying'));
    expect(events.map((e) => [typeof e.record.queued, e.record.forwards?.[0]?.state])).toEqual(Array(5).fill(['string', 'queued']));
    expect(target.got).toEqual([]);
    target.up();
    await until(() => deliveries.filter((d) => d.state === 'delivered').length === 5);
    expect(target.got.map((g) => g.body)).toEqual(sent);
    expect(target.got.map((g) => g.path)).toEqual(Array(5).fill('/hooks'));
  });
});
