// Large bodies: peak RSS of `whk sign` and `whk verify` (right and wrong secret) on a big JSON file
// (500 MB by default; BENCH_MB=100 for a quicker run), next to the file's size, and the wall time
// of the wrong-secret verify (the one that runs the diagnosis). Then the diagnosis of an 800 KB
// forged JSON body, in-process, against verify without diagnosis. Figures, not assertions.
// The big file is written to the temporary folder and deleted at the end.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WHK = fileURLToPath(new URL('../bin/whk.js', import.meta.url));
const MB = Number(process.env.BENCH_MB ?? 500);
// Past whk's default limit of 256 MB: the limit is raised to measure the reading, not the refusal.
const MAX = `${MB * 2}mb`;
const dir = mkdtempSync(join(tmpdir(), 'whk-large-'));
const file = join(dir, 'body.json');
const headersFile = join(dir, 'headers.txt');
// Prints the child's peak RSS (KiB on Linux) as it exits; the launcher always ends in process.exit.
const hook = join(dir, 'rss.cjs');
writeFileSync(hook, "process.on('exit', () => require('node:fs').writeSync(2, `\\nWHK_MAXRSS ${process.resourceUsage().maxRSS}\\n`));\n");

/** A JSON array of small objects, `mb` MiB long: the worst case for a diagnosis that parses JSON. */
function writeJson(path, mb) {
  const record = '{"id":"evt_0001","type":"wallet.created","amount":12345,"note":"caf\u00e9 au lait"},';
  const chunk = Buffer.from(record.repeat(Math.floor((1 << 20) / Buffer.byteLength(record))), 'utf8');
  const fd = openSync(path, 'w');
  let size = writeSync(fd, '[');
  while (size + chunk.length < mb * (1 << 20)) size += writeSync(fd, chunk);
  size += writeSync(fd, '{"id":"last"}]');
  closeSync(fd);
  return size;
}

function run(label, args, { shell, node } = {}) {
  const t0 = process.hrtime.bigint();
  const r = shell
    ? spawnSync('sh', ['-c', shell], { encoding: 'utf8', maxBuffer: 1 << 20 })
    : spawnSync(process.execPath, ['-r', hook, ...(node ? args : [WHK, ...args])], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const rss = Number(/WHK_MAXRSS (\d+)/.exec(r.stderr)?.[1]) * 1024;
  const problem = r.stderr.replace(/\s*WHK_MAXRSS \d+\s*/, '').trim();
  return { label, status: r.status, stdout: r.stdout, ms, rss, problem };
}

const fmtMB = (b) => `${(b / (1 << 20)).toFixed(0)} MB`;
let size = 0;
try {
  size = writeJson(file, MB);
  console.log(`body: ${fmtMB(size)} of JSON (${file})`);
  const signed = run('whk sign --body-file', ['sign', '--scheme', 'github', '--secret', 's3cret', '--max-body', MAX, '--body-file', file]);
  writeFileSync(headersFile, signed.stdout);
  const node = (args) => `${JSON.stringify(process.execPath)} -r ${JSON.stringify(hook)} ${JSON.stringify(WHK)} ${args}`;
  const results = [
    run("node -e '' (baseline)", ['-e', ''], { node: true }),
    signed,
    run('whk sign < file (stdin)', [], { shell: `${node(`sign --scheme github --secret s3cret --max-body ${MAX}`)} < ${JSON.stringify(file)}` }),
    run('whk sign, piped (cat |)', [], { shell: `cat ${JSON.stringify(file)} | ${node(`sign --scheme github --secret s3cret --max-body ${MAX}`)}` }),
    run('whk verify, right secret', ['verify', '--scheme', 'github', '--secret', 's3cret', '--max-body', MAX, '--headers-file', headersFile, '--body-file', file]),
    run('whk verify, wrong secret', ['verify', '--scheme', 'github', '--secret', 'wrong', '--max-body', MAX, '--headers-file', headersFile, '--body-file', file]),
    run('whk verify, wrong, piped', [], { shell: `cat ${JSON.stringify(file)} | ${node(`verify --scheme github --secret wrong --max-body ${MAX} --headers-file ${JSON.stringify(headersFile)}`)}` }),
  ];
  console.log(`${'command'.padEnd(28)} ${'exit'.padStart(4)} ${'peak RSS'.padStart(9)} ${'RSS/body'.padStart(9)} ${'wall'.padStart(9)}`);
  for (const r of results) {
    console.log(`${r.label.padEnd(28)} ${String(r.status).padStart(4)} ${fmtMB(r.rss).padStart(9)} ${`${(r.rss / size).toFixed(2)}×`.padStart(9)} ${`${(r.ms / 1000).toFixed(1)} s`.padStart(9)}`);
    if (r.problem) console.log(`  stderr: ${r.problem.slice(0, 200)}`);
  }
  const wrong = results.find((r) => r.label === 'whk verify, wrong secret');
  console.log(`wrong-secret verdict: ${wrong.stdout.trim().split('\n').join(' | ') || '(none)'}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// The diagnosis of a forged 800 KB JSON body (what the listener runs off the answer path).
const { verify, sign } = await import('../dist/index.js');
const items = [];
for (let i = 0, n = 0; n < 800_000; i++) {
  items.push({ id: `evt_${i}`, type: 'payment.succeeded', amount: i * 7, tags: ['a', 'b'], note: 'caf\u00e9' });
  n += JSON.stringify(items[i]).length + 1;
}
const body = JSON.stringify({ data: items });
const headers = sign('github', { body, secrets: ['s3cret'] });
const time = (diagnose) => {
  const t = [];
  for (let i = 0; i < 15; i++) {
    const t0 = process.hrtime.bigint();
    verify('github', { body, headers, secrets: ['wrong'], diagnose });
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return t.sort((a, b) => a - b)[t.length >> 1];
};
const without = time(false);
const withDiag = time(true);
console.log(`\n${(body.length / 1000).toFixed(0)} KB forged JSON, verify (median of 15): ${without.toFixed(2)} ms without diagnosis, ${withDiag.toFixed(2)} ms with it (${(withDiag / without).toFixed(1)}×)`);
