/**
 * The README's examples are the ones we run: every ```sh block preceded by `<!-- test -->` runs
 * in bash (-e, pipefail) in a scratch directory with the built `whk` first on PATH, and must exit 0.
 * Comment lines right below a command are its expected output: each `...`-separated fragment must
 * appear in what the block printed. The GitHub Actions job (```yaml after `<!-- ci -->`) runs
 * too: its `run:` steps after `npm ci`, in order, in one shell, with `npx whk` being the built whk.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
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

/** The `run:` scripts of a GitHub Actions job, in order (single-line and `|` block forms). */
export function workflowSteps(yaml: string): string[] {
  const steps: string[] = [];
  const lines = yaml.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)(?:- )?run: ?(.*)$/.exec(lines[i]!);
    if (!m) continue;
    if (m[2] !== '|') {
      steps.push(m[2]!);
      continue;
    }
    const body: string[] = [];
    const indent = m[1]!.length;
    while (i + 1 < lines.length && (lines[i + 1]!.trim() === '' || lines[i + 1]!.search(/\S/) > indent)) body.push(lines[++i]!);
    const strip = Math.min(...body.filter((l) => l.trim()).map((l) => l.search(/\S/)));
    steps.push(body.map((l) => l.slice(strip)).join('\n'));
  }
  return steps;
}

const REPO = fileURLToPath(new URL('../../', import.meta.url));
// Background jobs a block starts are stopped when it ends.
const PRELUDE = "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n";

/** Runs a block in bash, in a scratch directory of its own; at most 60 s (the test's own limit too). */
function runBlock(script: string, extraEnv: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'whk-readme-'));
  symlinkSync(join(REPO, 'examples'), join(cwd, 'examples'));
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-eo', 'pipefail', '-c', PRELUDE + script], {
      cwd,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1', WHK_SECRET: undefined, WHK_REPO: REPO, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const bin = mkdtempSync(join(tmpdir(), 'whk-readme-bin-'));
writeFileSync(join(bin, 'whk'), `#!/bin/sh\nexec "${process.execPath}" "${WHK}" "$@"\n`);
chmodSync(join(bin, 'whk'), 0o755);

/** A block that waits a fixed time (`sleep 1`, not `until ...; do sleep 0.1; done`) counts on the machine keeping up. */
const waitsFixedTime = (script: string) => /^\s*sleep \d/m.test(script);

async function runsAndPrints(script: string) {
  const r = await runBlock(script);
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
}

// Blocks run a few at a time, each in its own directory. One that waits a fixed time runs alone,
// and is tried again when it fails: the README's `sleep 1` before a signal is a guess that a busy
// machine can miss (the request not yet sent), which says nothing about whk.
describe('README examples', { timeout: 60_000 }, () => {
  const blocks = testedBlocks(README);
  it('has examples to run', () => expect(blocks.length).toBeGreaterThanOrEqual(3));

  for (const { line, script } of blocks) {
    const name = `block at README.md:${line} runs and prints what it says`;
    if (waitsFixedTime(script)) it(name, { retry: 2 }, () => runsAndPrints(script));
    else it.concurrent(name, () => runsAndPrints(script));
  }

  it.concurrent('the GitHub Actions job runs: app started, probe passes, the smoke pair passes', async () => {
    const yaml = /<!-- ci -->\n```yaml\n([\s\S]*?)\n```/.exec(README)?.[1];
    expect(yaml).toBeDefined();
    const steps = workflowSteps(yaml!);
    expect(steps[0]).toBe('npm ci');
    // Port 3000 may be taken on a CI machine: the same steps on a port of the test's choosing.
    const port = String(20000 + (process.pid % 20000));
    // npm ci of a project with whk among its devDependencies: npx whk and node_modules/.bin/whk are the built whk.
    const script = ['npx() { "$@"; }', 'mkdir -p node_modules/.bin && ln -s "$(command -v whk)" node_modules/.bin/whk', ...steps.slice(1)].join('\n').replaceAll('3000', port);
    const r = await runBlock(script, { DFNS_WEBHOOK_SECRET: 'ci-secret', WHK_SECRET: 'ci-secret' });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/15 checks: 15 pass, 0 fail, 0 warn/);
    expect(r.stdout).toMatch(/✓ 200 is within --expect 2xx/);
  });
});
