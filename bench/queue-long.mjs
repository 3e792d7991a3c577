#!/usr/bin/env node
// A long run of the forwarding queue (issue 17: queued deliveries live on disk, not in memory):
// `whk listen --queue` forwarding to an app that answers 200, and BENCH_LONG distinct signed Dfns
// deliveries of ~1.7 KB (default 12,000: ~30 MB of journal records, enough for the listener to
// compact its journal while it runs, which it does once 8 MB of it is settled). Prints the
// journal's size once all are delivered against the bytes of the bodies posted (its baseline,
// same run: without compaction the journal holds each in base64, more than 1.33x), the listener's RSS once ready and at the end, and the answers' latency (p50, p99, max: a rewrite
// pauses the listener); checks that the app got every delivery once, in order, and that
// `whk queue --json` is empty.
//
// Run after `npm run build`:  node bench/queue-long.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dfnsSignature, percentile, rssMb, startServer, stop, WHK } from './listen-servers.mjs';

const COUNT = Number(process.env.BENCH_LONG ?? 12_000);
// One sender: the deliveries reach the listener in the order of their numbers, which the app checks.
const CONCURRENCY = 1;
// A state folder of its own: the other benchmarks' queues are not this one's.
const home = mkdtempSync(join(tmpdir(), 'whk-bench-queue-long-'));
process.on('exit', () => rmSync(home, { recursive: true, force: true }));
process.env.WHK_HOME = home;

const got = [];
const app = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    got.push(JSON.parse(Buffer.concat(chunks).toString()).data.n);
    res.end();
  });
});
await new Promise((resolve) => app.listen(0, '127.0.0.1', resolve));

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const pad = 'x'.repeat(1200);
let posted = 0;
/** Delivery n, signed; resolves with its answer's latency (ms), rejects unless 2xx. */
function deliver(url, n) {
  const body = JSON.stringify({ id: `wh-long-${n}`, date: new Date().toISOString(), kind: 'wallet.transfer.confirmed', data: { n, pad }, timestampSent: Math.floor(Date.now() / 1000), deliveryAttempt: 1 });
  posted += Buffer.byteLength(body);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-dfns-webhook-signature': dfnsSignature(body) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode >= 200 && res.statusCode < 300 ? resolve(performance.now() - t0) : reject(new Error(`delivery ${n}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const { child, url } = await startServer('whk', { args: ['--queue', '--forward-to', `http://127.0.0.1:${app.address().port}/hooks`] });
const ready = rssMb(child.pid);
const latencies = [];
let next = 0;
const t0 = Date.now();
await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
  while (next < COUNT) latencies.push(await deliver(url, ++next));
}));
const seconds = (Date.now() - t0) / 1000;
const deadline = Date.now() + 60_000;
while (got.length < COUNT && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
const end = rssMb(child.pid);
const file = join(home, readdirSync(home, { recursive: true, encoding: 'utf8' }).find((f) => f.endsWith('queue.ndjson')));
const size = statSync(file).size;
await stop(child);
agent.destroy();
app.close();

const rows = JSON.parse(execFileSync(process.execPath, [WHK, 'queue', '--json'], { env: process.env }).toString());
const inOrder = got.every((n, i) => n === i + 1);
console.log(`whk listen --queue, ${COUNT.toLocaleString('en-US')} deliveries of ~1.7 KB forwarded to an app that answers 200 (${(COUNT / seconds).toFixed(0)}/s):`);
console.log(`  journal at the end     ${(size / 1e6).toFixed(1).padStart(6)} MB   the bodies posted: ${(posted / 1e6).toFixed(1)} MB (the journal holds each in base64, 1.33x, with its headers): ${(size / posted).toFixed(2)}x`);
console.log(`  listener RSS           ${ready.toFixed(1)} MB once ready, ${end.toFixed(1)} MB at the end: ${(end / ready).toFixed(2)}x`);
console.log(`  answer latency         p50 ${percentile(latencies, 50).toFixed(2)} ms  p99 ${percentile(latencies, 99).toFixed(2)} ms  max ${Math.max(...latencies).toFixed(1)} ms (a rewrite pauses the listener)`);
console.log(`  the app got ${got.length.toLocaleString('en-US')} of ${COUNT.toLocaleString('en-US')}, ${inOrder ? 'in order' : 'OUT OF ORDER'}, ${new Set(got).size === got.length ? 'none twice' : 'SOME TWICE'}; whk queue --json: ${rows.length} left ${got.length === COUNT && inOrder && rows.length === 0 ? 'ok' : 'MISMATCH'}`);
if (got.length !== COUNT || !inOrder || rows.length !== 0 || new Set(got).size !== got.length) process.exitCode = 1;
