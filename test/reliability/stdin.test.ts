/**
 * Stdin and input files as a careless user (or a slow pipeline) hands them over. A body written
 * into the pipe after whk started used to be read as an empty body: whk signed the empty string
 * with exit 0, verify said ✗, send posted the built-in sample. A directory or a read error on
 * stdin was swallowed the same way. Expected signatures are computed here with node:crypto.
 */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWhk, WHK, type Result } from '../helpers/cli.js';
import { startReceiver, type Receiver } from '../send/_receiver.js';

const dir = mkdtempSync(join(tmpdir(), 'whk-stdin-'));
const folder = join(dir, 'a-folder');
mkdirSync(folder);
const file = (name: string, content: string) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const github256 = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

// Two pieces, the first after whk has started: the writer is slow, the test only waits for exit.
const PART1 = '{"action":"opened",';
const PART2 = '"number":1}\n';
const BODY = PART1 + PART2;
const SLOW_WRITER = `(sleep 0.3; printf '%s' "$PART1"; sleep 0.2; printf '%s' "$PART2")`;

/** Runs `<slow writer> | whk <args>` through sh; `$@` carries the arguments unquoted by nobody. */
function slowPipe(args: string[]): Promise<Result> {
  return run('sh', ['-c', `${SLOW_WRITER} | "$0" "$@"`, process.execPath, WHK, ...args], 'ignore', { PART1, PART2 });
}

/** Runs `whk <args>` with stdin an already open file descriptor (a folder, a write-only file). */
function withStdinFd(path: string, flags: 'r' | 'w', args: string[]): Promise<Result> {
  const fd = openSync(path, flags);
  return run(process.execPath, [WHK, ...args], fd).finally(() => closeSync(fd));
}

function run(cmd: string, args: string[], stdin: 'ignore' | number, env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [stdin, 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', WHK_SECRET: undefined, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A usage error: exit 2, nothing on stdout, one `whk: ...` line on stderr matching `re`. */
function expectUsage(r: Result, re: RegExp) {
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^whk: [^\n]+\n$/);
  expect(r.stderr).toMatch(re);
  expect(r.code).toBe(2);
}

describe('a slow pipe is read to its end', () => {
  it('whk sign signs the whole body, not the empty string', async () => {
    const r = await slowPipe(['sign', '--scheme', 'github', '--secret', 's']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`X-Hub-Signature-256: ${github256('s', BODY)}\n`);
  });

  it('whk sign --body-file - too', async () => {
    const r = await slowPipe(['sign', '--scheme', 'github', '--secret', 's', '--body-file', '-']);
    expect(r.stdout).toContain(`X-Hub-Signature-256: ${github256('s', BODY)}\n`);
    expect(r.code).toBe(0);
  });

  it('whk verify judges the whole body: valid', async () => {
    const r = await slowPipe(['verify', '--scheme', 'github', '--secret', 's', '--header', `X-Hub-Signature-256: ${github256('s', BODY)}`]);
    expect(r.stdout).toMatch(/^✓ valid \(github/);
    expect(r.code).toBe(0);
  });

  it('whk verify --headers-file - reads the headers from a slow pipe', async () => {
    // The "body" the slow writer sends is a header line here.
    const line = `X-Hub-Signature-256: ${github256('s', 'hello')}\n`;
    const r = await run('sh', ['-c', `(sleep 0.3; printf '%s' "$LINE") | "$0" "$@"`, process.execPath, WHK,
      'verify', '--scheme', 'github', '--secret', 's', '--headers-file', '-', '--body', 'hello'], 'ignore', { LINE: line });
    expect(r.stdout).toMatch(/^✓ valid \(github/);
    expect(r.code).toBe(0);
  });

  describe('whk send', () => {
    let receiver: Receiver;
    beforeAll(async () => {
      receiver = await startReceiver(() => 200);
    });
    afterAll(() => receiver.close());

    it('posts the piped body, not the built-in sample', async () => {
      const r = await slowPipe(['send', receiver.url, '--scheme', 'github', '--secret', 's']);
      expect(r.code).toBe(0);
      const got = receiver.got[receiver.got.length - 1]!;
      expect(got.body.toString()).toBe(BODY);
      expect(got.headers['x-hub-signature-256']).toBe(github256('s', BODY));
    });
  });

  it('a file redirected to stdin is read whole', async () => {
    const r = await withStdinFd(file('body.json', BODY), 'r', ['sign', '--scheme', 'github', '--secret', 's']);
    expect(r.stdout).toContain(`X-Hub-Signature-256: ${github256('s', BODY)}\n`);
    expect(r.code).toBe(0);
  });

  it('an empty pipe is an empty body, signed as such', async () => {
    const r = await runWhk(['sign', '--scheme', 'github', '--secret', 's'], { input: '' });
    expect(r.stdout).toContain(`X-Hub-Signature-256: ${github256('s', '')}\n`);
    expect(r.code).toBe(0);
  });
});

describe('a directory is refused as input, with one line naming it', () => {
  it.each([
    ['sign --body-file', ['sign', '--scheme', 'github', '--secret', 's', '--body-file', folder], /--body-file .*a-folder: it is a directory/],
    ['verify --body-file', ['verify', '--scheme', 'github', '--secret', 's', '--header', 'X-Hub-Signature-256: sha256=00', '--body-file', folder], /--body-file .*a-folder: it is a directory/],
    ['verify --headers-file', ['verify', '--scheme', 'github', '--secret', 's', '--headers-file', folder, '--body', 'x'], /--headers-file .*a-folder: it is a directory/],
    ['sign --secret-file', ['sign', '--scheme', 'github', '--secret-file', folder, '--body', 'x'], /--secret-file .*a-folder: it is a directory/],
  ])('%s <folder>', async (_name, args, re) => {
    expectUsage(await runWhk(args as string[]), re);
  });

  it('whk sign < folder', async () => {
    expectUsage(await withStdinFd(folder, 'r', ['sign', '--scheme', 'github', '--secret', 's']), /cannot read stdin: it is a directory/);
  });

  it('whk verify < folder', async () => {
    expectUsage(await withStdinFd(folder, 'r', ['verify', '--scheme', 'github', '--secret', 's', '--header', 'X-Hub-Signature-256: sha256=00']), /cannot read stdin: it is a directory/);
  });

  it('whk send < folder: refused before anything is sent', async () => {
    // Port 9 (discard) on 127.0.0.1: nothing listens; a send that got that far would exit 3.
    expectUsage(await withStdinFd(folder, 'r', ['send', 'http://127.0.0.1:9/', '--scheme', 'github', '--secret', 's']), /cannot read stdin: it is a directory/);
  });
});

describe('a read error is an error (exit 2), never an empty body', () => {
  it('stdin that cannot be read (opened write-only)', async () => {
    const r = await withStdinFd(join(dir, 'write-only.txt'), 'w', ['sign', '--scheme', 'github', '--secret', 's']);
    expectUsage(r, /cannot read stdin: bad file descriptor \(EBADF\)/);
  });

  it('--body-file - on the same stdin', async () => {
    const r = await withStdinFd(join(dir, 'write-only.txt'), 'w', ['verify', '--scheme', 'github', '--secret', 's', '--header', 'X-Hub-Signature-256: sha256=00', '--body-file', '-']);
    expectUsage(r, /cannot read --body-file - \(stdin\): bad file descriptor/);
  });

  it.skipIf(process.platform !== 'linux')('a file that opens but fails to read (/proc/self/mem: EIO)', async () => {
    expectUsage(await runWhk(['sign', '--scheme', 'github', '--secret', 's', '--body-file', '/proc/self/mem']), /cannot read --body-file \/proc\/self\/mem: .*EIO/);
  });

  it('a missing file', async () => {
    expectUsage(await runWhk(['sign', '--scheme', 'github', '--secret', 's', '--body-file', join(dir, 'nope.json')]), /--body-file .*nope\.json: no such file/);
  });
});

describe('stdin is read once', () => {
  it('--secret-file - and the body on stdin: refused, instead of signing an empty body', async () => {
    const r = await runWhk(['sign', '--scheme', 'github', '--secret-file', '-'], { input: 's\n' });
    expectUsage(r, /stdin is already read for --secret-file -: pass the body with --body/);
  });

  it('--secret-file - and --headers-file -: refused', async () => {
    const r = await runWhk(['verify', '--scheme', 'github', '--secret-file', '-', '--headers-file', '-', '--body', 'x'], { input: 's\n' });
    expectUsage(r, /stdin is already read for --secret-file -/);
  });

  it('--secret-file - with --body: the secret comes from stdin', async () => {
    const r = await runWhk(['sign', '--scheme', 'github', '--secret-file', '-', '--body', 'x'], { input: 's\n' });
    expect(r.stdout).toContain(`X-Hub-Signature-256: ${github256('s', 'x')}\n`);
    expect(r.code).toBe(0);
  });
});
