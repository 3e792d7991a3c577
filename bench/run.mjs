// npm run bench: every benchmark in turn, each printing ratios against a baseline measured in
// the same run. Not a test: figures, not assertions. A benchmark not written yet is skipped;
// one that fails (a broken set-up) is reported and the others still run.
// Each runs with the environment given (BENCH_SECONDS, BENCH_ROUNDS, ...: see each file's header).
// `node bench/run.mjs listen listen-flood` runs only the ones named.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const names = ['startup', 'crypto', 'verify-sdks', 'listen', 'inspect', 'inspect-clients', 'listen-flood', 'listen-rss', 'queue-rss', 'queue-long', 'large-body', 'send', 'replay', 'history'];
const only = process.argv.slice(2);
const unknown = only.filter((n) => !names.includes(n));
if (unknown.length > 0) {
  console.error(`no benchmark named ${unknown.join(', ')}; they are: ${names.join(', ')}`);
  process.exit(2);
}
for (const name of names.filter((n) => only.length === 0 || only.includes(n))) {
  const file = new URL(`./${name}.mjs`, import.meta.url);
  if (!existsSync(file)) continue;
  console.log(`\n== ${name} ==`);
  const r = spawnSync(process.execPath, [file.pathname], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.log(`(${name} failed: ${r.status ?? r.signal})`);
    process.exitCode = 1;
  }
}
