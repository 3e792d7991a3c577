/**
 * `whk probe` against receivers written with node:crypto: a correct one (all PASS, exit 0) and
 * one per classic flaw, each of which must show up as the right FAIL with the right explanation
 * (exit 1); against `whk listen --secret` (all PASS); and the unreachable and usage exits.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runWhk, startWhk } from '../helpers/cli.js';
import { startReceiver, type Flaw, type Receiver } from '../probe/receivers.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const receivers: Receiver[] = [];
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
});

async function probe(flaw: Flaw, extra: string[] = []) {
  const r = await startReceiver(flaw, SECRET);
  receivers.push(r);
  const res = await runWhk(['probe', r.url, '--scheme', 'standard', '--secret', SECRET, '--json', ...extra]);
  const report = JSON.parse(res.stdout) as { ok: boolean; checks: Array<{ id: string; result: string; explain?: string }> };
  const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
  return { res, report, byId, receiver: r };
}

describe('whk probe against Standard Webhooks receivers', () => {
  it('a correct receiver: every check passes, exit 0', async () => {
    const { res, report, receiver } = await probe('none');
    expect(res.code, res.stderr).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.checks.filter((c) => c.result !== 'PASS')).toEqual([]);
    expect(report.checks.map((c) => c.id)).toEqual([
      'valid', 'rotation', 'formatting', 'tampered-body', 'tampered-signature', 'wrong-secret', 'missing-signature',
      'malformed-signature', 'stale-timestamp', 'future-timestamp', 'other-scheme', 'other-header-svix', 'duplicate', 'response-time',
    ]);
    expect(receiver.seen.length).toBe(14); // the duplicate is delivered twice
  });

  it.each([
    ['accepts-everything', ['tampered-body', 'tampered-signature', 'wrong-secret', 'missing-signature', 'malformed-signature', 'stale-timestamp', 'future-timestamp', 'other-scheme', 'other-header-svix'], /does not verify the signature at all/],
    ['verifies-reserialized-body', ['formatting'], /verifies a re-serialized body/],
    ['ignores-timestamps', ['stale-timestamp', 'future-timestamp'], /check the timestamp/],
    // Svix's headers instead of webhook-signature: a missing header too.
    ['accepts-missing-header', ['missing-signature', 'other-header-svix'], /a missing header must be a refusal/],
    ['checks-first-signature-only', ['rotation'], /checks only the first signature/],
  ] as const)('%s: exactly the checks it should fail, explained, exit 1', async (flaw, failing, explanation) => {
    const { res, byId, report } = await probe(flaw);
    expect(res.code).toBe(1);
    expect(report.checks.filter((c) => c.result === 'FAIL').map((c) => c.id).sort()).toEqual([...failing].sort());
    expect(byId[failing[0]]!.explain).toMatch(explanation);
  });

  it('the human report card names each FAIL and the fix; --junit writes JUnit XML', async () => {
    const r = await startReceiver('ignores-timestamps', SECRET);
    receivers.push(r);
    const junit = join(mkdtempSync(join(tmpdir(), 'whk-probe-')), 'probe.xml');
    const res = await runWhk(['probe', r.url, '--scheme', 'standard', '--secret', SECRET, '--junit', junit]);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/FAIL {2}stale timestamp/);
    expect(res.stdout).toMatch(/→ your receiver accepted a delivery signed \d+ s ago: check the timestamp/);
    expect(res.stdout).toMatch(/14 checks: 12 pass, 2 fail, 0 warn/);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="whk probe" tests="14" failures="2"/);
    expect((xml.match(/<testcase /g) ?? []).length).toBe(14);
    expect((xml.match(/<failure /g) ?? []).length).toBe(2);
  });
});

describe("whk probe against a receiver written from the Dfns docs' Node sample", () => {
  // The seed's verifyDfnsWebhookSignature, verbatim in substance: it verifies JSON.stringify of
  // the parsed payload, and its timingSafeEqual throws on a length mismatch (an Express 500).
  const dfnsSample = async (secret: string) => {
    const { createServer } = await import('node:http');
    const crypto = await import('node:crypto');
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        try {
          const eventPayload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          const eventSignature = req.headers['x-dfns-webhook-signature'] as string;
          const messageToSign = JSON.stringify(eventPayload);
          const signature = crypto.createHmac('sha256', secret).update(messageToSign).digest('hex');
          const trustedSig = Buffer.from(`sha256=${signature}`, 'ascii');
          const untrustedSig = Buffer.from(eventSignature, 'ascii');
          const isSignatureValid = crypto.timingSafeEqual(trustedSig, untrustedSig);
          const now = new Date().getTime() / 1000;
          const isTimestampWithinTolerance = Math.abs(now - eventPayload.timestampSent) < 5 * 60;
          res.writeHead(isSignatureValid && isTimestampWithinTolerance ? 200 : 401).end();
        } catch {
          res.writeHead(500).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` };
  };

  it('big integers are a WARN (not a FAIL), the 500s on bad headers are reported, exit 0', async () => {
    const { server, url } = await dfnsSample('dfns-secret');
    try {
      const res = await runWhk(['probe', url, '--scheme', 'dfns', '--secret', 'dfns-secret', '--json']);
      const report = JSON.parse(res.stdout) as { checks: Array<{ id: string; result: string; explain?: string }> };
      const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
      expect(res.code).toBe(0);
      expect(byId['big-integer']).toMatchObject({ result: 'WARN' });
      expect(byId['big-integer']!.explain).toMatch(/2\^53/);
      expect(byId['non-ascii']).toMatchObject({ result: 'PASS' }); // JSON.stringify keeps non-ASCII; only the Python sample escapes it
      expect(byId['missing-signature']).toMatchObject({ result: 'WARN' });
      expect(byId['server-errors']).toMatchObject({ result: 'WARN' });
    } finally {
      server.close();
    }
  });
});

describe('whk probe against whk listen', () => {
  it.each(['dfns', 'stripe', 'github', 'standard', 'slack'])('%s: all PASS', async (scheme) => {
    const secret = scheme === 'standard' ? SECRET : 's3cret-for-probe';
    const listener = startWhk(['listen', '--port', '0', '--scheme', scheme, '--secret', secret, '--json']);
    try {
      const ready = JSON.parse(await listener.waitFor(/"type":"ready"/, 'stdout')) as { url: string };
      const res = await runWhk(['probe', ready.url, '--scheme', scheme, '--secret', secret, '--json']);
      const report = JSON.parse(res.stdout) as { checks: Array<{ id: string; result: string; got: string }> };
      expect(report.checks.filter((c) => c.result !== 'PASS'), res.stdout).toEqual([]);
      expect(res.code).toBe(0);
    } finally {
      listener.child.kill('SIGINT');
      await listener.exited;
    }
  });
});

describe('whk probe errors', () => {
  it('exits 3 with one line when nothing listens', async () => {
    const r = await startReceiver('none', SECRET);
    const url = r.url;
    await r.close();
    const res = await runWhk(['probe', url, '--scheme', 'standard', '--secret', SECRET]);
    expect(res.code).toBe(3);
    expect(res.stderr.trim()).toMatch(/^whk: connection refused at http:\/\/127\.0\.0\.1:\d+ — is your app running\?$/);
  });

  it.each([
    [['probe', 'http://127.0.0.1:9/', '--secret', 's'], /missing --scheme/],
    [['probe', '--scheme', 'dfns', '--secret', 's'], /missing the receiver URL/],
    [['probe', 'http://127.0.0.1:9/', '--scheme', 'dfns'], /no secret/],
    [['probe', 'ftp://x/', '--scheme', 'dfns', '--secret', 's'], /only http:\/\/ and https:\/\//],
  ])('usage error %j exits 2', async (args, message) => {
    const res = await runWhk(args as string[]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
  });
});
