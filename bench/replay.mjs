// whk replay's memory against the size of the recording and against `node -e ''`, same run.
//   (a) node -e '': the floor of any node process
//   (b) whk replay big.ndjson --only 1: one event picked out of a 200 MB recording (read to its
//       end: --only may match later lines), so its memory is the reading, not the sending
//   (c) whk replay of a slice (the first 20000 events) to a local receiver, --concurrency 8
//       --json: every event sent, one result line each (stdout to a pipe that is read)
// Peak RSS is the process's own maxRSS (a preload writes process.resourceUsage().maxRSS on
// exit). Rounds are interleaved; medians reported. Run after `npm run build`.
// BENCH_ROUNDS (default 3), BENCH_REPLAY_MB (default 200), BENCH_REPLAY_SLICE (default 20000).
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// BENCH_WHK: another build's bin/whk.js, to compare (e.g. the main branch's).
const WHK = process.env.BENCH_WHK ?? fileURLToPath(new URL('../bin/whk.js', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MB = Number(process.env.BENCH_REPLAY_MB ?? 200);
const SLICE = Number(process.env.BENCH_REPLAY_SLICE ?? 20000);
const dir = mkdtempSync(join(tmpdir(), 'whk-bench-replay-'));

// A recording as whk listen --record writes it: Dfns-sized events (~1.8 KB a line).
const body = (seq) => JSON.stringify({ id: `wh-${seq}`, date: '2024-05-01T10:00:00.000Z', kind: 'wallet.transfer.confirmed', data: { pad: 'x'.repeat(1200) }, timestampSent: 1714557600, deliveryAttempt: 1 });
const line = (seq) => `${JSON.stringify({
  type: 'event', seq, receivedAt: '2024-05-01T10:00:00.000Z', method: 'POST', path: '/webhooks',
  headers: { host: '127.0.0.1:4000', 'content-type': 'application/json', 'user-agent': 'dfns-webhooks', 'x-dfns-webhook-signature': `sha256=${'a'.repeat(64)}` },
  body: body(seq), bodyEncoding: 'utf8', scheme: 'dfns', verdict: { valid: true, reason: 'ok', message: 'ok', diagnosis: null },
  eventType: 'wallet.transfer.confirmed', eventId: `wh-${seq}`, duplicate: false, filtered: false, response: { status: 200 },
})}\n`;

async function writeRecording(file, bytes, maxEvents = Infinity) {
  const w = createWriteStream(file);
  let size = 0;
  let seq = 0;
  while (size < bytes && seq < maxEvents) {
    let chunk = '';
    for (let i = 0; i < 500 && seq < maxEvents; i++) chunk += line(++seq);
    size += Buffer.byteLength(chunk);
    if (!w.write(chunk)) await new Promise((resolve) => w.once('drain', resolve));
  }
  await new Promise((resolve) => w.end(resolve));
  return seq;
}

const receiverSource = `
  const http = require('node:http');
  const s = http.createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('ok'); }); });
  s.keepAliveTimeout = 60000;
  s.listen(0, '127.0.0.1', () => process.send(s.address().port));
`;
function startReceiver() {
  const child = spawn(process.execPath, ['-e', receiverSource], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (port) => resolve({ child, url: `http://127.0.0.1:${port}/` }));
    child.once('exit', (code) => reject(new Error(`receiver exited ${code}`)));
  });
}

const preload = join(dir, 'peak-rss.cjs');
writeFileSync(preload, "process.on('exit', () => require('fs').writeFileSync(process.env.WHK_BENCH_RSS_OUT, String(process.resourceUsage().maxRSS)));\n");
let runs = 0;
/** Runs node with `args`, reading its stdout; resolves with its peak RSS (bytes), wall time and output. */
function measure(args) {
  const out = join(dir, `rss-${runs++}.txt`);
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--require', preload, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', WHK_BENCH_RSS_OUT: out } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) return reject(new Error(`${args.slice(1, 3).join(' ')} exited ${code}\n${stderr}`));
      resolve({ rss: Number(readFileSync(out, 'utf8')) * 1024, ms, stdout });
    });
  });
}

const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const mb = (b) => `${(b / 1024 / 1024).toFixed(1)} MB`;
const big = join(dir, 'big.ndjson');
const slice = join(dir, 'slice.ndjson');
const { child, url } = await startReceiver();
try {
  const events = await writeRecording(big, MB * 1024 * 1024);
  const sliceEvents = await writeRecording(slice, Infinity, SLICE);
  const [bigSize, sliceSize] = [statSync(big).size, statSync(slice).size];
  const only = () => measure([WHK, 'replay', big, '--to', url, '--only', '1', '--json']);
  const full = async () => {
    const r = await measure([WHK, 'replay', slice, '--to', url, '--concurrency', '8', '--json']);
    const s = JSON.parse(r.stdout.slice(r.stdout.lastIndexOf('\n', r.stdout.length - 2) + 1));
    if (s.ok !== sliceEvents) throw new Error(`replay: ${s.ok}/${sliceEvents} ok`);
    return r;
  };
  const node = () => measure(['-e', '']);
  await only(); // warm-up: page cache
  const n = [];
  const o = [];
  const f = [];
  for (let i = 0; i < ROUNDS; i++) {
    n.push(await node());
    o.push(await only());
    f.push(await full());
  }
  const base = median(n.map((r) => r.rss));
  const oRss = median(o.map((r) => r.rss));
  const fRss = median(f.map((r) => r.rss));
  const fMs = median(f.map((r) => r.ms));
  const row = (label, rss, rest) => console.log(`  ${label.padEnd(58)} ${mb(rss).padStart(9)}   ${rest}`);
  console.log(`replay peak RSS, median of ${ROUNDS} interleaved rounds`);
  row("node -e ''", base, 'baseline');
  row(`whk replay --only 1, ${mb(bigSize)} recording (${events} events)`, oRss,
    `${(oRss / base).toFixed(2)}× node -e '', ${(oRss / bigSize).toFixed(2)}× the file   ${(median(o.map((r) => r.ms)) / 1000).toFixed(2)} s`);
  row(`whk replay, ${sliceEvents} events (${mb(sliceSize)}), --concurrency 8 --json`, fRss,
    `${(fRss / base).toFixed(2)}× node -e '', ${(fRss / sliceSize).toFixed(2)}× the file   ${Math.round(sliceEvents / (fMs / 1000))} events/s`);
} finally {
  child.kill();
  rmSync(dir, { recursive: true, force: true });
}
