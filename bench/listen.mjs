#!/usr/bin/env node
// Listener throughput (issue 4): `whk listen --json --scheme dfns --secret ...` with stdout to
// /dev/null, against a bare node:http server that answers 200 without reading the request, both
// under autocannon in its own process, in alternating rounds of the same run. Prints req/s of
// each (median of the rounds), the ratio (target >= 0.75), the listener's CPU time per request,
// and its RSS before and after 100k events (target: <= 50 MB growth).
//
// Run after `npm run build`:  node bench/listen.mjs   (BENCH_SECONDS, BENCH_ROUNDS, BENCH_EVENTS to tune)
import { spawn, execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const AUTOCANNON = join(root, 'node_modules', 'autocannon', 'autocannon.js');
const WHK = join(root, 'bin', 'whk.js');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const CONNECTIONS = 10;

// A real Dfns delivery: compact JSON, timestampSent now (and a day of --tolerance), signed.
const SECRET = 'bench-dfns-secret';
const body = JSON.stringify({
  id: 'wh-0123456789abcdef', date: new Date().toISOString(), kind: 'wallet.transfer.confirmed',
  data: { transferRequest: { id: 'xfr-0123456789', walletId: 'wa-0123456789', network: 'EthereumSepolia', status: 'Confirmed', requestBody: { kind: 'Native', to: `0x${'ab'.repeat(20)}`, amount: '1000000000000000' }, txHash: `0x${'cd'.repeat(32)}` } },
  timestampSent: Math.floor(Date.now() / 1000),
  deliveryAttempt: 1,
});
const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'whk-bench-listen-'));
const bodyFile = join(dir, 'body.json');
writeFileSync(bodyFile, body);

const BARE = `const s = require('node:http').createServer((req, res) => { res.statusCode = 200; res.end(); });
s.listen(0, '127.0.0.1', () => process.stderr.write('listening on http://127.0.0.1:' + s.address().port + '/\\n'));`;

/** Starts a server process; resolves with it and its URL once it says it is listening. */
function startServer(kind) {
  const devnull = openSync('/dev/null', 'w');
  const args = kind === 'bare'
    ? ['-e', BARE]
    : [WHK, 'listen', '--port', '0', '--json', '--scheme', 'dfns', '--secret', SECRET, '--tolerance', '86400'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', devnull, 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stderr });
    rl.on('line', (line) => {
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`${kind} server exited (${code}) before listening`)));
  });
}

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

const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
/** utime + stime of a process, in ms. */
const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks of 10 ms
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const stop = (child) => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); });

async function measure(kind) {
  const { child, url } = await startServer(kind);
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

const results = { bare: [], whk: [] };
for (let i = 0; i < ROUNDS; i++) {
  for (const kind of i % 2 === 0 ? ['bare', 'whk'] : ['whk', 'bare']) {
    const m = await measure(kind);
    results[kind].push(m);
    console.log(`round ${i + 1} ${kind.padEnd(4)} ${Math.round(m.rps).toLocaleString('en-US').padStart(7)} req/s  ${m.cpuUsPerReq.toFixed(1)} µs CPU/req`);
  }
}
const bare = median(results.bare.map((m) => m.rps));
const whk = median(results.whk.map((m) => m.rps));
const ratio = whk / bare;

// Memory: RSS after a warm-up, then after EVENTS more events (all verified, deduplicated, written).
const { child, url } = await startServer('whk');
await cannon(url, ['-a', '5000']);
const before = rssMb(child.pid);
const t0 = Date.now();
await cannon(url, ['-a', String(EVENTS)]);
const after = rssMb(child.pid);
await stop(child);

console.log('');
console.log(`bare node:http (answers 200, reads nothing): ${Math.round(bare).toLocaleString('en-US')} req/s (median of ${ROUNDS})`);
console.log(`whk listen --json --scheme dfns (verifying):  ${Math.round(whk).toLocaleString('en-US')} req/s (median of ${ROUNDS})`);
console.log(`ratio: ${ratio.toFixed(2)} (target >= 0.75) ${ratio >= 0.75 ? 'ok' : 'BELOW TARGET'}`);
console.log(`RSS: ${before.toFixed(1)} MB after warm-up, ${after.toFixed(1)} MB after ${EVENTS.toLocaleString('en-US')} more events (${((Date.now() - t0) / 1000).toFixed(1)} s): growth ${(after - before).toFixed(1)} MB (target <= 50 MB) ${after - before <= 50 ? 'ok' : 'ABOVE TARGET'}`);
