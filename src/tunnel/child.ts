import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { WhkError } from '../errors.js';
import { formatDuration } from '../units.js';
import type { Link } from './supervise.js';

export interface ChildTunnel {
  /** For messages: "ssh", "cloudflared". */
  what: string;
  /** The program's absolute path (found on PATH) and its arguments. */
  command: string;
  args: string[];
  /** The public origin, when this line of the program's output (stdout or stderr) announces it. */
  urlIn(line: string): string | undefined;
  /** Why it ended before announcing a URL, from its last lines of output: one line, exit 3. */
  failure(lines: readonly string[], exit: string): WhkError;
  timeoutMs: number;
  signal: AbortSignal;
}

/** Lines of output kept for messages. */
const KEPT = 30;

/**
 * Runs a tunnel program (ssh, cloudflared) until it prints its public URL. The program's output
 * is read to its end while it runs (it never blocks on a full pipe); it is killed when it says
 * nothing in time, when `signal` aborts, when the link is closed, and when whk exits whatever the
 * way: no orphan is left behind.
 */
export function childLink(o: ChildTunnel): Promise<Link> {
  return new Promise<Link>((resolve, reject) => {
    const child = spawn(o.command, o.args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    const lines: string[] = [];
    let url: string | undefined;
    let exit: ((why: string) => void) | undefined;
    const exited = new Promise<string>((r) => (exit = r));
    const fail = (e: WhkError) => {
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
      void end(child, exited);
      reject(e);
    };
    const onLine = (raw: string) => {
      const line = raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').trimEnd();
      if (line.trim() !== '') lines.push(line);
      if (lines.length > KEPT) lines.shift();
      if (url !== undefined) return;
      url = o.urlIn(line);
      if (url === undefined) return;
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
      resolve({ url, dropped: exited.then((why) => `${o.what} ${why}`), close: () => end(child, exited) });
    };
    for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
    const onAbort = () => fail(new WhkError('tunnel_closed', `${o.what}: stopped before the tunnel was up`, 3));
    o.signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      fail(new WhkError('tunnel_timeout', `${o.what}: no public URL within ${formatDuration(o.timeoutMs)}${lastWords(lines)} — check your network (or raise --tunnel-timeout)`, 3));
    }, o.timeoutMs);
    child.on('error', (e) => {
      exit!('could not be run');
      fail(new WhkError('tunnel_failed', `cannot run ${o.command}: ${e.message}`, 3));
    });
    // Closed with the pipes drained: every line of its output has been read.
    child.on('close', (code, signal) => {
      const why = signal ? `was stopped by ${signal}` : `exited with code ${code}`;
      exit!(why);
      if (url === undefined) fail(o.failure(lines, why));
    });
    killOnExit(child, exited);
  });
}

const lastWords = (lines: readonly string[]) => (lines.length > 0 ? ` (its last words: ${lines[lines.length - 1]!.trim().slice(0, 200)})` : '');

/** Whk exiting any way (a crash included) kills the program: 'exit' handlers run synchronously. */
function killOnExit(child: ChildProcess, exited: Promise<string>): void {
  const kill = () => child.kill('SIGTERM');
  process.once('exit', kill);
  void exited.then(() => process.off('exit', kill));
}

/** Asks the program to stop (SIGTERM, then SIGKILL after 2 s) and waits until it is gone. */
async function end(child: ChildProcess, exited: Promise<string>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stdin?.end();
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((r) => (timer = setTimeout(() => (child.kill('SIGKILL'), r()), 2_000)));
  await Promise.race([exited, late]);
  clearTimeout(timer);
  await exited;
}
