import { closeSync, openSync, writeSync } from 'node:fs';
import { usage } from '../errors.js';

/**
 * `--record <file>`: appends NDJSON lines, one write per event, straight to the file descriptor
 * (no buffering in the process), so a recording is complete up to the last event even if whk is
 * killed.
 */
export class Recorder {
  private fd: number | undefined;
  /** Set when a write failed (disk full, ...), until reported; recording stops then. */
  failure: string | undefined;
  /** Whether any write failed (stays set). */
  failed = false;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'a');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such directory' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
      throw usage('unwritable_file', `cannot write --record ${path}: ${why}`);
    }
  }

  /** Appends one line (ending in \n); false once recording has failed. */
  write(line: string): boolean {
    if (this.fd === undefined) return false;
    try {
      writeSync(this.fd, line);
      return true;
    } catch (e) {
      this.failed = true;
      this.failure = `recording to ${this.path} stopped: ${(e as Error).message}`;
      this.close();
      return false;
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already gone
    }
    this.fd = undefined;
  }
}
