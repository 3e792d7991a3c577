import { kMaxLength } from 'node:buffer';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { usage } from '../errors.js';
import { secretProblem } from '../schemes/secrets.js';
import { isTerminal } from './terminal.js';
import type { Scheme, Secret } from '../schemes/types.js';

// Reading inputs. Every read goes to the end of its input or fails with one line naming it; a
// directory is refused. A regular file is read into one buffer of its size (a 500 MB body is held
// once). Stdin is read through process.stdin when it is a pipe or a socket: Node makes fd 0
// non-blocking as soon as process.stdin exists, and a synchronous read then fails with EAGAIN
// on a pipe whose writer is slow. Nothing here touches process.stdin before it is read (isatty(0),
// not process.stdin.isTTY).

/**
 * The most an input may hold, and how to raise it ("pass --max-body 1gb ..."): past it a read
 * stops with one line, before memory grows (`whk sign < /dev/zero`).
 */
export interface ReadLimit {
  bytes: number;
  fix: string;
}

/** The largest body sign, verify and send read (--max-body raises it). */
export const MAX_BODY = 256 * 1024 ** 2;

/** `256 MB`, `1 MB`, `512 KB`: a limit, for messages. */
export const sizeText = (bytes: number) => (bytes >= 1024 ** 2 ? `${+(bytes / 1024 ** 2).toFixed(1)} MB` : `${+(bytes / 1024).toFixed(1)} KB`);

const overLimit = (limit: ReadLimit) => Object.assign(new Error('over the limit'), { code: 'EWHKLIMIT', why: `it is over ${sizeText(limit.bytes)}: ${limit.fix}` });

/** One line for a failed read of `what` (a flag and its path, or stdin). */
function readError(e: unknown, what: string) {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'EWHKLIMIT' ? (e as { why: string }).why
    : code === 'ENOENT' ? 'no such file: check the path'
    : code === 'EFBIG' ? `it is over ${kMaxLength / 2 ** 30} GiB, more than Node holds in one buffer: give a smaller body`
    : code === 'EISDIR' ? 'it is a directory: give the path of a file'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied: check its permissions'
    : code === 'EAGAIN' ? 'it is non-blocking and had no data yet: give the input as a file path instead'
    : `${(e as Error).message.replace(/^\w+: /, '').replace(/, \w+( '.*')?$/, '')}${code ? ` (${code})` : ''}: give a readable file`;
  return usage('unreadable_input', `cannot read ${what}: ${why}`);
}

/**
 * Reads an open file descriptor to its end: a regular file of `size` bytes into one buffer of
 * that size (read on if it grew, or reports size 0 as /proc files do), anything else chunk by
 * chunk; never more than `limit`.
 */
function readFdSync(fd: number, size: number, limit?: ReadLimit): Buffer {
  if (limit && size > limit.bytes) throw overLimit(limit);
  if (size > kMaxLength) throw tooLarge();
  const buf = Buffer.allocUnsafeSlow(size);
  let n = 0;
  while (n < size) {
    const r = readSync(fd, buf, n, size - n, null);
    if (r === 0) return buf.subarray(0, n);
    n += r;
  }
  const more: Buffer[] = [];
  for (;;) {
    const chunk = Buffer.allocUnsafe(64 * 1024);
    const r = readSync(fd, chunk, 0, chunk.length, null);
    if (r === 0) break;
    n += r;
    if (limit && n > limit.bytes) throw overLimit(limit);
    more.push(chunk.subarray(0, r));
  }
  return more.length === 0 ? buf : Buffer.concat([buf, ...more]);
}

const tooLarge = () => Object.assign(new Error('too large'), { code: 'EFBIG' });

/** What stdin is; a directory (`< /tmp`) or a failed fstat is a usage error naming `what`. */
function stdinKind(what: string): { file: boolean; size: number } {
  let st;
  try {
    st = fstatSync(0);
  } catch (e) {
    throw readError(e, what);
  }
  if (st.isDirectory()) throw usage('unreadable_input', `cannot read ${what}: it is a directory: redirect a file (< body.json)`);
  return { file: st.isFile(), size: st.size };
}

/**
 * Reads a file for a flag, synchronously ("-" for stdin, which then must be a file or a blocking
 * pipe: whk never makes it non-blocking before this). A usage error naming the flag and the path
 * otherwise. Prefer readInput where the caller can wait.
 */
export function readFileFor(path: string, flag: string, limit?: ReadLimit): Buffer {
  const what = path === '-' ? `${flag} - (stdin)` : `${flag} ${path}`;
  if (path === '-') {
    const { size } = stdinKind(what);
    try {
      return readFdSync(0, size, limit);
    } catch (e) {
      throw readError(e, what);
    }
  }
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    return readFdSync(fd, st.isFile() ? st.size : 0, limit);
  } catch (e) {
    throw readError(e, what);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Reads stdin to its end. A regular file (`< body.json`) is read into one buffer of its size; a
 * pipe, socket or terminal through process.stdin, chunk by chunk, into one growable buffer (a
 * resizable ArrayBuffer: address space is reserved, memory is used only as it fills), so a piped
 * body is held once rather than as chunks plus their concatenation.
 */
export async function readStdin(what = 'stdin', limit?: ReadLimit): Promise<Buffer> {
  const { file, size } = stdinKind(what);
  try {
    if (file) return readFdSync(0, size, limit);
    const store = reserve();
    const chunks: Buffer[] = []; // only where address space cannot be reserved (ulimit -v)
    let n = 0;
    for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
      if (limit && n + chunk.length > limit.bytes) throw overLimit(limit);
      if (n + chunk.length > kMaxLength) throw tooLarge();
      if (!store) chunks.push(chunk);
      else {
        if (n + chunk.length > store.byteLength) store.resize(Math.min(kMaxLength, Math.max(n + chunk.length, 2 * store.byteLength)));
        chunk.copy(new Uint8Array(store, n, chunk.length));
      }
      n += chunk.length;
    }
    return store ? Buffer.from(store, 0, n) : Buffer.concat(chunks, n);
  } catch (e) {
    throw readError(e, what);
  }
}

/** ES2024's resizable ArrayBuffer (Node 20 has it; the ES2022 typings do not). */
type ResizableArrayBuffer = ArrayBuffer & { resize(length: number): void };

/** A resizable buffer that can grow to the largest Buffer; undefined when that cannot be reserved. */
function reserve(): ResizableArrayBuffer | undefined {
  try {
    return new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ResizableArrayBuffer)(0, { maxByteLength: kMaxLength });
  } catch {
    return undefined;
  }
}

/** A file for a flag, "-" for stdin (read as a stream: a slow pipe is waited for). */
export async function readInput(path: string, flag: string, limit?: ReadLimit): Promise<Buffer> {
  return path === '-' ? readStdin(`${flag} - (stdin)`, limit) : readFileFor(path, flag, limit);
}

/** Secrets and header lines fit in far less (a 4096-bit PEM key is about 3 KB). */
const SMALL_FILE = (what: string): ReadLimit => ({ bytes: 1024 ** 2, fix: `it should hold ${what} only: check the path` });

/** Where the warnings about secrets go: one line each. */
export type Warn = (line: string) => void;
const toStderr: Warn = (line) => void process.stderr.write(`whk: ${line}\n`);

/**
 * Secrets from --secret (repeatable), --secret-file (one per line, blank lines and # comments
 * skipped; a PEM key or certificate is one secret, whole), or the WHK_SECRET environment
 * variable, in that order of preference. Warned about, once each, never printed: a --secret on
 * a terminal (the process list shows it to every local user), and a secret that starts or ends
 * with whitespace (kept as given: it is part of what signs).
 */
export function readSecrets(opts: { secret?: string[]; secretFile?: string }, required = true, warn: Warn = toStderr): string[] {
  const given = opts.secret ?? [];
  const out = given.map((secret, i) => ({ secret, from: given.length > 1 ? `--secret #${i + 1}` : '--secret' }));
  if (given.length > 0 && isTerminal(2)) warn('a secret given with --secret is visible to every user of this machine (ps): prefer WHK_SECRET or --secret-file');
  if (opts.secretFile) {
    const inFile = secretsOfFile(readFileFor(opts.secretFile, '--secret-file', SMALL_FILE('secrets')).toString('utf8'));
    out.push(...inFile.map((secret, i) => ({ secret, from: `--secret-file ${opts.secretFile}${inFile.length > 1 ? ` (secret #${i + 1})` : ''}` })));
    if (out.length === 0) throw usage('no_secret', `--secret-file ${opts.secretFile} has no secret in it (one per line)`);
  }
  if (out.length === 0 && process.env.WHK_SECRET) out.push({ secret: process.env.WHK_SECRET, from: 'WHK_SECRET' });
  if (out.length === 0 && required) {
    throw usage('no_secret', 'no secret: pass --secret <s>, --secret-file <path>, or set WHK_SECRET');
  }
  // Not an empty secret (refused by checkSecrets), nor a PEM or JSON key (whose whitespace is layout).
  const padded = out.filter((s) => /^\s|\s$/.test(s.secret) && s.secret.trim() !== '' && !/^\s*(\{|-----BEGIN )/.test(s.secret));
  if (padded.length > 0) {
    warn(`the secret from ${padded.map((s) => s.from).join(', ')} starts or ends with whitespace (a space, tab or newline): it is used as given, not trimmed; remove it if it is not part of the secret`);
  }
  return out.map((s) => s.secret);
}

/**
 * Secrets of other environments the user keeps in environment variables (STRIPE_WEBHOOK_SECRET_LIVE,
 * WHK_SECRET_STAGING, ...), for the no-match diagnosis only: a match names the variable, never
 * its value, and never makes a delivery valid. The ones given are left out.
 */
export function environmentSecrets(given: readonly string[], env: NodeJS.ProcessEnv = process.env): Array<{ label: string; secret: string }> {
  const out: Array<{ label: string; secret: string }> = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value || value.length < 8 || value.length > 4096 || given.includes(value) || name === 'WHK_SECRET') continue;
    if (!/^WHK_SECRET_|(?:^|_)(?:WEBHOOK|SIGNING|ENDPOINT|HOOK)_?(?:SECRET|KEY)(?:_|$)/i.test(name)) continue;
    out.push({ label: `$${name}`, secret: value });
    if (out.length === 20) break;
  }
  return out;
}

/** The secrets of a file's text: a JSON key or each PEM block whole, each other line (not blank, not a # comment) one. */
export function secretsOfFile(text: string): string[] {
  // A JSON key (a JWK or a JWKS, as Fireblocks publishes its keys) is one secret, whole.
  if (/^\s*\{[\s\S]*\}\s*$/.test(text)) return [text.trim()];
  const out: string[] = [];
  const pem = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
  let last = 0;
  const lines = (part: string) => {
    for (const line of part.split(/\r?\n/)) if (line.trim() !== '' && !line.startsWith('#')) out.push(line);
  };
  for (const m of text.matchAll(pem)) {
    lines(text.slice(last, m.index));
    out.push(`${m[0].replace(/\r\n/g, '\n')}\n`);
    last = m.index! + m[0].length;
  }
  lines(text.slice(last));
  return out;
}

/**
 * Refuses, with one line, a secret that none of `schemes` can use (for `use`: signing, or
 * verifying); with several schemes (verify --scheme auto), one that can use it is enough.
 */
export function checkSecrets(schemes: Scheme[], secrets: Secret[], use: 'sign' | 'verify'): void {
  for (const secret of secrets) {
    const problems = schemes.map((s) => secretProblem(s, secret, use));
    if (problems.length > 0 && problems.every((p) => p !== undefined)) throw usage('bad_secret', problems[0]!);
  }
}

interface BodyFlags {
  body?: string;
  bodyFile?: string;
  /** The largest body read from a file or stdin (default MAX_BODY). */
  maxBody?: number;
  secretFile?: string;
  headersFile?: string;
}

/** The flag that already read stdin ("-"), if any: stdin can be read once. */
const stdinTakenBy = (opts: BodyFlags) =>
  opts.secretFile === '-' ? '--secret-file -' : opts.headersFile === '-' ? '--headers-file -' : undefined;

/** --max-body's limit, and how to raise it. */
export const bodyLimit = (bytes = MAX_BODY): ReadLimit => ({ bytes, fix: `pass --max-body with a larger size (e.g. --max-body ${bytes >= 1024 ** 3 ? `${Math.ceil(bytes / 1024 ** 3) * 2}gb` : '1gb'}) to read a larger body` });

/** The body: --body text, --body-file bytes ("-" for stdin), or stdin when it is not a terminal; --max-body at most. */
export async function readBody(opts: BodyFlags): Promise<Buffer> {
  if (opts.body !== undefined && opts.bodyFile !== undefined) throw usage('conflicting_flags', 'give either --body or --body-file, not both');
  if (opts.body !== undefined) return Buffer.from(opts.body, 'utf8');
  const limit = bodyLimit(opts.maxBody);
  if (opts.bodyFile !== undefined && opts.bodyFile !== '-') return readFileFor(opts.bodyFile, '--body-file', limit);
  const taken = stdinTakenBy(opts);
  if (taken) throw usage('stdin_taken', `stdin is already read for ${taken}: pass the body with --body <text> or --body-file <path>`);
  if (opts.bodyFile === '-') return readStdin('--body-file - (stdin)', limit);
  if (await stdinIsTerminal()) throw usage('no_body', 'no body: pass --body <text>, --body-file <path>, or pipe it on stdin');
  return readStdin('stdin', limit);
}

/** Whether stdin is a terminal. node:tty is loaded only here: it pulls in node:net, a few ms of `whk sign --body` start-up. */
const stdinIsTerminal = async () => (await import('node:tty')).isatty(0);

/**
 * For `whk send`: a body piped or redirected into stdin (a FIFO or a file) that is not empty;
 * undefined otherwise. A terminal, /dev/null, or the socket a parent process leaves open (Node's
 * spawn, CI runners) is never waited on, so `whk send URL ...` cannot hang on a stdin that never
 * ends.
 */
export async function pipedBody(limit: ReadLimit = bodyLimit()): Promise<Buffer | undefined> {
  if (await stdinIsTerminal()) return undefined;
  let st;
  try {
    st = fstatSync(0);
  } catch {
    return undefined; // no stdin at all (fd 0 closed)
  }
  if (!st.isFIFO() && !st.isFile() && !st.isDirectory()) return undefined;
  const data = await readStdin('stdin', limit);
  return data.length > 0 ? data : undefined;
}

/** "Name: value" lines (what `whk sign` prints) -> headers. Blank lines and # comments skipped. */
export function parseHeaderLines(lines: string[], source: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw usage('bad_header', `${source}: "${line.slice(0, 60)}" is not a "Name: value" header line`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    out[name] = name in out ? `${out[name]}, ${value}` : value;
  }
  return out;
}

export async function readHeaders(opts: { header?: string[]; headersFile?: string; secretFile?: string }): Promise<Record<string, string>> {
  if (opts.headersFile === '-' && opts.secretFile === '-') {
    throw usage('stdin_taken', 'stdin is already read for --secret-file -: give --headers-file a path');
  }
  const fromFile = opts.headersFile ? (await readInput(opts.headersFile, '--headers-file', SMALL_FILE('header lines'))).toString('utf8').split('\n') : [];
  return { ...parseHeaderLines(fromFile, opts.headersFile ?? ''), ...parseHeaderLines(opts.header ?? [], '--header') };
}

/** Where a command writes: one call per line (or block), no trailing newline needed. */
export interface IO {
  out: (text: string) => void;
  err: (text: string) => void;
  /** The streams behind them, for commands that need backpressure or write errors (listen). */
  stdout?: NodeJS.WritableStream & { writableLength?: number; write(chunk: string, cb?: (err?: Error | null) => void): boolean };
  stderr?: NodeJS.WritableStream;
}

/** An http(s) URL given as `what` (a flag or "the receiver URL"); a usage error naming it otherwise. */
export function parseUrl(text: string, what: string): URL {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw usage('bad_url', `${what} "${text}" is not a URL: give e.g. http://127.0.0.1:4000/webhooks`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw usage('bad_url', `${what} "${text}": only http:// and https:// URLs can receive webhooks`);
  return u;
}

/** The receiver URL argument: http(s) only, a usage error showing `usageLine` when missing. */
export function parseTarget(url: string | undefined, usageLine: string): URL {
  if (!url) throw usage('no_url', `missing the receiver URL: ${usageLine} (e.g. http://127.0.0.1:4000/)`);
  return parseUrl(url, 'the receiver URL');
}
