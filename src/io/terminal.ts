import { fstatSync, statSync } from 'node:fs';

/**
 * Whether file descriptor `fd` (1 stdout, 2 stderr) is a terminal, answered without making
 * process.stdout or process.stderr where the answer is plain: a pipe, a file, a socket or
 * /dev/null is no terminal (one fstat, no stream). Node makes a stream when first asked for it,
 * which costs start-up (a piped stderr: 0.05x of `node -e ''`, wall clock). Another character
 * device is asked of the stream.
 */
export function isTerminal(fd: 1 | 2): boolean {
  try {
    const st = fstatSync(fd);
    if (!st.isCharacterDevice() || st.rdev === devNull()) return false;
  } catch {
    return false;
  }
  return Boolean((fd === 1 ? process.stdout : process.stderr).isTTY);
}

/** /dev/null's device number (-1 where there is none). */
function devNull(): number {
  try {
    return statSync('/dev/null').rdev;
  } catch {
    return -1;
  }
}
