/**
 * Defect: Node's process warnings (MaxListenersExceededWarning, ExperimentalWarning, ...) reached
 * the user's terminal. Now the launcher keeps them for --debug and WHK_DEBUG=1. The warning here
 * is a real one, emitted in the whk process by a module Node loads first (NODE_OPTIONS --require).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWhk } from '../helpers/cli.js';

const preload = join(mkdtempSync(join(tmpdir(), 'whk-warn-')), 'warn.cjs');
writeFileSync(preload, "process.emitWarning('a synthetic runtime warning', 'ExperimentalWarning');\n");
const env = (extra: Record<string, string> = {}) => ({ env: { NODE_OPTIONS: `--require ${preload}`, ...extra } });
const args = ['sign', '--scheme', 'github', '--secret', 'k', '--body', 'x'];

describe("Node's runtime warnings", () => {
  it('never reach the user', async () => {
    const r = await runWhk(args, env());
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^X-Hub-Signature-256: /);
  });

  it.each([['--debug', {}], ['WHK_DEBUG=1', { WHK_DEBUG: '1' }]] as const)('are shown with %s', async (how, extra) => {
    const r = await runWhk(how === '--debug' ? ['--debug', ...args] : args, env(extra));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^whk: \(debug\) ExperimentalWarning: a synthetic runtime warning/);
  });
});
