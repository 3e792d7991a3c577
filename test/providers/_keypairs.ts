/**
 * Helpers for the key-pair providers' tests (sendgrid, amazon-sns, fireblocks): throwaway keys
 * written to files, the openssl CLI, and `whk send` / `whk probe` against `whk listen` on
 * 127.0.0.1 (in-process).
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { startInProcess, whk, type InProcess } from '../helpers/in-process.js';

/** The library's registry has every provider already: kept for the tests' set-up. */
export const catalogue = async (): Promise<void> => undefined;

export const tmp = (name: string) => mkdtempSync(join(tmpdir(), `whk-provA-${name}-`));

export interface KeyFiles {
  dir: string;
  /** PEM private key (PKCS#8). */
  privatePem: string;
  /** PEM public key (SPKI). */
  publicPem: string;
  privateFile: string;
  publicFile: string;
}

export function keyPair(kind: 'rsa' | 'ec', name: string): KeyFiles {
  const { privateKey, publicKey } = kind === 'rsa'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const dir = tmp(name);
  const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  const publicPem = publicKey.export({ format: 'pem', type: 'spki' }) as string;
  const privateFile = join(dir, 'private.pem');
  const publicFile = join(dir, 'public.pem');
  writeFileSync(privateFile, privatePem);
  writeFileSync(publicFile, publicPem);
  return { dir, privatePem, publicPem, privateFile, publicFile };
}

export const openssl = (args: string[], input?: Buffer | string): Buffer => execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });

export async function listen(args: string[]): Promise<{ l: InProcess; url: string }> {
  const l = startInProcess(['listen', '--port', '0', '--json', ...args]);
  const ready = JSON.parse(await l.waitFor(/"type":"ready"/, 'stdout'));
  return { l, url: ready.url };
}

export async function stop(l: InProcess) {
  l.signal('SIGINT');
  await l.exited;
}

const events = (l: InProcess) => l.stdoutLines.filter((x) => x.includes('"type":"event"')).map((x) => JSON.parse(x));

/**
 * `whk send` signs with `sign` (secret flags) to `whk listen` verifying with `verify`: the valid
 * delivery is answered 200 and judged valid; with --wrong-secret, 401 (and send exits 0, the
 * refusal being what it expects). Then `whk probe` against the same listener passes every check.
 */
export async function sendListenProbe(scheme: string, sign: string[], verify: string[], events_ = ['']) {
  const { l, url } = await listen(['--scheme', scheme, ...verify]);
  try {
    for (const event of events_) {
      const r = await whk(['send', url, '--scheme', scheme, ...sign, ...(event ? ['--event', event] : [])]);
      expect(r.stdout, r.stderr).toMatch(/✓ 200 is within --expect 2xx/);
      expect(r.code).toBe(0);
    }
    const wrong = await whk(['send', url, '--scheme', scheme, ...sign, '--wrong-secret']);
    expect(wrong.code, wrong.stdout + wrong.stderr).toBe(0);
    await l.waitFor(/"status":401/, 'stdout');
    const got = events(l);
    expect(got.slice(0, events_.length).map((e) => [e.response.status, e.verdict.valid, e.scheme])).toEqual(events_.map(() => [200, true, scheme]));
    expect(got[events_.length]).toMatchObject({ response: { status: 401 }, verdict: { valid: false, reason: 'no_match' } });

    const probe = await whk(['probe', url, '--scheme', scheme, ...sign, '--json']);
    const report = JSON.parse(probe.stdout) as { checks: Array<{ id: string; result: string; got: string; explain?: string }> };
    expect(report.checks.filter((c) => c.result !== 'PASS'), probe.stdout).toEqual([]);
    expect(report.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['valid', 'tampered-body', 'tampered-signature', 'wrong-secret', 'missing-signature', 'malformed-signature']));
    expect(probe.code).toBe(0);
  } finally {
    await stop(l);
  }
}
