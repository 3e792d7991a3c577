/**
 * Defect: a script that starts `whk listen` in the background had no reliable way to stop it: `$!`
 * is the pid of whatever started it (npm for `npx whk`, a wrapper), and the ready record did not say
 * which process listens. It now names the listener's own (`pid`): `kill <pid>` stops it gracefully,
 * exit 143.
 * Here the listener starts the way an installed package runs it (node_modules/.bin/whk, a link to
 * the launcher, found through the shebang) in the background of a shell; the test reads the ready
 * record from the shell's output and kills that pid.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { WHK } from '../helpers/cli.js';
import { tmp } from './_listen.js';

describe('the ready record names the listener\'s process', () => {
  it('kill <pid> from the ready record stops a listener started in the background through node_modules/.bin/whk: exit 143 (was: no pid)', async () => {
    const dir = tmp('pid');
    mkdirSync(join(dir, 'node_modules/.bin'), { recursive: true });
    symlinkSync(WHK, join(dir, 'node_modules/.bin/whk'));
    const script = 'node_modules/.bin/whk listen --port 0 --json --no-history 2> /dev/null & wait $!; echo "listener exit $?"';
    const sh = spawn('bash', ['-c', script], {
      cwd: dir,
      env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}`, NO_COLOR: '1', WHK_SECRET: undefined },
      stdio: ['ignore', 'pipe', 'inherit'],
      // Its own process group: should the test fail, the shell and the listener are stopped together.
      detached: true,
    });
    const closed = new Promise((resolve) => sh.once('close', resolve));
    try {
      const lines = createInterface({ input: sh.stdout })[Symbol.asyncIterator]();
      const ready = JSON.parse((await lines.next()).value as string) as { type: string; url: string; pid: number };
      expect(ready.type).toBe('ready');
      expect(ready.pid).toEqual(expect.any(Number));
      // The shell that started it is another process: the record names the listener itself.
      expect(ready.pid).not.toBe(sh.pid);
      process.kill(ready.pid, 'SIGTERM');
      expect((await lines.next()).value).toBe('listener exit 143');
      await closed;
    } finally {
      if (sh.exitCode === null) process.kill(-sh.pid!, 'SIGKILL');
    }
  });
});
