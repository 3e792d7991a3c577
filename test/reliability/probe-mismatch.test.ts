/**
 * Defect: `whk probe` did not notice a receiver that auto-detects the scheme per request. A Dfns
 * delivery an hour old is refused as stale, but the same signature under X-Hub-Signature-256
 * passes as a GitHub delivery (GitHub signs the same HMAC-SHA256 hex of the body and has no
 * timestamp). The probe now re-sends the genuine but stale signature under the header of every
 * scheme that signs the same value, and the receiver must refuse it.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { whk } from '../helpers/in-process.js';
import { startVerifyReceiver, type Receiver } from '../probe/receivers.js';

const SECRET = 'dfns-probe-secret';
const receivers: Receiver[] = [];
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
});

type Report = { ok: boolean; checks: Array<{ id: string; title: string; result: string; expect: string; explain?: string; got: string }> };

async function probe(accepts: 'auto' | string[], extra: string[] = ['--json']) {
  const r = await startVerifyReceiver(accepts, SECRET);
  receivers.push(r);
  const res = await whk(['probe', r.url, '--scheme', 'dfns', '--secret', SECRET, ...extra]);
  return { res, receiver: r };
}
const failing = (report: Report) => report.checks.filter((c) => c.result === 'FAIL').map((c) => c.id).sort();

describe('whk probe --scheme dfns: a signature under another scheme\'s header', () => {
  it('a receiver that accepts any known scheme (verify "auto") FAILs it, with the fix', async () => {
    const { res } = await probe('auto');
    const report = JSON.parse(res.stdout) as Report;
    expect(res.code).toBe(1);
    // other-scheme (a Stripe signature made with the secret) caught auto-detection before; the
    // new row catches what it did not: a stale delivery accepted under the other header.
    expect(failing(report)).toEqual(['other-header-github', 'other-scheme']);
    const row = report.checks.find((c) => c.id === 'other-header-github')!;
    expect(row).toMatchObject({ title: "signature under another scheme's header (github's X-Hub-Signature-256)", expect: 'refuse' });
    expect(row.got).toMatch(/^204 in \d+ ms$/);
    expect(row.explain).toMatch(/verify only the header of the provider you configured; pin the scheme instead of auto-detecting per request$/);
    // Linear also signs the same value, but checks its own timestamp, absent from a Dfns body.
    expect(report.checks.find((c) => c.id === 'other-header-linear')!.result).toBe('PASS');
  });

  it('a receiver for Dfns and GitHub that picks the verifier by header FAILs exactly that check', async () => {
    const { res } = await probe(['dfns', 'github']);
    const report = JSON.parse(res.stdout) as Report;
    expect(res.code).toBe(1);
    expect(failing(report)).toEqual(['other-header-github']);
  });

  it('a receiver pinned to dfns passes it, and every other check', async () => {
    const { res, receiver } = await probe(['dfns']);
    const report = JSON.parse(res.stdout) as Report;
    expect(res.code, res.stdout).toBe(0);
    expect(report.checks.filter((c) => c.result !== 'PASS')).toEqual([]);
    expect(report.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['other-scheme', 'other-header-github', 'other-header-linear']));
    // The receiver saw the github-headed delivery and refused it.
    expect(receiver.seen.filter((s) => s.status === 401).length).toBeGreaterThanOrEqual(9);
  });

  it('the report card and the JUnit report carry the row', async () => {
    const junit = join(mkdtempSync(join(tmpdir(), 'whk-probe-mismatch-')), 'probe.xml');
    const { res } = await probe(['dfns', 'github'], ['--junit', junit]);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/FAIL {2}signature under another scheme's header \(github's X-Hub-Signature-256\) +must refuse +← 204 in \d+ ms/);
    expect(res.stdout).toMatch(/sent: a dfns delivery signed 600 s ago, its signature moved to X-Hub-Signature-256/);
    expect(res.stdout).toMatch(/→ your receiver accepted a 600 s old dfns signature re-sent under github's X-Hub-Signature-256, where github checks no timestamp: verify only the header/);
    expect(res.stdout).toMatch(/PASS {2}signature under another scheme's header \(linear's Linear-Signature\)/);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('<testcase classname="whk.probe.dfns" name="signature under another scheme&apos;s header (github&apos;s X-Hub-Signature-256)"');
    expect(xml).toMatch(/<failure message="your receiver accepted a 600 s old dfns signature[^"]*" type="other-header-github">/);
    expect((xml.match(/<failure /g) ?? []).length).toBe(1);
  });
});
