// whk send load mode vs autocannon, against the same bare node:http receiver, in the same run.
//   (a) autocannon -c 64 -a 20000 -m POST (one fixed, unsigned body): its own requests/s
//   (b) whk send --scheme dfns --count 20000 --concurrency 64 --json: wall clock, start-up
//       included, every request a fresh event individually signed
//   (c) the same with WHK_SEND_CLIENT=undici (load mode through an undici Pool), for comparison
// Each runs in its own process, the receiver in a third. Rounds are interleaved; medians reported.
// Run after `npm run build`. BENCH_ROUNDS (default 3), BENCH_COUNT (default 20000).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const WHK = `${root}bin/whk.js`;
const AUTOCANNON = `${root}node_modules/autocannon/autocannon.js`;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const COUNT = Number(process.env.BENCH_COUNT ?? 20000);
const C = 64;

// The receiver: answers 200 "ok" once the body is read, keep-alive on.
const receiverSource = `
  const http = require('node:http');
  const s = http.createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('ok'); }); });
  s.keepAliveTimeout = 60000;
  s.listen(0, '127.0.0.1', () => process.send(s.address().port));
`;
function startReceiver() {
  const child = spawn(process.execPath, ['-e', receiverSource], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (port) => resolve({ child, url: `http://127.0.0.1:${port}/webhooks` }));
    child.once('exit', (code) => reject(new Error(`receiver exited ${code}`)));
  });
}

function run(args, env = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) reject(new Error(`${args.slice(0, 3).join(' ')} exited ${code}\n${err}`));
      else resolve({ out, ms });
    });
  });
}

// A body the size of whk's Dfns sample, so both send the same bytes per request.
const body = JSON.stringify({ id: 'wh-xxxxx-xxxxx-xxxxxxxxxxxxxxxx', date: new Date().toISOString(), kind: 'wallet.transfer.confirmed', data: { pad: 'x'.repeat(700) }, timestampSent: 1, deliveryAttempt: 1 });

async function autocannon(url) {
  // -L 10: autocannon notices the end of a run only at its next sample tick (1 s by default,
  // which would round its duration up to whole seconds); sample every 10 ms instead.
  const { out, ms } = await run([AUTOCANNON, '-c', String(C), '-a', String(COUNT), '-L', '10', '-m', 'POST', '-H', 'content-type=application/json', '-b', body, '-j', url]);
  const j = JSON.parse(out);
  const done = j.requests.total ?? j['2xx'];
  if (j.non2xx || j.errors) throw new Error(`autocannon: ${j.non2xx} non-2xx, ${j.errors} errors`);
  // start/finish are ms timestamps (`duration` is rounded to 10 ms).
  const seconds = (Date.parse(j.finish) - Date.parse(j.start)) / 1000 || j.duration;
  return { rps: done / seconds, wallRps: done / (ms / 1000), ms };
}

async function whk(url, env = {}) {
  const { out, ms } = await run([WHK, 'send', url, '--scheme', 'dfns', '--secret', 's3cret', '--count', String(COUNT), '--concurrency', String(C), '--json'], env);
  const s = JSON.parse(out);
  if (s.ok !== COUNT) throw new Error(`whk: ${s.ok}/${COUNT} ok: ${out}`);
  return { rps: COUNT / (ms / 1000), innerRps: s.requestsPerSecond, ms };
}

const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const { child, url } = await startReceiver();
try {
  const a = [];
  const w = [];
  const u = [];
  await autocannon(url); // warm-up: JIT of the receiver, page cache
  await whk(url);
  for (let i = 0; i < ROUNDS; i++) {
    a.push(await autocannon(url));
    w.push(await whk(url));
    u.push(await whk(url, { WHK_SEND_CLIENT: 'undici' }));
  }
  const ac = median(a.map((r) => r.rps));
  const wk = median(w.map((r) => r.rps));
  const un = median(u.map((r) => r.rps));
  console.log(`send load, ${COUNT} POSTs, concurrency ${C}, median of ${ROUNDS} interleaved rounds`);
  console.log(`  autocannon (its own req/s, one fixed body)         ${Math.round(ac).toString().padStart(7)} req/s   baseline`);
  console.log(`  whk send --scheme dfns (wall clock incl. start-up) ${Math.round(wk).toString().padStart(7)} req/s   ${(wk / ac).toFixed(2)}×   (target ≥ 0.80×)`);
  console.log(`    whk's own send phase: ${Math.round(median(w.map((r) => r.innerRps)))} req/s; autocannon by wall clock: ${Math.round(median(a.map((r) => r.wallRps)))} req/s`);
  console.log(`  for comparison, whk load mode through an undici Pool (WHK_SEND_CLIENT=undici): ${Math.round(un)} req/s, ${(un / ac).toFixed(2)}×`);
} finally {
  child.kill();
}
