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

describe('the launcher\'s last resort', () => {
  it('an error nothing handled is one line and exit 1, the stack only with --debug', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { runWhk: run } = await import('../helpers/cli.js');
    const dir = mkdtempSync(join(tmpdir(), 'whk-crash-'));
    const preload = join(dir, 'crash.cjs');
    // A stray rejection a moment after start: what a bug of ours in a command would look like.
    writeFileSync(preload, "setTimeout(() => Promise.reject(new Error('a bug of ours')), 5);\n");
    const r = await run(['listen', '--port', '0', '--timeout', '2s', '--no-history'], { env: { NODE_OPTIONS: `--require ${preload}` } });
    expect(r.stderr).toMatch(/^whk: internal error: a bug of ours \(run with --debug for the stack\)$/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(1);
    const d = await run(['listen', '--port', '0', '--timeout', '2s', '--no-history', '--debug'], { env: { NODE_OPTIONS: `--require ${preload}` } });
    expect(d.stderr).toMatch(/^whk: internal error: a bug of ours\nError: a bug of ours\n\s+at /m);
    expect(d.code).toBe(1);
    // Outside listen, the launcher's own: one line, exit 1.
    const slow = join(dir, 'slow.cjs');
    writeFileSync(slow, "setImmediate(() => Promise.reject(new Error('a bug elsewhere')));\n");
    const v = await run(['send', 'http://127.0.0.1:9/', '--scheme', 'github', '--secret', 's', '--timeout', '2s'], { env: { NODE_OPTIONS: `--require ${slow}` } });
    expect(v.stderr).toMatch(/^whk: internal error: a bug elsewhere \(run with --debug for the stack\)$/m);
    expect(v.code).toBe(1);
  });
});
