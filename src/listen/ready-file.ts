import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { WhkError } from '../errors.js';

/**
 * `--ready-file`: the URL, written atomically (a temporary file then a rename, so a script
 * polling for it never reads half a URL). The temporary name is unpredictable and created
 * exclusively: a symlink planted at a guessable name cannot redirect the write.
 */
export function writeReadyFile(path: string, url: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  try {
    const fd = openSync(tmp, 'wx', 0o644);
    try {
      writeSync(fd, `${url}\n`);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // never created
    }
    throw new WhkError('unwritable_file', `cannot write --ready-file ${path}: ${(e as Error).message}`, 2);
  }
}

/** A stale ready file would tell the next script that a listener is up: removed (if still ours). Synchronous: it runs in process 'exit' handlers. */
export function removeReadyFile(path: string, url: string): void {
  try {
    if (readFileSync(path, 'utf8').trim() === url) unlinkSync(path);
  } catch {
    // already gone
  }
}
