#!/usr/bin/env node
// Listener memory and lost lines with a slow stdout reader ("Trust at the edges").
// whk listen --json writes one NDJSON line (~1.2 KB) per event. When whoever reads its stdout is
// slower than the deliveries arrive, a listener without backpressure buffers the lines in memory
// (RSS grows without bound) and may lose the buffered ones when it is stopped. The reworked one
// stops reading new requests while its output is full, so posting slows to the reader's pace.
//
//   1. a consumer process reads the listener's stdout (an OS pipe straight from whk to it) at
//      BENCH_RSS_READER_KBPS KB/s (after an optional stall), parses every line, and on EOF reports
//      how many event lines it got (distinct seq, valid verdicts) and how many were broken
//   2. whk listen --json --scheme dfns --secret S --tolerance 86400 --port 0, stdout that pipe
//   3. BENCH_RSS_EVENTS valid, signed Dfns deliveries, each its own id, posted from this process
//      with BENCH_RSS_CONNECTIONS in flight (node:http keep-alive); whk's VmRSS polled every
//      100 ms from /proc/<pid>/status; posting stops at BENCH_RSS_MAX_SECONDS whatever the count
//   4. SIGTERM to whk once every posted delivery is answered (BENCH_RSS_STOP=expect instead runs
//      whk with --expect BENCH_RSS_EVENTS and lets it exit by itself); whk hands its remaining
//      lines to the pipe, the consumer drains them and reports (whk is SIGKILLed if it has not
//      exited BENCH_RSS_DRAIN_SECONDS after the stop)
// Prints RSS before / peak / after posting, posting throughput under the slow reader, whk's exit
// code and how long it took to exit, and "lost lines: N" (deliveries answered 200 minus event
// lines the consumer got; target 0). Before the rework: 48 -> 139 MB after 30k events, lines lost.
//
// Run after `npm run build`:  node bench/listen-rss.mjs
//   BENCH_RSS_EVENTS           deliveries to post (default 30000)
//   BENCH_RSS_CONNECTIONS      deliveries in flight at once (default 10)
//   BENCH_RSS_READER_KBPS      the consumer's reading rate, KB/s (default 1024: ~35 s for 30k lines;
//                              whk writes ~4-10 MB/s of NDJSON when unhindered, so this is slow)
//   BENCH_RSS_READER_STALL     seconds the consumer reads nothing at first (default 0)
//   BENCH_RSS_MAX_SECONDS      posting stops after this long (default 120)
//   BENCH_RSS_DRAIN_SECONDS    after the stop, whk gets this long to exit before SIGKILL (default 120)
//   BENCH_RSS_STOP             sigterm (default), expect, or midway: SIGTERM as soon as half the
//                              deliveries are answered, while others are in flight (no new ones are
//                              posted after it): every delivery answered 200 must have its line
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { dfnsBody, dfnsSignature, fmt, rssMb, startServer } from './listen-servers.mjs';

const EVENTS = Number(process.env.BENCH_RSS_EVENTS ?? 30_000);
const CONNECTIONS = Number(process.env.BENCH_RSS_CONNECTIONS ?? 10);
const READER_KBPS = Number(process.env.BENCH_RSS_READER_KBPS ?? 1024);
const READER_STALL = Number(process.env.BENCH_RSS_READER_STALL ?? 0);
const MAX_SECONDS = Number(process.env.BENCH_RSS_MAX_SECONDS ?? 120);
const DRAIN_SECONDS = Number(process.env.BENCH_RSS_DRAIN_SECONDS ?? 120);
const STOP = process.env.BENCH_RSS_STOP ?? 'sigterm';
if (!['sigterm', 'expect', 'midway'].includes(STOP)) throw new Error(`BENCH_RSS_STOP=${STOP}: sigterm, expect or midway`);

// The slow reader: stdin is the listener's stdout. argv: bytesPerSecond stallSeconds.
// Reports one JSON line on its stdout at EOF.
const CONSUMER = `
const [rate, stall] = process.argv.slice(1).map(Number);
const r = { bytes: 0, lines: 0, events: 0, valid: 0, ready: 0, other: 0, broken: 0, distinctSeq: 0, firstByteMs: null, seconds: 0 };
const seqs = new Set();
let rest = '', t0 = Date.now();
const line = (l) => {
  r.lines++;
  let o;
  try { o = JSON.parse(l); } catch { r.broken++; return; }
  if (o.type === 'event') { r.events++; if (o.verdict && o.verdict.valid) r.valid++; seqs.add(o.seq); }
  else if (o.type === 'ready') r.ready++;
  else r.other++;
};
process.stdin.pause();
setTimeout(() => {
  t0 = Date.now();
  process.stdin.on('data', (chunk) => {
    if (r.firstByteMs === null) r.firstByteMs = Date.now() - t0;
    r.bytes += chunk.length;
    const parts = (rest + chunk.toString('utf8')).split('\\n');
    rest = parts.pop();
    for (const l of parts) if (l !== '') line(l);
    const wait = t0 + (r.bytes / rate) * 1000 - Date.now();
    if (wait > 0) { process.stdin.pause(); setTimeout(() => process.stdin.resume(), wait); }
  });
  process.stdin.on('end', () => {
    if (rest !== '') { r.lines++; r.broken++; }
    r.distinctSeq = seqs.size;
    r.seconds = (Date.now() - t0) / 1000;
    process.stdout.write(JSON.stringify(r) + '\\n');
  });
  process.stdin.resume();
}, stall * 1000);
`;

function startConsumer() {
  const child = spawn(process.execPath, ['-e', CONSUMER, String(READER_KBPS * 1024), String(READER_STALL)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const report = new Promise((resolve) => child.on('close', (code) => {
    try {
      resolve(JSON.parse(out));
    } catch {
      resolve(new Error(`the consumer exited (${code}) without a report`));
    }
  }));
  return { child, report };
}

/** Posts EVENTS deliveries, CONNECTIONS at a time, until done, the deadline, or whk's exit. */
async function post(url, deadline, onAnswer) {
  const u = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const s = { sent: 0, answered: 0, statuses: {}, errors: 0, firstError: '' };
  const one = (n) => new Promise((resolve) => {
    const body = dfnsBody(`wh-rss-${n}-${process.pid}`);
    const headers = { 'content-type': 'application/json', 'content-length': body.length, 'x-dfns-webhook-signature': dfnsSignature(body) };
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => {
        s.answered++;
        s.statuses[res.statusCode] = (s.statuses[res.statusCode] ?? 0) + 1;
        onAnswer(s.answered);
        resolve();
      });
    });
    const fail = (e) => {
      s.errors++;
      s.firstError ||= e.message;
      resolve();
    };
    req.on('error', fail);
    // Under backpressure an answer may wait for the reader; never past the deadline.
    req.setTimeout(Math.max(1000, deadline - Date.now() + 1000), () => req.destroy(new Error('no answer before BENCH_RSS_MAX_SECONDS')));
    req.end(body);
  });
  let next = 0;
  const loop = async () => {
    while (next < EVENTS && Date.now() < deadline && !exited && tStop === undefined) {
      s.sent++;
      await one(next++);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, loop));
  agent.destroy();
  return s;
}

const consumer = startConsumer();
const { child: whk, url } = await startServer('whk', { stdout: consumer.child.stdin, args: STOP === 'expect' ? ['--expect', String(EVENTS)] : [] });
consumer.child.stdin.destroy(); // whk holds the write end now; EOF for the consumer when whk exits
let exited = false;
let tStop;
const whkExit = new Promise((resolve) => whk.once('exit', (code, signal) => {
  exited = true;
  resolve({ code, signal, at: Date.now() });
}));

await new Promise((r) => setTimeout(r, 300));
const before = rssMb(whk.pid);
let peak = before;
let last = before;
const poll = setInterval(() => {
  const m = rssMb(whk.pid);
  if (m !== null) {
    last = m;
    peak = Math.max(peak, m);
  }
}, 100);

const t0 = Date.now();
const s = await post(url, t0 + MAX_SECONDS * 1000, (answered) => {
  if (STOP === 'midway' && answered === Math.ceil(EVENTS / 2)) {
    tStop = Date.now();
    whk.kill('SIGTERM');
  }
});
const postSeconds = (Date.now() - t0) / 1000;
const after = rssMb(whk.pid) ?? last;
peak = Math.max(peak, after);

// Stop, let whk hand over its lines, let the consumer drain.
if (STOP === 'sigterm') whk.kill('SIGTERM');
tStop ??= Date.now();
const killer = setTimeout(() => whk.kill('SIGKILL'), DRAIN_SECONDS * 1000);
const exit = await whkExit;
clearTimeout(killer);
clearInterval(poll);
const report = await consumer.report;

const exitSeconds = (exit.at - tStop) / 1000;
const ok200 = s.statuses[200] ?? 0;
const statuses = Object.entries(s.statuses).map(([k, n]) => `${fmt(n)}×${k}`).join(', ') || 'none';
console.log(`whk listen --json, stdout a pipe to a reader of ${fmt(READER_KBPS)} KB/s${READER_STALL ? ` (after a ${READER_STALL} s stall)` : ''}, ${CONNECTIONS} connections posting`);
console.log(`  posted ${fmt(s.sent)} of ${fmt(EVENTS)} deliveries in ${postSeconds.toFixed(1)} s: ${fmt(s.answered / postSeconds)} answered/s (${statuses}${s.errors ? `; ${fmt(s.errors)} errors, first: ${s.firstError}` : ''})${s.sent < EVENTS ? (STOP === 'midway' ? ' (posting stopped at the SIGTERM)' : ` (stopped at BENCH_RSS_MAX_SECONDS=${MAX_SECONDS})`) : ''}`);
console.log(`  RSS: ${before.toFixed(1)} MB before, peak ${peak.toFixed(1)} MB, ${after.toFixed(1)} MB after posting: growth ${(after - before).toFixed(1)} MB, peak growth ${(peak - before).toFixed(1)} MB   (before the rework: 48 -> 139 MB)`);
const how = { sigterm: 'SIGTERM after the last answer', expect: `--expect ${EVENTS}`, midway: `SIGTERM at the ${fmt(Math.ceil(EVENTS / 2))}th answer` }[STOP];
console.log(`  whk stopped by ${how}: exit ${exit.code ?? exit.signal}${exit.signal === 'SIGKILL' ? ` (killed after BENCH_RSS_DRAIN_SECONDS=${DRAIN_SECONDS})` : ''}, ${exitSeconds.toFixed(1)} s after ${STOP === 'expect' ? 'the last answer' : 'the signal'}`);
if (report instanceof Error) {
  console.log(`  ${report.message}`);
  process.exitCode = 1;
} else {
  console.log(`  consumer: ${fmt(report.events)} event lines (${fmt(report.distinctSeq)} distinct seq, ${fmt(report.valid)} valid), ${report.ready} ready line, ${report.other} other, ${report.broken} broken; ${(report.bytes / 1e6).toFixed(1)} MB in ${report.seconds.toFixed(1)} s`);
  const lost = ok200 - report.events;
  console.log(`  lost lines: ${fmt(lost)} (deliveries answered 200: ${fmt(ok200)}, event lines read: ${fmt(report.events)}; target 0) ${lost === 0 && report.broken === 0 ? 'ok' : 'LINES LOST'}`);
}
