// npm run bench: every benchmark in turn, each printing ratios against a baseline measured in
// the same run. Not a test: figures, not assertions.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

for (const name of ['startup', 'crypto', 'listen', 'send']) {
  const file = new URL(`./${name}.mjs`, import.meta.url);
  if (!existsSync(file)) continue;
  console.log(`\n== ${name} ==`);
  const r = spawnSync(process.execPath, [file.pathname], { stdio: 'inherit' });
  if (r.status !== 0) process.exitCode = 1;
}
