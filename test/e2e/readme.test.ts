/**
 * The README's examples are the ones we run: every ```sh block preceded by `<!-- test -->` runs
 * in bash (-e, pipefail) in a scratch directory with the built `whk` first on PATH, and must exit 0.
 * Comment lines right below a command are its expected output: each `...`-separated fragment must
 * appear in what the block printed.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WHK } from '../helpers/cli.js';

const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

export function testedBlocks(markdown: string): Array<{ line: number; script: string }> {
  const out: Array<{ line: number; script: string }> = [];
  const re = /<!-- test -->\n```sh\n([\s\S]*?)\n```/g;
  for (let m; (m = re.exec(markdown)); ) out.push({ line: markdown.slice(0, m.index).split('\n').length, script: m[1]! });
  return out;
}

/** Comment lines directly below a command (or below other such lines) are expected output. */
export function expectedOutput(script: string): string[] {
  const expected: string[] = [];
  let afterCommand = false;
  for (const line of script.split('\n')) {
    if (line.startsWith('#')) {
      if (afterCommand) expected.push(line.replace(/^#\s?/, ''));
    } else {
      afterCommand = line.trim() !== '' && !line.trimEnd().endsWith('\\');
    }
  }
  return expected;
}

const bin = mkdtempSync(join(tmpdir(), 'whk-readme-bin-'));
writeFileSync(join(bin, 'whk'), `#!/bin/sh\nexec "${process.execPath}" "${WHK}" "$@"\n`);
chmodSync(join(bin, 'whk'), 0o755);

describe('README examples', () => {
  const blocks = testedBlocks(README);
  it('has examples to run', () => expect(blocks.length).toBeGreaterThanOrEqual(3));

  it.each(blocks)('block at README.md:$line runs and prints what it says', ({ script }) => {
    const cwd = mkdtempSync(join(tmpdir(), 'whk-readme-'));
    const r = spawnSync('bash', ['-eo', 'pipefail', '-c', script], {
      cwd,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1', WHK_SECRET: undefined },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const printed = `${r.stdout}\n${r.stderr}`;
    expect(r.status, printed).toBe(0);
    for (const want of expectedOutput(script)) {
      let from = 0;
      for (const fragment of want.split('...').map((f) => f.trim()).filter(Boolean)) {
        const at = printed.indexOf(fragment, from);
        expect(at, `README promises "${fragment}" in:\n${printed}`).toBeGreaterThanOrEqual(0);
        from = at + fragment.length;
      }
    }
  });
});
