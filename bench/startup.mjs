// Cold start of `whk sign` and `whk verify` vs `node -e ''`, measured in the same run.
// Median of N runs each, runs interleaved so that machine noise hits every command alike.
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const WHK = fileURLToPath(new URL('../bin/whk.js', import.meta.url));
const N = Number(process.env.BENCH_RUNS ?? 31);
const body = '{"id":"wh_1","kind":"wallet.created","data":{},"timestampSent":1700000000}';
const sig = `sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`;

const commands = {
  "node -e ''": ['-e', ''],
  'whk sign': [WHK, 'sign', '--scheme', 'dfns', '--secret', 's3cret', '--body', body],
  'whk verify': [WHK, 'verify', '--scheme', 'dfns', '--secret', 's3cret', '--header', `X-DFNS-WEBHOOK-SIGNATURE: ${sig}`, '--body', body, '--now', '1700000001'],
};
const times = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
for (let i = 0; i < N + 2; i++) {
  for (const [name, args] of Object.entries(commands)) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
    if (i >= 2) times[name].push(ms); // the first two rounds warm the page cache
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const base = median(times["node -e ''"]);
console.log(`cold start (median of ${N}, interleaved)`);
for (const [name, t] of Object.entries(times)) {
  const m = median(t);
  console.log(`  ${name.padEnd(12)} ${m.toFixed(1).padStart(6)} ms   ${(m / base).toFixed(2)}×${name.startsWith('whk') ? '   (target ≤ 1.25×)' : '   baseline'}`);
}
