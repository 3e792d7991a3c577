/**
 * Runs whk in this process: main(argv, deps) with its output captured, as DESIGN asks of tests of
 * logic. The results have the shape of test/helpers/cli.ts's (runWhk, startWhk), so a test reads
 * the same either way; what only a process shows (signals sent by the system, pipes, the exit of
 * the process, a TTY, stdin, the bundle itself) stays with those.
 *
 * Never give stdin to a command run here: pass --body, --body-file <path> or a file argument.
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';
import { main } from '../../src/cli.js';
import type { Result } from './cli.js';

type Env = Record<string, string | undefined>;
type Put = (text: string) => void;

/**
 * What a command writes to the process's own streams rather than to the io it is given (a
 * warning about a secret, from src/io/input.ts) goes to every run in progress here: a test sees
 * what a process would have printed, never less.
 */
const running = new Set<{ stdout: Put; stderr: Put }>();
const own = { stdout: process.stdout.write, stderr: process.stderr.write };
function track(run: { stdout: Put; stderr: Put }): () => void {
  if (running.size === 0) {
    for (const name of ['stdout', 'stderr'] as const) {
      process[name].write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        for (const r of running) r[name](Buffer.from(chunk).toString('utf8'));
        (rest.find((a) => typeof a === 'function') as (() => void) | undefined)?.();
        return true;
      }) as typeof process.stdout.write;
    }
  }
  running.add(run);
  return () => {
    running.delete(run);
    if (running.size === 0) {
      process.stdout.write = own.stdout;
      process.stderr.write = own.stderr;
    }
  };
}

/** What main() writes, as the launcher would: each call one write, ending with a newline. */
function capture() {
  const chunks = { stdout: [] as string[], stderr: [] as string[] };
  const put = (to: string[]) => (text: string) => void to.push(text.endsWith('\n') ? text : `${text}\n`);
  return { chunks, io: { out: put(chunks.stdout), err: put(chunks.stderr) } };
}

/**
 * `whk ...args` to its end, in-process. `env` is set around the run (vi.stubEnv): never give it
 * to runs that overlap (describe.concurrent). `run` stands for main() (the quick path's tests).
 */
export async function whk(args: string[], opts: { env?: Env; run?: typeof main } = {}): Promise<Result> {
  // A process started now would run on a later turn of the event loop: so does this run, after
  // what an in-process listener left for the end of its turn (the history's writes).
  await new Promise((resolve) => setImmediate(resolve));
  const { chunks, io } = capture();
  for (const [k, v] of Object.entries(opts.env ?? {})) vi.stubEnv(k, v);
  const untrack = track({ stdout: (t) => void chunks.stdout.push(t), stderr: (t) => void chunks.stderr.push(t) });
  try {
    // A listener run to its end (--timeout, --expect) gets signals and crashes of its own, not the process's.
    const code = await (opts.run ?? main)(['node', 'whk', ...args], { io, listen: { signals: new EventEmitter(), crashes: new EventEmitter(), debug: false } });
    return { code, signal: null, stdout: chunks.stdout.join(''), stderr: chunks.stderr.join('') };
  } finally {
    untrack();
    if (opts.env) vi.unstubAllEnvs();
  }
}

/** A long-running whk (listen) in-process: its lines as they come; signals and crashes are given to it. */
export interface InProcess {
  stdoutLines: string[];
  stderrLines: string[];
  /** Resolves with the first line (stdout or stderr) matching `re`, waiting for it to arrive. */
  waitFor(re: RegExp, stream?: 'stdout' | 'stderr', timeoutMs?: number): Promise<string>;
  /** What the session would get from the system: SIGINT (Ctrl-C), SIGTERM, SIGHUP. */
  signal(name: 'SIGINT' | 'SIGTERM' | 'SIGHUP'): void;
  /** Resolves when main() returns. */
  exited: Promise<Result>;
}

/** `whk listen ...args` in-process. `env` is the history's environment (WHK_HOME, WHK_HISTORY_*). */
export function startInProcess(args: string[], opts: { env?: Env } = {}): InProcess {
  const lines = { stdout: [] as string[], stderr: [] as string[] };
  const waiters: Array<{ re: RegExp; stream?: 'stdout' | 'stderr'; resolve: (l: string) => void }> = [];
  const put = (stream: 'stdout' | 'stderr') => (text: string) => {
    for (const line of text.replace(/\n$/, '').split('\n')) {
      lines[stream].push(line);
      for (const w of [...waiters]) {
        if ((!w.stream || w.stream === stream) && w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  };
  const signals = new EventEmitter();
  const crashes = new EventEmitter();
  const env = opts.env && { ...process.env, ...opts.env };
  const untrack = track({ stdout: put('stdout'), stderr: put('stderr') });
  const run = async (): Promise<Result> => {
    const code = await main(['node', 'whk', ...args], { io: { out: put('stdout'), err: put('stderr') }, listen: { signals, crashes, env, debug: false } });
    untrack();
    return { code, signal: null, stdout: lines.stdout.join('\n'), stderr: lines.stderr.join('\n') };
  };
  const exited = run();
  const said = () => `whk ${args.join(' ')} (in-process)\nstdout:\n${lines.stdout.join('\n')}\nstderr:\n${lines.stderr.join('\n')}`;
  return {
    stdoutLines: lines.stdout,
    stderrLines: lines.stderr,
    exited,
    signal: (name) => void signals.emit(name),
    waitFor(re, stream, timeoutMs = 10_000) {
      const seen = [...(stream !== 'stderr' ? lines.stdout : []), ...(stream !== 'stdout' ? lines.stderr : [])].find((l) => re.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re} in ${said()}`)), timeoutMs);
        waiters.push({ re, stream, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`exited before ${re}: ${said()}`));
        });
      });
    },
  };
}

/** `whk listen --port 0 --json ...args` in-process, once it is ready: the session and its URL. */
export async function listenInProcess(args: string[], opts: { env?: Env } = {}): Promise<{ l: InProcess; url: string }> {
  const l = startInProcess(['listen', '--port', '0', '--json', ...args], opts);
  const ready = JSON.parse(await l.waitFor(/^\{"type":"ready"/, 'stdout')) as { url: string };
  return { l, url: ready.url };
}

/** Ctrl-C, then the session's result. */
export async function stop(l: InProcess): Promise<Result> {
  l.signal('SIGINT');
  return l.exited;
}
