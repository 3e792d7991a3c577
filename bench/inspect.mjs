#!/usr/bin/env node
// The inspector's cost to the listener (issue 11: at most 5% of its throughput with no page open).
// Two receivers in interleaved rounds of the same run, each under autocannon (-c 10, one valid
// signed Dfns body), stdout to /dev/null, both with the same scratch WHK_HOME:
//   off   whk listen --json --scheme dfns --secret S --no-inspect
//   on    the same with --inspect --inspect-port 0 (the page's server up, every delivery kept
//         for it in memory, no browser connected)
// Prints req/s of each (median of the rounds) and on/off.
//
// Run after `npm run build`:  node bench/inspect.mjs
//   BENCH_SECONDS  seconds per measured run (default 5; each has a 2 s warm-up too)
//   BENCH_ROUNDS   interleaved rounds (default 3)
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUTOCANNON, dfnsBody, dfnsSignature, fmt, median, startServer, stop } from './listen-servers.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'whk-bench-inspect-'));
const bodyFile = join(dir, 'body.json');
const body = dfnsBody();
writeFileSync(bodyFile, body);
process.env.WHK_HOME = join(dir, 'home');
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function cannon(url, extra) {
  const args = [AUTOCANNON, '-j', '-c', '10', '-m', 'POST', '-i', bodyFile,
    '-H', 'content-type=application/json', '-H', `x-dfns-webhook-signature=${dfnsSignature(body)}`, ...extra, url];
  return new Promise((resolve, reject) => execFile(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout)))));
}

const kinds = { off: ['--no-inspect'], on: ['--inspect', '--inspect-port', '0'] };
const results = { off: [], on: [] };
for (let i = 0; i < ROUNDS; i++) {
  for (const kind of i % 2 === 0 ? ['off', 'on'] : ['on', 'off']) {
    const { child, url } = await startServer('whk', { args: kinds[kind] });
    try {
      await cannon(url, ['-d', '2']);
      const r = await cannon(url, ['-d', String(SECONDS)]);
      if (r.non2xx + r.errors + r.timeouts > 0) throw new Error(`${kind}: answers that were not 2xx`);
      results[kind].push(r.requests.average);
      console.log(`round ${i + 1} inspector ${kind.padEnd(3)} ${fmt(r.requests.average).padStart(7)} req/s`);
    } finally {
      await stop(child);
    }
  }
}
const off = median(results.off);
const on = median(results.on);
console.log('');
console.log(`median of ${ROUNDS} interleaved round(s), ${SECONDS} s each, 10 connections:`);
console.log(`  whk listen --json, inspector off   ${fmt(off).padStart(7)} req/s  baseline`);
console.log(`  whk listen --json --inspect        ${fmt(on).padStart(7)} req/s  on/off ${(on / off).toFixed(2)} (target >= 0.95) ${on / off >= 0.95 ? 'ok' : 'BELOW TARGET'}`);
