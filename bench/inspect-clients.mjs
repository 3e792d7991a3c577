#!/usr/bin/env node
// What the inspector's clients cost webhooks (issue 15, item 4a): the median time a signed Dfns
// delivery takes to be answered by whk listen --inspect, sent one at a time (keep-alive), in
// three set-ups of the same run, each with a fresh listener:
//   quiet     the inspector on, no page open: the baseline (measured first and last, averaged)
//   reading   200 live pages (server-sent events) that read everything
//   stalled   300 live pages that never read a byte, after 5,000 deliveries
// Prints p50 of each and its ratio to the baseline. Pages past the inspector's caps are told 503:
// they are counted, not kept.
//
// Run after `npm run build`:  node bench/inspect-clients.mjs
//   BENCH_REQUESTS  deliveries timed per set-up (default 500)
//   WHK_BIN         the whk launcher to measure (default bin/whk.js of this checkout)
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { Agent } from 'undici';
import { WHK, SECRET, TOLERANCE, benchHome, dfnsBody, dfnsSignature, stop } from './listen-servers.mjs';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 500);
const BIN = process.env.WHK_BIN ?? WHK;
const dispatcher = new Agent({ connections: 1 });

async function startListener() {
  const child = spawn(process.execPath, [BIN, 'listen', '--port', '0', '--json', '--inspect', '--inspect-port', '0', '--scheme', 'dfns', '--secret', SECRET, '--tolerance', String(TOLERANCE)],
    { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, WHK_HOME: benchHome(), NO_COLOR: '1' } });
  const lines = createInterface({ input: child.stdout });
  const ready = await new Promise((resolve) => lines.once('line', (l) => resolve(JSON.parse(l))));
  child.stdout.resume();
  const u = new URL(ready.inspectUrl);
  return { child, url: ready.url, port: Number(u.port), key: u.searchParams.get('key') ?? '' };
}

async function deliver(url) {
  const body = dfnsBody();
  const t = performance.now();
  const r = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-dfns-webhook-signature': dfnsSignature(body) }, dispatcher });
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`the listener answered ${r.status}`);
  return performance.now() - t;
}

/** A live page that reads everything; resolves with the status it got. */
function readingPage(l, pages) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port: l.port, path: '/api/events', headers: { authorization: `Bearer ${l.key}` }, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(null));
    pages.push(req);
    req.end();
  });
}

/** A live page that asks and never reads a byte. */
function stalledPage(l, pages) {
  return new Promise((resolve) => {
    const s = connect(l.port, '127.0.0.1', () => {
      s.write(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${l.port}\r\nAuthorization: Bearer ${l.key}\r\n\r\n`);
      s.pause();
      resolve();
    });
    s.on('error', () => resolve());
    pages.push(s);
  });
}

async function measure(name, setUp) {
  const l = await startListener();
  const pages = [];
  try {
    const note = await setUp(l, pages);
    for (let i = 0; i < 50; i++) await deliver(l.url); // warm-up
    const times = [];
    for (let i = 0; i < REQUESTS; i++) times.push(await deliver(l.url));
    times.sort((a, b) => a - b);
    return { name, p50: times[Math.floor(times.length / 2)], p90: times[Math.floor(times.length * 0.9)], note };
  } finally {
    for (const p of pages) p.destroy();
    await stop(l.child, 'SIGINT');
  }
}

const results = [];
const quiet = async () => 'no page open';
const first = await measure('quiet', quiet);
results.push(await measure('reading', async (l, pages) => {
  const statuses = await Promise.all(Array.from({ length: 200 }, () => readingPage(l, pages)));
  const n = (want) => statuses.filter((s) => s === want).length;
  return `200 reading pages: ${n(200)} served, ${n(503)} told 503, ${n(null)} closed unanswered`;
}));
results.push(await measure('stalled', async (l, pages) => {
  await Promise.all(Array.from({ length: 300 }, () => stalledPage(l, pages)));
  for (let i = 0; i < 5000; i++) await deliver(l.url);
  return '300 pages that never read, after 5,000 deliveries';
}));
const last = await measure('quiet', quiet);
results.unshift({ name: 'quiet', p50: (first.p50 + last.p50) / 2, p90: (first.p90 + last.p90) / 2, note: `no page open; p50 ${first.p50.toFixed(2)} first, ${last.p50.toFixed(2)} last` });

const base = results[0].p50;
console.log(`whk listen --inspect, one delivery at a time, ${REQUESTS} timed per set-up (${BIN}):`);
const ms = (n) => n.toFixed(2).padStart(7);
for (const r of results) console.log(`  ${r.name.padEnd(8)} p50 ${ms(r.p50)} ms  p90 ${ms(r.p90)} ms  p50/quiet ${(r.p50 / base).toFixed(2)}  (${r.note})`);
await dispatcher.close();
