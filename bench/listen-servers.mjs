// Shared by the listener benchmarks (listen.mjs, listen-flood.mjs, listen-rss.mjs); not a
// benchmark itself (bench/run.mjs does not list it, and running it does nothing).
//
// The three receivers they compare, each in its own process on 127.0.0.1, port 0:
//   bare     node:http answering 200 without reading the request: the floor
//   minimal  what a careful receiver writes by hand in ~20 lines: reads the body, checks the Dfns
//            HMAC (constant-time), checks timestampSent against now (±tolerance), answers 200 or
//            401, writes one NDJSON line per request to stdout
//   whk      whk listen --json --scheme dfns --secret S --tolerance T --port 0
// Each says "... listening on <url>" on stderr; startServer waits for that line.
// BENCH_PROF=<dir>: minimal and whk write a V8 CPU profile there when stopped (node --cpu-prof).
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { openSync, closeSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const WHK = join(root, 'bin', 'whk.js');
export const AUTOCANNON = join(root, 'node_modules', 'autocannon', 'autocannon.js');
export const SECRET = 'bench-dfns-secret';
/** A day: the deliveries' timestampSent may be a little old after a long run, never refused for it. */
export const TOLERANCE = 86400;

export const BARE = `const s = require('node:http').createServer((req, res) => { res.statusCode = 200; res.end(); });
s.listen(0, '127.0.0.1', () => process.stderr.write('listening on http://127.0.0.1:' + s.address().port + '/\\n'));`;

// The hand-written reference: what whk listen must cost no more than (issue "Trust at the edges").
export const MINIMAL = `const http = require('node:http');
const { createHmac, timingSafeEqual } = require('node:crypto');
const secret = process.env.WHK_BENCH_SECRET, tolerance = Number(process.env.WHK_BENCH_TOLERANCE);
let seq = 0;
const s = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const want = Buffer.from('sha256=' + createHmac('sha256', secret).update(body).digest('hex'));
    const got = Buffer.from(String(req.headers['x-dfns-webhook-signature'] ?? ''));
    let valid = got.length === want.length && timingSafeEqual(got, want);
    if (valid) {
      try { valid = Math.abs(Date.now() / 1000 - JSON.parse(body.toString('utf8')).timestampSent) <= tolerance; } catch { valid = false; }
    }
    res.statusCode = valid ? 200 : 401;
    res.end();
    process.stdout.write(JSON.stringify({ seq: ++seq, method: req.method, path: req.url, headers: req.headers, body: body.toString('utf8'), valid }) + '\\n');
  });
});
s.listen(0, '127.0.0.1', () => process.stderr.write('listening on http://127.0.0.1:' + s.address().port + '/\\n'));`;

/** Dfns signature header value for these bytes. */
export const dfnsSignature = (body, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** A real-looking small Dfns delivery (~450 bytes of compact JSON), timestampSent now. */
export function dfnsBody(id = 'wh-0123456789abcdef') {
  return Buffer.from(JSON.stringify({
    id, date: new Date().toISOString(), kind: 'wallet.transfer.confirmed',
    data: { transferRequest: { id: 'xfr-0123456789', walletId: 'wa-0123456789', network: 'EthereumSepolia', status: 'Confirmed', requestBody: { kind: 'Native', to: `0x${'ab'.repeat(20)}`, amount: '1000000000000000' }, txHash: `0x${'cd'.repeat(32)}` } },
    timestampSent: Math.floor(Date.now() / 1000),
    deliveryAttempt: 1,
  }));
}

let home;
/** whk listen keeps a history: a benchmark's goes to a folder of its own, removed at exit (never ~/.local/state). */
export function benchHome() {
  if (!home) {
    home = mkdtempSync(join(tmpdir(), 'whk-bench-home-'));
    process.on('exit', () => rmSync(home, { recursive: true, force: true }));
  }
  return home;
}

/**
 * Starts a receiver; resolves with { child, url } once it says it is listening (15 s at most).
 * stdout: a path ('/dev/null' by default), an fd, or any stdio value spawn accepts.
 */
export function startServer(kind, { stdout = '/dev/null', args = [], scheme = 'dfns' } = {}) {
  const fd = typeof stdout === 'string' ? openSync(stdout, 'w') : undefined;
  const argv = kind === 'bare' ? ['-e', BARE]
    : kind === 'minimal' ? [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROF, '-e', MINIMAL + ';process.on("SIGTERM", () => process.exit(0));'] : ['-e', MINIMAL])]
    : [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROF] : []), WHK, 'listen', '--port', '0', '--json', ...(scheme ? ['--scheme', scheme] : []), '--secret', SECRET, '--tolerance', String(TOLERANCE), ...args];
  const child = spawn(process.execPath, argv, {
    stdio: ['ignore', fd ?? stdout, 'pipe'],
    env: { ...process.env, WHK_HOME: process.env.WHK_HOME ?? benchHome(), NO_COLOR: '1', WHK_BENCH_SECRET: SECRET, WHK_BENCH_TOLERANCE: String(TOLERANCE) },
  });
  if (fd !== undefined) closeSync(fd); // the child has its own copy
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${kind} server did not say it was listening within 15 s\n${stderr}`));
    }, 15_000);
    const rl = createInterface({ input: child.stderr });
    rl.on('line', (line) => {
      if (stderr.length < 4096) stderr += `${line}\n`;
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], stderr: () => stderr });
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${kind} server exited (${code ?? signal}) before listening\n${stderr}`));
    });
  });
}

/** Sends a signal and waits for the exit (SIGKILL after graceMs); resolves with { code, signal }. */
export function stop(child, signal = 'SIGTERM', graceMs = 10_000) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve({ code: child.exitCode, signal: child.signalCode });
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      resolve({ code, signal: sig });
    });
    child.kill(signal);
  });
}

/** Resident memory of a process, MB (null once it is gone). */
export function rssMb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return null;
  }
}

/** utime + stime of a process, in ms. */
export function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks of 10 ms
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Nearest-rank percentile of an unsorted array (p in 0..100). */
export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
export const fmt = (n) => Math.round(n).toLocaleString('en-US');
