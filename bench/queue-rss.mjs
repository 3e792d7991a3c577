#!/usr/bin/env node
// The forwarding queue's memory (issue 17): `whk listen --queue` with every event fanned out to
// ten targets that are all down (closed ports on 127.0.0.1), then BENCH_QUEUED distinct signed
// Dfns deliveries (default 10,000), each journaled and answered 202/2xx at once. Prints the
// listener's RSS once ready (the baseline, same run), after a 200-delivery warm-up, and once all
// are queued, with the growth, the ratio to the baseline and the target (< 150 MB); then checks
// with `whk queue --json` that every delivery is pending for each of the ten targets.
//
// Run after `npm run build`:  node bench/queue-rss.mjs
import { execFileSync } from 'node:child_process';
import { createServer, request, Agent } from 'node:http';
import { randomUUID } from 'node:crypto';
import { benchHome, dfnsSignature, rssMb, startServer, stop, WHK } from './listen-servers.mjs';

const QUEUED = Number(process.env.BENCH_QUEUED ?? 10_000);
const TARGETS = 10;
const CONCURRENCY = 10;

/** A port nothing listens on: bound, then closed. */
async function deadPort() {
  const s = createServer();
  await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

const targets = [];
for (let i = 0; i < TARGETS; i++) targets.push(`http://127.0.0.1:${await deadPort()}/hooks`);

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
/** One distinct Dfns delivery (its own id), signed; resolves with the status. */
function deliver(url, n) {
  const body = JSON.stringify({ id: `wh-${randomUUID()}`, date: new Date().toISOString(), kind: 'wallet.transfer.confirmed', data: { n }, timestampSent: Math.floor(Date.now() / 1000), deliveryAttempt: 1 });
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-dfns-webhook-signature': dfnsSignature(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function deliverMany(url, count) {
  let next = 0;
  let refused = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) {
      next++;
      const status = await deliver(url, next);
      if (status < 200 || status > 299) refused++;
    }
  }));
  if (refused > 0) throw new Error(`${refused} deliveries were not answered 2xx`);
}

const { child, url } = await startServer('whk', { args: ['--queue', '--route', `dfns:*=${targets.join(',')}`] });
const ready = rssMb(child.pid);
await deliverMany(url, 200);
const warm = rssMb(child.pid);
const t0 = Date.now();
await deliverMany(url, QUEUED);
const seconds = (Date.now() - t0) / 1000;
// Give the workers a moment to fail their first attempts on the dead targets.
await new Promise((resolve) => setTimeout(resolve, 2000));
const after = rssMb(child.pid);
await stop(child);
agent.destroy();

const rows = JSON.parse(execFileSync(process.execPath, [WHK, 'queue', '--json'], { env: { ...process.env, WHK_HOME: benchHome() }, maxBuffer: 1024 ** 3 }).toString());
const pending = rows.filter((r) => r.state === 'pending').length;
const expected = (QUEUED + 200) * TARGETS;

console.log(`whk listen --queue, every event fanned out to ${TARGETS} targets that are down:`);
console.log(`  RSS once ready (baseline)                ${ready.toFixed(1).padStart(6)} MB`);
console.log(`  after a 200-delivery warm-up             ${warm.toFixed(1).padStart(6)} MB`);
console.log(`  after ${QUEUED.toLocaleString('en-US')} more queued deliveries      ${after.toFixed(1).padStart(6)} MB  (${(QUEUED / seconds).toFixed(0)} deliveries/s queued)`);
console.log(`  growth ${(after - warm).toFixed(1)} MB; RSS ${(after / ready).toFixed(2)}x the baseline; target < 150 MB ${after < 150 ? 'ok' : 'ABOVE TARGET'}`);
console.log(`  whk queue --json: ${pending.toLocaleString('en-US')} pending of ${expected.toLocaleString('en-US')} (deliveries x targets) ${pending === expected ? 'ok' : 'MISMATCH'}`);
if (after >= 150 || pending !== expected) process.exitCode = 1;
