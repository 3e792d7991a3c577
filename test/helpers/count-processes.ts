/**
 * Which tests start a process and which run whk in-process: a measurement, not a test. With
 * WHK_COUNT_PROCESSES=<file> set, vitest.config.ts loads this file in every test file; each
 * child process started (spawn, exec*, fork, with their sync forms) and each in-process run of
 * the program (commander's parseAsync, which main() calls) is appended to <file> as one JSON line
 * {file, test, kind, what} (test is null in a hook). Then:
 *   node scripts/count-processes.mjs <file>
 */
import { appendFileSync } from 'node:fs';
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import { Command } from 'commander';
import { expect } from 'vitest';

const out = process.env.WHK_COUNT_PROCESSES!;

function note(kind: 'process' | 'in-process', what: string) {
  const state = expect.getState();
  appendFileSync(out, `${JSON.stringify({ file: state.testPath ?? null, test: state.currentTestName ?? null, kind, what })}\n`);
}

const cp = childProcess as unknown as Record<string, (...args: unknown[]) => unknown>;
for (const name of ['spawn', 'spawnSync', 'execFile', 'execFileSync', 'exec', 'execSync', 'fork']) {
  const original = cp[name]!;
  cp[name] = function (this: unknown, ...args: unknown[]) {
    note('process', [args[0], ...(Array.isArray(args[1]) ? args[1].slice(0, 2) : [])].map(String).join(' '));
    return original.apply(this, args);
  };
}
syncBuiltinESMExports();

const parse = Command.prototype.parseAsync;
Command.prototype.parseAsync = function (this: Command, ...args: Parameters<Command['parseAsync']>) {
  // Only the program (whk), not its subcommands.
  if (this.parent === null && this.name() === 'whk') note('in-process', (args[0] ?? []).slice(2, 3).join(' '));
  return parse.apply(this, args);
};
