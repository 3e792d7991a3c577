/**
 * Defects: `whk sign < /dev/zero` grew to 4.2 GB before failing (verify likewise), and a 17 MB
 * definition file took over 20 s with nothing said. Now a body read from a file or stdin stops at
 * --max-body (256mb unless raised), and a definition file at 1 MB, each with one line, exit 2.
 */
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { WHK } from '../helpers/cli.js';
import { whk } from '../helpers/in-process.js';

vi.setConfig({ testTimeout: 60_000 });

const dir = mkdtempSync(join(tmpdir(), 'whk-limits-'));

/** whk with stdin from a shell redirection or pipe (`input`: what comes before `|`, or `< file`). */
function shell(args: string, input: string) {
  const cmd = input.startsWith('<') ? `"${process.execPath}" "${WHK}" ${args} ${input}` : `${input} | "${process.execPath}" "${WHK}" ${args}`;
  return spawnSync('bash', ['-c', cmd], { env: { ...process.env, NO_COLOR: '1', WHK_SECRET: undefined }, encoding: 'utf8' });
}

const oneLine = (r: { stderr: string }) => expect(r.stderr.trim().split('\n')).toHaveLength(1);

describe('a body larger than --max-body', () => {
  it('whk sign and verify stop at 256 MB of piped body: one line naming the limit and --max-body, exit 2', () => {
    for (const cmd of ['sign --scheme github --secret k', "verify --scheme github --secret k --header 'X-Hub-Signature-256: sha256=00'"]) {
      const r = shell(cmd, 'head -c 300000000 /dev/zero');
      expect(r.status).toBe(2);
      oneLine(r);
      expect(r.stderr).toMatch(/^whk: cannot read stdin: it is over 256 MB: pass --max-body with a larger size \(e\.g\. --max-body 1gb\) to read a larger body/);
      expect(r.stdout).toBe('');
    }
  });

  it('an endless input (/dev/zero, as stdin or --body-file) stops at the limit', () => {
    for (const [args, input] of [['sign --scheme github --secret k --max-body 1mb', '< /dev/zero'], ['sign --scheme github --secret k --max-body 1mb --body-file /dev/zero', '< /dev/null']]) {
      const r = shell(args!, input!);
      expect(r.status).toBe(2);
      oneLine(r);
      expect(r.stderr).toMatch(/it is over 1 MB: pass --max-body/);
    }
  });

  it('--max-body raises or lowers the limit, for a file too; a body within it is signed', async () => {
    const body = join(dir, 'body.bin');
    writeFileSync(body, Buffer.alloc(2048, 'a'));
    const over = await whk(['sign', '--scheme', 'github', '--secret', 'k', '--body-file', body, '--max-body', '1kb']);
    expect(over.code).toBe(2);
    expect(over.stderr).toBe(`whk: cannot read --body-file ${body}: it is over 1 KB: pass --max-body with a larger size (e.g. --max-body 1gb) to read a larger body (see whk sign --help)\n`);
    const within = await whk(['sign', '--scheme', 'github', '--secret', 'k', '--body-file', body, '--max-body', '2kb']);
    expect(within.code).toBe(0);
    expect(within.stdout).toContain(`X-Hub-Signature-256: sha256=${createHmac('sha256', 'k').update(Buffer.alloc(2048, 'a')).digest('hex')}\n`);
  });

  it('a secret file that is not one (/dev/zero) stops at 1 MB', async () => {
    const r = await whk(['sign', '--scheme', 'github', '--secret-file', '/dev/zero', '--body', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^whk: cannot read --secret-file \/dev\/zero: it is over 1 MB: it should hold secrets only/);
  });
});

describe('a definition file over 1 MB', () => {
  /** About 1.1 MB of definitions. */
  const big = () => JSON.stringify(Array.from({ length: 12_000 }, (_, i) => ({ name: `acme${i}`, hmac: 'sha256', encoding: 'hex', header: `X-Acme-${i}`, signs: '{body}' })));

  it('--scheme-file: one line, exit 2, before parsing it', async () => {
    const file = join(dir, 'many.json');
    writeFileSync(file, big());
    const r = await whk(['sign', '--scheme-file', file, '--scheme', 'acme1', '--secret', 'k', '--body', 'x']);
    expect(r.code).toBe(2);
    oneLine(r);
    expect(r.stderr).toMatch(/^whk: cannot read --scheme-file .*many\.json: it is over 1 MB: a definition file holds a few scheme definitions/);
  });

  it('the config folder: one line naming the file, exit 2', async () => {
    const config = mkdtempSync(join(tmpdir(), 'whk-limits-config-'));
    mkdirSync(join(config, 'whk', 'schemes'), { recursive: true });
    writeFileSync(join(config, 'whk', 'schemes', 'many.json'), big());
    const r = await whk(['schemes'], { env: { XDG_CONFIG_HOME: config } });
    expect(r.code).toBe(2);
    oneLine(r);
    expect(r.stderr).toMatch(/^whk: cannot read the scheme definition .*many\.json: it is over 1 MB/);
  });
});
