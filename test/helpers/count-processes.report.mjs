// Summarizes the file written by test/helpers/count-processes.ts (see there):
//   node test/helpers/count-processes.report.mjs <file>
// A test "starts a process" when its own body does; processes started in hooks are counted per file.
// whk: the built CLI (node bin/whk.js) or a shell script (bash, sh: the README's blocks and the
// tests' scripts run whk); the others are the independent implementations (python3, openssl) and tools.
import { readFileSync } from 'node:fs';

const lines = readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const kindOf = (what) => (/whk\.js/.test(what) || /^(\S*\/)?(ba)?sh\b/.test(what) ? 'whk' : 'other');
const key = (l) => `${l.file}\u0000${l.test}`;
const tests = { whk: new Set(), other: new Set(), 'in-process': new Set() };
const hooks = new Set();
const perFile = new Map();
for (const l of lines) {
  const kind = l.kind === 'in-process' ? 'in-process' : kindOf(l.what);
  if (l.test === null) {
    if (l.kind === 'process') hooks.add(l.file);
    continue;
  }
  tests[kind].add(key(l));
  if (kind === 'whk') perFile.set(l.file, (perFile.get(l.file) ?? 0) + 1);
}
const any = new Set([...tests.whk, ...tests.other]);
const processes = lines.filter((l) => l.kind === 'process');
console.log(`processes started: ${processes.length} (whk or a shell: ${processes.filter((l) => kindOf(l.what) === 'whk').length}); in-process runs of whk: ${lines.length - processes.length}`);
console.log(`tests starting whk (or a shell): ${tests.whk.size}; starting any process: ${any.size}; running whk in-process: ${tests['in-process'].size}`);
console.log(`files whose hooks start a process: ${hooks.size}`);
console.log('whk processes started by tests, per file:');
for (const [file, n] of [...perFile].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`  ${String(n).padStart(5)} ${file.replace(/.*\/test\//, 'test/')}`);
