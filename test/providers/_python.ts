/**
 * The independent signers of test/providers/python/ (one per provider, written from its docs,
 * sharing _common.py): `python3 <name>.py [mode]` with one JSON case on stdin, its JSON answer.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('./python/', import.meta.url));

/** Whether python3 is on PATH (the signers' tests are skipped otherwise, where they say so). */
export const HAS_PYTHON = spawnSync('python3', ['--version']).status === 0;

/** Runs test/providers/python/<name>.py (with `mode` when the signer has several); a failure throws with its stderr. */
export function python<T = Record<string, string>>(name: string, input: unknown, mode?: string): T {
  const out = execFileSync('python3', [`${DIR}${name}.py`, ...(mode ? [mode] : [])], { input: JSON.stringify(input), encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  return JSON.parse(out) as T;
}
