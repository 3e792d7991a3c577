#!/usr/bin/env node
// The history (issue 11), two figures, each against a baseline of the same run:
//  1. Listener throughput with the history on (the default) vs --no-history: whk listen --json
//     --scheme dfns under autocannon (-c 10, one valid signed Dfns body), interleaved rounds.
//     Target: history on >= 0.85 of off.
//  2. `whk history --limit 50` over BENCH_HISTORY_EVENTS (default 100,000) stored deliveries in 4
//     session files (~1 KB each, as whk listen writes them), against the same command over an empty
//     history (the process's start-up). Target: under 1 s. Also a full scan (a --type no delivery
//     has), for scale.
//
// Run after `npm run build`:  node bench/history.mjs
//   BENCH_SECONDS  seconds per measured autocannon run (default 5; each run has a 2 s warm-up too)
//   BENCH_ROUNDS   interleaved rounds (default 3)
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUTOCANNON, WHK, dfnsBody, dfnsSignature, fmt, median, startServer, stop } from './listen-servers.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const EVENTS = Number(process.env.BENCH_HISTORY_EVENTS ?? 100_000);

const dir = mkdtempSync(join(tmpdir(), 'whk-bench-history-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const body = dfnsBody();
const signature = dfnsSignature(body);
const bodyFile = join(dir, 'body.json');
writeFileSync(bodyFile, body);

// 1. Throughput, history on and off.
function cannon(url, extra) {
  const args = [AUTOCANNON, '-j', '-c', '10', '-m', 'POST', '-i', bodyFile, '-H', 'content-type=application/json', '-H', `x-dfns-webhook-signature=${signature}`, ...extra, url];
  return new Promise((resolve, reject) => execFile(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 }, (err, out) => (err ? reject(err) : resolve(JSON.parse(out)))));
}
const variants = { on: [], off: ['--no-history'] };
const rps = { on: [], off: [] };
for (let i = 0; i < ROUNDS; i++) {
  for (const v of i % 2 ? ['off', 'on'] : ['on', 'off']) {
    const { child, url } = await startServer('whk', { args: variants[v] });
    try {
      await cannon(url, ['-d', '2']);
      const r = await cannon(url, ['-d', String(SECONDS)]);
      if (r.non2xx + r.errors + r.timeouts > 0) throw new Error(`history ${v}: answers that were not 2xx`);
      rps[v].push(r.requests.average);
      console.log(`round ${i + 1} history ${v.padEnd(3)} ${fmt(r.requests.average).padStart(7)} req/s`);
    } finally {
      await stop(child);
    }
  }
}
const on = median(rps.on);
const off = median(rps.off);

// 2. Reading: a stored history of EVENTS deliveries.
const home = join(dir, 'home');
mkdirSync(join(home, 'history'), { recursive: true, mode: 0o700 });
const empty = join(dir, 'empty');
const record = (seq, t) => JSON.stringify({
  type: 'event', seq, receivedAt: new Date(t).toISOString(), method: 'POST', path: '/webhooks',
  headers: { host: '127.0.0.1:4000', 'content-type': 'application/json', 'user-agent': 'dfns-webhooks', 'x-dfns-webhook-signature': signature, 'content-length': String(body.length) },
  body: body.toString(), bodyEncoding: 'utf8', scheme: 'dfns',
  verdict: { valid: true, scheme: 'dfns', reason: 'ok', message: 'signature matches', diagnosis: null, matched: 'raw body', secretIndex: 0, age: 0 },
  eventType: 'wallet.transfer.confirmed', eventId: `wh-${seq}`, duplicate: false, filtered: false, response: { status: 200 },
});
const FILES = 4;
const start = Date.now() - EVENTS * 1000;
let bytes = 0;
for (let f = 0; f < FILES; f++) {
  const t0 = start + f * (EVENTS / FILES) * 1000;
  const id = `${new Date(t0).toISOString().replace(/[-:.]/g, '')}-${1000 + f}`;
  const lines = [JSON.stringify({ type: 'session', session: id, startedAt: new Date(t0).toISOString(), url: 'http://127.0.0.1:4000/', host: '127.0.0.1', port: 4000, path: '/', pid: 1000 + f, forwardTo: null, version: '0.1.0' })];
  for (let i = 1; i <= EVENTS / FILES; i++) lines.push(record(i, t0 + i * 1000));
  const text = `${lines.join('\n')}\n`;
  bytes += text.length;
  writeFileSync(join(home, 'history', `${id}.ndjson`), text, { mode: 0o600 });
}
const timeRun = (whkHome, args, runs = 7) => {
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [WHK, 'history', ...args], { env: { ...process.env, WHK_HOME: whkHome }, encoding: 'utf8' });
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 0) throw new Error(`whk history ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  }
  return median(ms);
};
const base = timeRun(empty, ['--limit', '50']);
const limit50 = timeRun(home, ['--limit', '50']);
const scan = timeRun(home, ['--type', 'no.such.type'], 3);

console.log('');
console.log(`listener, median of ${ROUNDS} interleaved round(s), ${SECONDS} s each, 10 connections:`);
console.log(`  whk listen --json --no-history   ${fmt(off).padStart(7)} req/s  baseline`);
console.log(`  whk listen --json (history on)   ${fmt(on).padStart(7)} req/s  on/off ${(on / off).toFixed(2)} (target >= 0.85) ${on / off >= 0.85 ? 'ok' : 'BELOW TARGET'}`);
console.log(`whk history over ${EVENTS.toLocaleString('en-US')} stored deliveries (${(bytes / 1024 / 1024).toFixed(0)} MB, ${FILES} sessions), median of runs:`);
console.log(`  whk history --limit 50, empty history      ${base.toFixed(0).padStart(6)} ms  baseline (start-up)`);
console.log(`  whk history --limit 50                     ${limit50.toFixed(0).padStart(6)} ms  ${(limit50 / base).toFixed(2)}x baseline (target < 1000 ms) ${limit50 < 1000 ? 'ok' : 'ABOVE TARGET'}`);
console.log(`  whk history --type no.such.type (full scan) ${scan.toFixed(0).padStart(5)} ms  ${(scan / base).toFixed(2)}x baseline`);
