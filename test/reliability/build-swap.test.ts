/**
 * Defect: a rebuild (`npm run build`, `npm pack`) deleted dist/bin before writing it again, so a
 * whk running from the checkout meanwhile (a test run, a listener started by hand) failed with
 * "Cannot find module". Now the build writes to a folder of its own and moves each file over the
 * old one: `whk --version` run over and over during a rebuild never fails.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runWhk } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('npm run build while whk runs from the checkout', () => {
  it('whk --version keeps answering through the whole rebuild; no temporary folder is left', async () => {
    const build = spawn('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    build.stdout.on('data', (d) => (output += d));
    build.stderr.on('data', (d) => (output += d));
    let building = true;
    const built = new Promise<number | null>((resolve) => build.on('close', (code) => ((building = false), resolve(code))));
    const failures: string[] = [];
    let runs = 0;
    while (building) {
      const r = await runWhk(['--version']);
      runs++;
      if (r.code !== 0 || !/^\d+\.\d+\.\d+\n$/.test(r.stdout)) failures.push(`exit ${r.code}: ${r.stderr.split('\n')[0]}`);
    }
    expect(await built, output).toBe(0);
    expect(runs).toBeGreaterThan(0);
    expect(failures).toEqual([]);
    expect(readdirSync(ROOT).filter((f) => f.startsWith('dist.tmp-'))).toEqual([]);
    expect(existsSync(`${ROOT}/dist/bin/cli.js`)).toBe(true);
    expect((await runWhk(['--version'])).code).toBe(0);
  }, 240_000);
});
