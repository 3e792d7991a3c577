/**
 * Defects: a secret passed with --secret is visible to every local user (ps) and nothing said
 * so; a secret with surrounding whitespace (a copy-paste, a file with a trailing space) signed
 * and verified with it in silence. Now: one line on a terminal pointing to WHK_SECRET or
 * --secret-file, and one line naming the padded secret's source (never the secret), not trimmed.
 */
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWhk, WHK } from '../helpers/cli.js';
import { whk } from '../helpers/in-process.js';

const hasScript = spawnSync('script', ['--version']).status === 0;
const ARGV_WARNING = 'whk: a secret given with --secret is visible to every user of this machine (ps): prefer WHK_SECRET or --secret-file';
const github = (secret: string) => `X-Hub-Signature-256: sha256=${createHmac('sha256', secret).update('x').digest('hex')}`;

describe.skipIf(!hasScript)('--secret on a terminal', () => {
  /** whk under a pseudo-terminal (script(1)): stdout and stderr both reach the captured output. */
  const onTty = (args: string, env: Record<string, string> = {}) =>
    spawnSync('script', ['-qec', `"${process.execPath}" "${WHK}" ${args}`, '/dev/null'], { env: { ...process.env, WHK_SECRET: undefined, ...env }, encoding: 'utf8' });

  it.each([['sign --scheme github --body x'], ['verify --scheme github --body x --header "X-Hub-Signature-256: sha256=00"']])('whk %s --secret ...: said once', (args) => {
    const r = onTty(`${args} --secret k1 --secret k2`);
    expect(r.stdout.split('\n').filter((l) => l.includes('visible to every user'))).toEqual([expect.stringContaining(ARGV_WARNING)]);
  });

  it('not for WHK_SECRET or --secret-file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'whk-secret-warn-')), 'secret');
    writeFileSync(file, 'k\n');
    expect(onTty('sign --scheme github --body x', { WHK_SECRET: 'k' }).stdout).not.toContain('visible to every user');
    expect(onTty(`sign --scheme github --body x --secret-file ${file}`).stdout).not.toContain('visible to every user');
  });
});

describe('--secret off a terminal', () => {
  it('says nothing (a script or CI: nobody to tell)', async () => {
    const r = await runWhk(['sign', '--scheme', 'github', '--secret', 'k', '--body', 'x']);
    expect([r.code, r.stderr]).toEqual([0, '']);
  });
});

describe('a secret that starts or ends with whitespace', () => {
  const WARN = /^whk: the secret from (.+) starts or ends with whitespace \(a space, tab or newline\): it is used as given, not trimmed; remove it if it is not part of the secret$/;

  it.each([
    ['--secret', { args: ['--secret', ' s3cr3t-padded'] }, ' s3cr3t-padded'],
    ['WHK_SECRET', { env: { WHK_SECRET: 's3cr3t-padded\n' } }, 's3cr3t-padded\n'],
    ['--secret-file', { file: 's3cr3t-padded \n' }, 's3cr3t-padded '],
  ] as const)('from %s: one line naming where it came from, never the secret; signed as given', async (from, how, secret) => {
    const args: string[] = [...('args' in how ? how.args : [])];
    if ('file' in how) {
      const file = join(mkdtempSync(join(tmpdir(), 'whk-secret-warn-')), 'secret');
      writeFileSync(file, how.file);
      args.push('--secret-file', file);
    }
    const r = await whk(['sign', '--scheme', 'github', '--body', 'x', ...args], { env: 'env' in how ? how.env : {} });
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(WARN);
    expect(WARN.exec(lines[0]!)![1]).toContain(from);
    expect(r.stderr).not.toContain('s3cr3t');
    expect(r.stdout).toContain(`${github(secret)}\n`);
  });

  it('a PEM key, whose lines end in newlines, is not warned about', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const r = await whk(['sign', '--scheme', 'discord', '--body', 'x', '--timestamp', '1700000000'], { env: { WHK_SECRET: pem } });
    expect([r.code, r.stderr]).toEqual([0, '']);
  });
});
