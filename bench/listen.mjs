#!/usr/bin/env node
// Listener throughput (issue 4, and "Trust at the edges"): three receivers, each in its own
// process with stdout to /dev/null, under autocannon (-c 10, one valid signed Dfns body) in its
// own process, in interleaved rounds of the same run (the order rotates each round):
//   bare     node:http answering 200 without reading the request (the floor)
//   minimal  ~20 hand-written lines of node:http: reads the body, Dfns HMAC with timingSafeEqual,
//            timestampSent ±tolerance via JSON.parse, 200/401, one NDJSON line per request
//            (seq, method, path, headers, body, valid) on stdout: see MINIMAL in listen-servers.mjs
//   whk      whk listen --json --scheme dfns --secret S --tolerance 86400 --port 0
//   gateway  the same with two mounts (/dfns=dfns, /gh=github) and ten routes, none of which
//            takes this event (all ten are tried): the gateway's cost on the hot path
// Prints req/s of each (median of the rounds) and the listener's CPU time per request, the
// ratios whk/bare (issue 4 target >= 0.75), minimal/bare, whk/minimal (issue 17 target >= 0.90)
// and gateway/whk (issue 17: within 5 %), then
// whk's RSS before and after BENCH_EVENTS more events (target: <= 50 MB growth).
// Reference figures before the rework: bare 1.00, minimal 0.73, whk 0.59 (whk/minimal 0.81).
//
// Run after `npm run build`:  node bench/listen.mjs
//   BENCH_SECONDS  seconds per measured autocannon run (default 5; each run has a 2 s warm-up too)
//   BENCH_ROUNDS   interleaved rounds (default 3)
//   BENCH_EVENTS   events for the RSS measurement (default 100000)
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUTOCANNON, cpuMs, dfnsBody, dfnsSignature, fmt, median, rssMb, startServer, stop } from './listen-servers.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const CONNECTIONS = 10;

// A real Dfns delivery: compact JSON, timestampSent now (and a day of --tolerance), signed.
const body = dfnsBody();
const signature = dfnsSignature(body);
const dir = mkdtempSync(join(tmpdir(), 'whk-bench-listen-'));
const bodyFile = join(dir, 'body.json');
writeFileSync(bodyFile, body);
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** autocannon in its own process; resolves with its JSON result. */
function cannon(url, extra) {
  const args = [AUTOCANNON, '-j', '-c', String(CONNECTIONS), '-m', 'POST', '-i', bodyFile,
    '-H', 'content-type=application/json', '-H', `x-dfns-webhook-signature=${signature}`, ...extra, url];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
      if (err) return reject(err);
      resolve(JSON.parse(stdout));
    });
  });
}

// Two mounts, ten routes: the Dfns event (wallet.transfer.confirmed) matches none of them.
const ROUTES = ['dfns:wallet.created', 'dfns:policy.*', 'dfns:payment.*', 'dfns:wallet.transfer.failed', 'dfns:key.*',
  'github:push', 'github:pull_request', 'github:issues', 'github:release', 'github:workflow_*']
  .flatMap((m, i) => ['--route', `${m}=http://127.0.0.1:9/route${i}`]);
const GATEWAY = ['--mount', '/dfns=dfns', '--mount', '/gh=github', ...ROUTES];

async function start(kind) {
  if (kind !== 'gateway') return startServer(kind);
  const s = await startServer('whk', { args: GATEWAY, scheme: null });
  return { ...s, url: `${s.url.replace(/\/$/, '')}/dfns` };
}

async function measure(kind) {
  const { child, url } = await start(kind);
  try {
    await cannon(url, ['-d', '2']); // warm-up: JIT, connection set-up
    const cpu0 = cpuMs(child.pid);
    const r = await cannon(url, ['-d', String(SECONDS)]);
    const cpu1 = cpuMs(child.pid);
    const non2xx = r.non2xx + r.errors + r.timeouts;
    if (non2xx > 0) throw new Error(`${kind}: ${non2xx} answers were not 2xx (is the signature valid?)`);
    return { rps: r.requests.average, cpuUsPerReq: ((cpu1 - cpu0) * 1000) / r.requests.total };
  } finally {
    await stop(child);
  }
}

const kinds = ['bare', 'minimal', 'whk', 'gateway'];
const results = Object.fromEntries(kinds.map((k) => [k, []]));
for (let i = 0; i < ROUNDS; i++) {
  const n = i % kinds.length;
  for (const kind of [...kinds.slice(n), ...kinds.slice(0, n)]) {
    const m = await measure(kind);
    results[kind].push(m);
    console.log(`round ${i + 1} ${kind.padEnd(7)} ${fmt(m.rps).padStart(7)} req/s  ${m.cpuUsPerReq.toFixed(1)} µs CPU/req`);
  }
}
const rps = Object.fromEntries(kinds.map((k) => [k, median(results[k].map((m) => m.rps))]));
const cpu = Object.fromEntries(kinds.map((k) => [k, median(results[k].map((m) => m.cpuUsPerReq))]));

// Memory: RSS after a warm-up, then after EVENTS more events (all verified, deduplicated, written).
const { child, url } = await startServer('whk');
await cannon(url, ['-a', '5000']);
const before = rssMb(child.pid);
const t0 = Date.now();
await cannon(url, ['-a', String(EVENTS)]);
const after = rssMb(child.pid);
await stop(child);

const ok = (good) => (good ? 'ok' : 'BELOW TARGET');
console.log('');
console.log(`median of ${ROUNDS} interleaved round(s), ${SECONDS} s each, ${CONNECTIONS} connections:`);
console.log(`  bare node:http (answers 200, reads nothing)      ${fmt(rps.bare).padStart(7)} req/s  ${cpu.bare.toFixed(1).padStart(5)} µs CPU/req  baseline`);
console.log(`  minimal hand-written Dfns receiver (NDJSON out)  ${fmt(rps.minimal).padStart(7)} req/s  ${cpu.minimal.toFixed(1).padStart(5)} µs CPU/req  minimal/bare ${(rps.minimal / rps.bare).toFixed(2)}`);
console.log(`  whk listen --json --scheme dfns (verifying)      ${fmt(rps.whk).padStart(7)} req/s  ${cpu.whk.toFixed(1).padStart(5)} µs CPU/req  whk/bare ${(rps.whk / rps.bare).toFixed(2)}`);
console.log(`  whk listen, 2 mounts and 10 routes               ${fmt(rps.gateway).padStart(7)} req/s  ${cpu.gateway.toFixed(1).padStart(5)} µs CPU/req  gateway/bare ${(rps.gateway / rps.bare).toFixed(2)}`);
console.log(`whk/bare:    ${(rps.whk / rps.bare).toFixed(2)} (target >= 0.75) ${ok(rps.whk / rps.bare >= 0.75)}`);
console.log(`whk/minimal: ${(rps.whk / rps.minimal).toFixed(2)} (issue 17 target >= 0.90) ${ok(rps.whk / rps.minimal >= 0.9)}   (issue 17 measured 0.69 before)`);
console.log(`gateway/whk: ${(rps.gateway / rps.whk).toFixed(2)} (target >= 0.95: within 5 %) ${ok(rps.gateway / rps.whk >= 0.95)}`);
console.log(`RSS: ${before.toFixed(1)} MB after warm-up, ${after.toFixed(1)} MB after ${EVENTS.toLocaleString('en-US')} more events (${((Date.now() - t0) / 1000).toFixed(1)} s): growth ${(after - before).toFixed(1)} MB (target <= 50 MB) ${after - before <= 50 ? 'ok' : 'ABOVE TARGET'}`);
