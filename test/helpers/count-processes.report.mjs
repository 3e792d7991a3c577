// Summarizes the file written by test/helpers/count-processes.ts (see there):
//   node test/helpers/count-processes.report.mjs <file>
// A test "starts a process" when its own body does (hooks are counted per file, apart).
import { readFileSync } from 'node:fs';

const lines = readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const key = (l) => `${l.file}\u0000${l.test}`;
const tests = { process: new Set(), 'in-process': new Set() };
const hooks = new Set();
const perFile = new Map();
for (const l of lines) {
  if (l.test === null) {
    if (l.kind === 'process') hooks.add(l.file);
    continue;
  }
  tests[l.kind].add(key(l));
  if (l.kind === 'process') perFile.set(l.file, (perFile.get(l.file) ?? 0) + 1);
}
const both = [...tests.process].filter((k) => tests['in-process'].has(k)).length;
console.log(`processes started: ${lines.filter((l) => l.kind === 'process').length}, in-process runs: ${lines.filter((l) => l.kind === 'in-process').length}`);
console.log(`tests starting a process: ${tests.process.size}; tests running whk in-process: ${tests['in-process'].size} (${both} do both)`);
console.log(`files whose hooks start a process: ${hooks.size}`);
for (const [file, n] of [...perFile].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${String(n).padStart(5)} ${file.replace(/.*\/test\//, 'test/')}`);
