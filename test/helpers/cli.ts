/**
 * Runs the built CLI (bin/whk.js -> dist/) as a user would: a child process, no TTY.
 * `npm test` builds first.
 */
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll } from 'vitest';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export const WHK = fileURLToPath(new URL('../../bin/whk.js', import.meta.url));

// Every whk started here is stopped when its test file ends, or its worker exits: a test that
// failed or timed out (its whk still listening) leaves no process behind.
const children = new Set<ChildProcess>();
const track = <C extends ChildProcess>(child: C): C => {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
};
const reap = () => {
  for (const c of children) c.kill('SIGKILL');
};
afterAll(reap);
process.once('exit', reap);

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `whk ...args` to completion. `input` is piped to stdin (stdin is closed otherwise). */
export function runWhk(args: string[], opts: { input?: string | Buffer; env?: Record<string, string | undefined>; cwd?: string } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = track(spawn(process.execPath, [WHK, ...args], {
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, WHK_SECRET: undefined, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    }));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** A long-running whk (listen): read its lines as they come, then stop it. */
export interface Running {
  child: ChildProcessWithoutNullStreams;
  stdoutLines: string[];
  stderrLines: string[];
  /** Resolves with the first line (stdout or stderr) matching `re`, waiting for it to arrive. */
  waitFor(re: RegExp, stream?: 'stdout' | 'stderr', timeoutMs?: number): Promise<string>;
  /** Resolves when the process exits. */
  exited: Promise<Result>;
}

export function startWhk(args: string[], opts: { env?: Record<string, string | undefined> } = {}): Running {
  const child = track(spawn(process.execPath, [WHK, ...args], {
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, WHK_SECRET: undefined, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  }));
  const lines = { stdout: [] as string[], stderr: [] as string[] };
  const waiters: Array<{ re: RegExp; stream?: 'stdout' | 'stderr'; resolve: (l: string) => void }> = [];
  const onLine = (stream: 'stdout' | 'stderr') => (line: string) => {
    lines[stream].push(line);
    for (const w of [...waiters]) {
      if ((!w.stream || w.stream === stream) && w.re.test(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  createInterface({ input: child.stdout }).on('line', onLine('stdout'));
  createInterface({ input: child.stderr }).on('line', onLine('stderr'));
  const exited = new Promise<Result>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout: lines.stdout.join('\n'), stderr: lines.stderr.join('\n') })),
  );
  return {
    child,
    stdoutLines: lines.stdout,
    stderrLines: lines.stderr,
    exited,
    waitFor(re, stream, timeoutMs = 10_000) {
      const seen = [...(stream !== 'stderr' ? lines.stdout : []), ...(stream !== 'stdout' ? lines.stderr : [])].find((l) => re.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re} in whk ${args.join(' ')}\nstdout:\n${lines.stdout.join('\n')}\nstderr:\n${lines.stderr.join('\n')}`)), timeoutMs);
        waiters.push({ re, stream, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`whk ${args.join(' ')} exited before ${re}\nstdout:\n${lines.stdout.join('\n')}\nstderr:\n${lines.stderr.join('\n')}`));
        });
      });
    },
  };
}
