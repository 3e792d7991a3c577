/**
 * The offline commands (sign, verify, schemes, history) print and exit: a write to stdout that
 * fails (a full disk) must not end in exit 0, while a reader that stops reading (| head) is the
 * reader's choice and not a failure. Real pipes and /dev/full, through bash.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shell } from './_listen.js';

describe.skipIf(!existsSync('/dev/full'))('offline commands and their stdout', () => {
  it('whk sign > /dev/full: exit 1, and stderr says why', async () => {
    const r = await shell('$WHK sign --scheme dfns --secret s3cret --body x > /dev/full').done;
    expect(r).toMatchObject({ code: 1, stderr: 'whk: cannot write to stdout (ENOSPC)\n' });
  });

  it('whk schemes > /dev/full: exit 1', async () => {
    expect((await shell('$WHK schemes > /dev/full').done).code).toBe(1);
  });

  it('whk schemes | head -n 1: the reader stopped, whk exits 0', async () => {
    const r = await shell('$WHK schemes | head -n 1; exit ${PIPESTATUS[0]}').done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^dfns /);
  });

  it('an invalid verdict keeps its exit 1 with stdout full', async () => {
    expect((await shell('$WHK verify --scheme dfns --secret s3cret --body x > /dev/full').done).code).toBe(1);
  });
});
