/**
 * Trust at the edges, `whk listen`: the exit code follows what happened (valid events counted,
 * writes that failed, the signal that stopped it), no line is lost at exit, and the ready file
 * never outlives the listener. Real pipes, real signals, the built CLI.
 */
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeReadyFile, writeReadyFile } from '../../src/listen/ready-file.js';
import { WHK } from '../helpers/cli.js';
import { github, post, SECRET, shell, tmp, waitForFile } from './_listen.js';

describe('--expect: the exit code follows the count', () => {
  it('stdout on a full disk: the failed write is said in one line and the run fails (was: exit 0)', async () => {
    const { done } = shell(`$WHK listen --port 0 --secret ${SECRET} --expect 3 --timeout 5s > /dev/full`);
    const r = await done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^whk: cannot write to stdout \(ENOSPC\)/m);
    expect(r.stderr).toMatch(/received 0 of 3 expected events/);
  });

  it('| head -n 1: one line read, then the pipe closes: fewer valid events than expected is exit 1 (was: exit 0)', async () => {
    const dir = tmp('head');
    const ready = join(dir, 'url');
    const { done } = shell(`$WHK listen --port 0 --json --scheme github --secret ${SECRET} --expect 5 --ready-file ${ready} | head -n 1; echo "whk=\${PIPESTATUS[0]}" >&2`);
    const url = await waitForFile(ready);
    // The first event's line is the one head does not read; whk learns the pipe is closed when writing it.
    for (let i = 0; i < 3; i++) if (!(await post(url, github()).catch(() => undefined))) break;
    const r = await done;
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/whk: cannot write to stdout \(EPIPE\)/);
    expect(r.stderr).toMatch(/whk=1$/m);
  });

  it('a timeout with fewer events than expected is exit 1, with the count', async () => {
    const { done } = shell(`$WHK listen --port 0 --json --secret ${SECRET} --expect 2 --timeout 300ms > /dev/null`);
    const r = await done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/timed out after 300ms: received 0 of 2 expected events/);
  });
});

describe('no line is lost', () => {
  it('3,000 events to a slow reader: every NDJSON line arrives, then whk exits 0 (was: ~560 lines)', async () => {
    const dir = tmp('slow');
    const ready = join(dir, 'url');
    const out = join(dir, 'lines');
    // The reader takes 16 KB at a time and sleeps between reads: far slower than the events come.
    const reader = `import sys, time\nn = 0\nwhile True:\n    b = sys.stdin.buffer.read1(16384)\n    if not b: break\n    n += b.count(b"\\n")\n    time.sleep(0.01)\nopen(sys.argv[1], "w").write(str(n))`;
    writeFileSync(join(dir, 'reader.py'), reader);
    const { done } = shell(`$WHK listen --port 0 --json --scheme github --secret ${SECRET} --expect 3000 --ready-file ${ready} | python3 ${join(dir, 'reader.py')} ${out}; echo "whk=\${PIPESTATUS[0]}" >&2`);
    const url = await waitForFile(ready);
    const queue = Array.from({ length: 3000 }, (_, i) => github(`{"action":"opened","i":${i}}`));
    await Promise.all(Array.from({ length: 10 }, async () => {
      for (let d = queue.shift(); d; d = queue.shift()) expect((await post(url, d)).status).toBe(200);
    }));
    const r = await done;
    expect(r.stderr).toMatch(/whk=0$/m);
    expect(r.stderr).toMatch(/received 3000 of 3000 expected events/);
    // the ready line and 3,000 event lines
    expect(readFileSync(out, 'utf8')).toBe('3001');
  });
});

describe('signals and the ready file', () => {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    it(`${signal}: summary, ready file removed, exit ${code}`, async () => {
      const dir = tmp('sig');
      const ready = join(dir, 'url');
      const child = spawn(process.execPath, [WHK, 'listen', '--port', '0', '--json', '--scheme', 'github', '--secret', SECRET, '--ready-file', ready], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.stdout.on('data', (d) => (stdout += d));
      const exited = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
      const url = await waitForFile(ready);
      expect((await post(url, github())).status).toBe(200);
      child.kill(signal);
      expect(await exited).toBe(code);
      expect(existsSync(ready)).toBe(false);
      expect(stderr).toMatch(/whk: 1 event: 1 valid/);
      expect(stdout).toMatch(/"type":"event"/);
    });
  }

  it('a crash removes the ready file too', async () => {
    const dir = tmp('crash');
    const ready = join(dir, 'url');
    // Simulates a bug of whk's: an exception nobody catches, once the listener is up.
    const crash = join(dir, 'crash.cjs');
    writeFileSync(crash, `const fs = require('fs'); const t = setInterval(() => { if (fs.existsSync(${JSON.stringify(ready)})) { clearInterval(t); throw new Error('simulated crash'); } }, 20);`);
    const child = spawn(process.execPath, ['--require', crash, WHK, 'listen', '--port', '0', '--json', '--secret', SECRET, '--ready-file', ready], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(stderr).toMatch(/simulated crash/);
    expect(code).not.toBe(0);
    expect(existsSync(ready)).toBe(false);
  });

  it('a broken stderr pipe never crashes the listener (was: Unhandled error event)', async () => {
    const dir = tmp('stderr');
    const ready = join(dir, 'url');
    const child = spawn(process.execPath, [WHK, 'listen', '--port', '0', '--json', '--scheme', 'github', '--secret', SECRET, '--ready-file', ready], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr.destroy(); // nobody reads stderr: every write to it fails with EPIPE
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    const url = await waitForFile(ready);
    for (let i = 0; i < 3; i++) expect((await post(url, github())).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(stdout.trim().split('\n').filter((l) => l.includes('"type":"event"'))).toHaveLength(3);
  });

  it('the ready file goes through an unpredictable temporary name: a planted symlink is never followed', () => {
    const dir = tmp('ready');
    const path = join(dir, 'url');
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious');
    // The old temporary name, <file>.<pid>.tmp, planted as a link to the victim.
    symlinkSync(victim, `${path}.${process.pid}.tmp`);
    writeReadyFile(path, 'http://127.0.0.1:1/');
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(path).isSymbolicLink()).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('http://127.0.0.1:1/\n');
    removeReadyFile(path, 'http://127.0.0.1:1/');
    expect(existsSync(path)).toBe(false);
  });
});
