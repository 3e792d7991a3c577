#!/usr/bin/env node
// Valid-delivery latency under a flood of forged large bodies, vs idle ("Trust at the edges").
// A receiver must keep answering real deliveries promptly while someone posts big bodies with a
// wrong signature: each of those costs whk a read, an HMAC, a 401, and (off the answer's path
// after the rework) the diagnosis work (JSON parse, re-serializations, more HMACs).
//
//   1. whk listen --json --scheme dfns --secret S --tolerance 86400 --port 0, stdout to /dev/null
//      (URL parsed from stderr "whk listening on <url>"); --max-body stays at its 1 MB default
//   2. warm-up, then BENCH_FLOOD_REQUESTS valid small Dfns deliveries (~450 B, each a fresh id,
//      signed), sequential on one keep-alive connection (node:http): the idle latencies
//   3. a flood process starts BENCH_FLOOD_CONNECTIONS loops, each posting forged ~BENCH_FORGED_KB
//      KB Dfns bodies (valid JSON: an envelope around an array of small transfer objects; a
//      wrong sha256= signature, so 401) back to back; once they are answering, the same
//      BENCH_FLOOD_REQUESTS valid deliveries again (at most BENCH_FLOOD_SECONDS), then the flood
//      stops
//   4. the same against the hand-written minimal receiver of listen.mjs, as a reference
// Prints idle and flood p50/p99/max of each, the ratio flood p50 / idle p50 (target for whk:
// <= 2×), how many forged bodies were answered (and with which statuses) and at what rate.
//
// Run after `npm run build`:  node bench/listen-flood.mjs
//   BENCH_FLOOD_REQUESTS       valid deliveries per phase (default 300)
//   BENCH_FLOOD_CONNECTIONS    concurrent forged-body loops (default 4)
//   BENCH_FORGED_KB            size of a forged body in KB (default 800; under --max-body's 1 MB)
//   BENCH_FLOOD_SECONDS        at most this long per flood phase (default 15)
//   BENCH_FLOOD_RATE           forged bodies per second across all loops (default 20: whk and the
//                              reference get the same load; 0: each loop posts the next as soon as
//                              the last is answered, so a faster receiver gets more of them)
//   BENCH_FLOOD_INTERVAL_MS    pause between valid deliveries (default 20: spread over the flood,
//                              300 -> 6+ s; 0: back to back)
//   BENCH_FLOOD_REFERENCE      0 to skip the minimal receiver (default 1)
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { dfnsBody, dfnsSignature, fmt, percentile, startServer, stop } from './listen-servers.mjs';

const REQUESTS = Number(process.env.BENCH_FLOOD_REQUESTS ?? 300);
const FLOOD_CONNECTIONS = Number(process.env.BENCH_FLOOD_CONNECTIONS ?? 4);
const FORGED_KB = Number(process.env.BENCH_FORGED_KB ?? 800);
const FLOOD_SECONDS = Number(process.env.BENCH_FLOOD_SECONDS ?? 15);
const FLOOD_RATE = Number(process.env.BENCH_FLOOD_RATE ?? 20);
const VALID_INTERVAL_MS = Number(process.env.BENCH_FLOOD_INTERVAL_MS ?? 20);
const REFERENCE = process.env.BENCH_FLOOD_REFERENCE !== '0';
const WARMUP = 50;

// The flood, in its own process so that its work does not delay the latency client's timers.
// argv: url connections bytes maxSeconds rate. Reports { answered, statuses, errors, bytes, seconds }
// over IPC when told to stop (or at its own time limit), then exits.
const FLOOD = `
const http = require('node:http');
const [url, connections, bytes, maxSeconds, rate] = process.argv.slice(1).map((a, i) => (i === 0 ? a : Number(a)));
const u = new URL(url);
const item = (i) => ({ i, id: 'xfr-' + String(i).padStart(10, '0'), to: '0x' + 'ab'.repeat(20), amount: '1000000000000000', status: 'Confirmed' });
const n = Math.ceil(bytes / JSON.stringify(item(0)).length);
const template = JSON.stringify({ id: 'forged-0000000000', date: new Date().toISOString(), kind: 'wallet.transfer.confirmed',
  data: { items: Array.from({ length: n }, (_, i) => item(i)) }, timestampSent: Math.floor(Date.now() / 1000), deliveryAttempt: 1 });
const slot = template.indexOf('0000000000');
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(template), 'x-dfns-webhook-signature': 'sha256=' + '0'.repeat(64) };
const stats = { answered: 0, statuses: {}, errors: 0, bytes: 0, size: Buffer.byteLength(template), seconds: 0 };
let running = true, counter = 0, first = false, slots = 0;
const t0 = Date.now();
// With a rate: the k-th post (across all loops) waits for t0 + k / rate.
const pace = () => { if (!rate) return; const d = t0 + (slots++ * 1000) / rate - Date.now(); return d > 0 ? new Promise((r) => setTimeout(r, d)) : undefined; };
function post(body) {
  return new Promise((resolve) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => { stats.answered++; stats.bytes += body.length; stats.statuses[res.statusCode] = (stats.statuses[res.statusCode] ?? 0) + 1;
        if (!first) { first = true; process.send({ first: true }); } resolve(); });
      res.on('error', () => { stats.errors++; resolve(); });
    });
    req.on('error', () => { stats.errors++; setTimeout(resolve, 50); });
    req.end(body);
  });
}
async function loop() {
  const body = Buffer.from(template);
  while (running) {
    await pace();
    if (!running) break;
    body.write(String(++counter % 1e10).padStart(10, '0'), slot, 'latin1'); // a fresh id each time
    await post(body);
  }
}
function finish() {
  if (!running) return;
  running = false;
  stats.seconds = (Date.now() - t0) / 1000;
  process.send(stats, () => process.exit(0));
}
process.on('message', finish);
process.on('disconnect', () => process.exit(0));
setTimeout(finish, maxSeconds * 1000 + 5000).unref();
for (let i = 0; i < connections; i++) loop();
`;

function startFlood(url) {
  const args = [url, FLOOD_CONNECTIONS, FORGED_KB * 1000, FLOOD_SECONDS, FLOOD_RATE].map(String);
  return spawn(process.execPath, ['-e', FLOOD, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** One valid delivery; resolves with its latency in ms (request written to response ended). */
function deliver(url, agent, n) {
  const body = dfnsBody(`wh-bench-${n}-${Math.random().toString(36).slice(2)}`);
  const headers = { 'content-type': 'application/json', 'content-length': body.length, 'x-dfns-webhook-signature': dfnsSignature(body) };
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`a valid delivery was answered ${res.statusCode} (is the signature valid?)`));
        else resolve(Number(process.hrtime.bigint() - t0) / 1e6);
      });
    });
    req.setTimeout(60_000, () => req.destroy(new Error('no answer to a valid delivery within 60 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Up to `count` sequential deliveries on one connection, stopping early after `maxMs`. */
async function latencies(url, count, maxMs = Infinity) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const out = [];
  const t0 = Date.now();
  try {
    for (let i = 0; i < count && Date.now() - t0 < maxMs; i++) {
      if (i > 0 && VALID_INTERVAL_MS > 0) await new Promise((r) => setTimeout(r, VALID_INTERVAL_MS));
      out.push(await deliver(url, agent, i));
    }
  } finally {
    agent.destroy();
  }
  return out;
}

async function measure(kind) {
  const { child, url } = await startServer(kind);
  try {
    await latencies(url, WARMUP);
    const idle = await latencies(url, REQUESTS);
    const flood = startFlood(url);
    const floodDone = new Promise((resolve, reject) => {
      flood.on('message', (m) => { if (!m.first) resolve(m); });
      flood.on('exit', (code) => reject(new Error(`the flood process exited (${code}) without a report`)));
    });
    // Measure once the flood is under way: its first forged body has been answered.
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no forged body answered within ${FLOOD_SECONDS} s`)), FLOOD_SECONDS * 1000);
      flood.on('message', (m) => { if (m.first) { clearTimeout(timer); resolve(); } });
    });
    const t0 = Date.now();
    const flooded = await latencies(url, REQUESTS, FLOOD_SECONDS * 1000);
    const seconds = (Date.now() - t0) / 1000;
    flood.send('stop');
    const report = await floodDone;
    return { idle, flooded, seconds, report };
  } finally {
    await stop(child);
  }
}

const ms = (x) => `${x.toFixed(2)} ms`.padStart(10);
const row = (xs) => `p50 ${ms(percentile(xs, 50))}  p99 ${ms(percentile(xs, 99))}  max ${ms(Math.max(...xs))}`;
const results = {};
for (const kind of REFERENCE ? ['whk', 'minimal'] : ['whk']) {
  const r = await measure(kind);
  results[kind] = r;
  const { report } = r;
  const statuses = Object.entries(report.statuses).map(([s, n]) => `${fmt(n)}×${s}`).join(', ') || 'none';
  console.log(`${kind === 'whk' ? 'whk listen --json --scheme dfns' : 'minimal hand-written receiver'}:`);
  console.log(`  idle   ${row(r.idle)}  (${r.idle.length} sequential valid deliveries)`);
  console.log(`  flood  ${row(r.flooded)}  (${r.flooded.length} in ${r.seconds.toFixed(1)} s${r.flooded.length < REQUESTS ? `, stopped at BENCH_FLOOD_SECONDS=${FLOOD_SECONDS}` : ''})`);
  console.log(`  forged bodies answered: ${fmt(report.answered)} of ${Math.round(report.size / 1000)} KB (${statuses}${report.errors ? `, ${report.errors} errors` : ''}) in ${report.seconds.toFixed(1)} s: ${(report.answered / report.seconds).toFixed(1)}/s, ${((report.bytes / 1e6) / report.seconds).toFixed(1)} MB/s, ${FLOOD_CONNECTIONS} connections${FLOOD_RATE ? `, offered ${FLOOD_RATE}/s` : ''}`);
  if (report.answered > 0 && !report.statuses[401]) console.log('  WARNING: no forged body was answered 401: the flood is not exercising the invalid path');
}
console.log('');
for (const [kind, r] of Object.entries(results)) {
  const ratio = percentile(r.flooded, 50) / percentile(r.idle, 50);
  console.log(`${kind.padEnd(7)} flood p50 / idle p50: ${ratio.toFixed(2)}×${kind === 'whk' ? ` (target <= 2×) ${ratio <= 2 ? 'ok' : 'ABOVE TARGET'}` : ' (reference)'}   flood p99 / idle p99: ${(percentile(r.flooded, 99) / percentile(r.idle, 99)).toFixed(2)}×`);
}
