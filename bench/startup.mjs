// Cold start of `whk sign` and `whk verify` (core schemes: the quick path, src/quick.ts) and of
// `whk sign` with a catalogue scheme (the program) vs `node -e ''`, measured paired: each round runs the
// commands once each, in an order that turns from round to round, and a command's ratio is the median of
// its per-round ratios to that round's `node -e ''` (machine noise hits both of a pair alike).
// BENCH_RUNS rounds (default 31), after two that warm the page cache.
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const WHK = fileURLToPath(new URL('../bin/whk.js', import.meta.url));
const N = Number(process.env.BENCH_RUNS ?? 31);
const TARGET = 1.2;
const body = '{"id":"wh_1","kind":"wallet.created","data":{},"timestampSent":1700000000}';
const sig = `sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`;

const BASE = "node -e ''";
const commands = {
  [BASE]: ['-e', ''],
  'whk sign': [WHK, 'sign', '--scheme', 'dfns', '--secret', 's3cret', '--body', body],
  'whk verify': [WHK, 'verify', '--scheme', 'dfns', '--secret', 's3cret', '--header', `X-DFNS-WEBHOOK-SIGNATURE: ${sig}`, '--body', body, '--now', '1700000001'],
  // A catalogue scheme: the quick path (src/quick.ts) leaves it to the program (ES modules, commander). No target: shown for what it is.
  'whk sign (catalogue)': [WHK, 'sign', '--scheme', 'sentry', '--secret', 's3cret', '--body', body],
};
const TARGETED = new Set(['whk sign', 'whk verify']);

/** Milliseconds one run of `args` takes, start to exit. */
function time(name, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const names = Object.keys(commands);
const rounds = [];
for (let i = 0; i < N + 2; i++) {
  const order = names.map((_, k) => names[(k + i) % names.length]);
  const round = Object.fromEntries(order.map((name) => [name, time(name, commands[name])]));
  if (i >= 2) rounds.push(round);
}

const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log(`cold start (${N} rounds, paired with ${BASE} run in the same round)`);
for (const name of names) {
  const ms = median(rounds.map((r) => r[name]));
  if (name === BASE) {
    console.log(`  ${name.padEnd(20)} ${ms.toFixed(1).padStart(6)} ms   baseline`);
    continue;
  }
  const ratio = median(rounds.map((r) => r[name] / r[BASE]));
  console.log(`  ${name.padEnd(20)} ${ms.toFixed(1).padStart(6)} ms   ${ratio.toFixed(2)}×${TARGETED.has(name) ? `   (target ≤ ${TARGET.toFixed(2)}×)` : ''}`);
}
