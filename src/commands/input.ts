import { readFileSync } from 'node:fs';
import { usage } from '../schemes/errors.js';

/** Reads a file for a flag; a usage error naming the flag and the path otherwise. */
export function readFileFor(path: string, flag: string): Buffer {
  try {
    return path === '-' ? readFileSync(0) : readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw usage('unreadable_file', `cannot read ${flag} ${path}: ${why}`);
  }
}

/**
 * Secrets from --secret (repeatable), --secret-file (one per line, blank lines and # comments
 * skipped), or the WHK_SECRET environment variable, in that order of preference.
 */
export function readSecrets(opts: { secret?: string[]; secretFile?: string }, required = true): string[] {
  const out = [...(opts.secret ?? [])];
  if (opts.secretFile) {
    for (const line of readFileFor(opts.secretFile, '--secret-file').toString('utf8').split(/\r?\n/)) {
      if (line !== '' && !line.startsWith('#')) out.push(line);
    }
    if (out.length === 0) throw usage('no_secret', `--secret-file ${opts.secretFile} has no secret in it (one per line)`);
  }
  if (out.length === 0 && process.env.WHK_SECRET) out.push(process.env.WHK_SECRET);
  if (out.length === 0 && required) {
    throw usage('no_secret', 'no secret: pass --secret <s>, --secret-file <path>, or set WHK_SECRET');
  }
  return out;
}

/** The body: --body text, --body-file bytes ("-" for stdin), or stdin when it is not a terminal. */
export function readBody(opts: { body?: string; bodyFile?: string }): Buffer {
  if (opts.body !== undefined && opts.bodyFile !== undefined) throw usage('conflicting_flags', 'give either --body or --body-file, not both');
  if (opts.body !== undefined) return Buffer.from(opts.body, 'utf8');
  if (opts.bodyFile !== undefined) return readFileFor(opts.bodyFile, '--body-file');
  if (process.stdin.isTTY) throw usage('no_body', 'no body: pass --body <text>, --body-file <path>, or pipe it on stdin');
  try {
    return readFileSync(0);
  } catch {
    return Buffer.alloc(0);
  }
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

export function readHeaders(opts: { header?: string[]; headersFile?: string }): Record<string, string> {
  const fromFile = opts.headersFile ? readFileFor(opts.headersFile, '--headers-file').toString('utf8').split('\n') : [];
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
