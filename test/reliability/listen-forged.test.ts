/**
 * Trust at the edges: a flood of forged large bodies. A refused body costs one HMAC pass and is
 * kept only in part (64 KB) in what is written (NDJSON, history): forged bodies cannot fill the
 * disk or the output, and the record says how much was cut. A genuine large delivery is kept whole.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sign } from '../../src/index.js';
import { utf8Prefix } from '../../src/listen/describe.js';
import { startInProcess } from '../helpers/in-process.js';
import { dfns, post, SECRET, tmp } from './_listen.js';

/** A Dfns-shaped body of about `kb` KB, with non-ASCII text so that a cut can fall inside a character. */
function big(kb: number, id = 'wh-big') {
  const items = Array.from({ length: Math.ceil((kb * 1024) / 60) }, (_, i) => ({ i, memo: 'café ☕ transfer' }));
  return JSON.stringify({ id, kind: 'wallet.transfer.confirmed', data: { items }, timestampSent: Math.floor(Date.now() / 1000) });
}

describe('forged large bodies', () => {
  it('a refused 800 KB body is written as its first 64 KB, with bodyTruncated; a valid one whole (was: every byte, to stdout and the history)', async () => {
    const home = tmp('forged');
    const whk = startInProcess(['listen', '--port', '0', '--json', '--scheme', 'dfns', '--secret', SECRET], { env: { WHK_HOME: home } });
    const { url } = JSON.parse(await whk.waitFor(/"type":"ready"/, 'stdout')) as { url: string };
    const forged = big(800, 'wh-forged');
    for (let i = 0; i < 5; i++) {
      const r = await post(url, { body: forged, headers: { 'content-type': 'application/json', 'x-dfns-webhook-signature': `sha256=${'0'.repeat(64)}` } });
      expect(r.status).toBe(401);
    }
    const genuine = big(300, 'wh-genuine');
    expect((await post(url, { body: genuine, headers: { 'content-type': 'application/json', ...sign('dfns', { body: genuine, secrets: [SECRET] }) } })).status).toBe(200);
    whk.signal('SIGTERM');
    await whk.exited;
    const events = whk.stdoutLines.filter((l) => l.includes('"type":"event"'));
    expect(events).toHaveLength(6);
    for (const line of events.slice(0, 5)) {
      expect(line.length).toBeLessThan(80 * 1024);
      const e = JSON.parse(line) as { body: string; bodyTruncated: { bytes: number; kept: number }; verdict: { reason: string } };
      expect(e.verdict.reason).toBe('no_match');
      expect(e.bodyTruncated.bytes).toBe(Buffer.byteLength(forged));
      expect(e.bodyTruncated.kept).toBeLessThanOrEqual(64 * 1024);
      expect(Buffer.byteLength(e.body)).toBe(e.bodyTruncated.kept);
      expect(forged.startsWith(e.body)).toBe(true);
    }
    const last = JSON.parse(events[5]!) as { body: string; bodyTruncated?: unknown };
    expect(last.body).toBe(genuine);
    expect(last.bodyTruncated).toBeUndefined();
    const dir = join(home, 'history');
    const written = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    expect(written).toBeLessThan(Buffer.byteLength(events[5]!) + 5 * 80 * 1024 + 4096);
    expect(readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith('.ndjson'))!), 'utf8')).toContain('"bodyTruncated"');
  });

  it('a genuine Dfns body over 64 KB that was re-spaced on the way is refused with the diagnosis saying so (the other readings are not tried on the answer\'s path)', async () => {
    const whk = startInProcess(['listen', '--port', '0', '--json', '--no-history', '--scheme', 'dfns', '--secret', SECRET]);
    const { url } = JSON.parse(await whk.waitFor(/"type":"ready"/, 'stdout')) as { url: string };
    const compact = big(100, 'wh-respaced');
    const respaced = JSON.stringify(JSON.parse(compact), null, 2);
    const small = dfns();
    const smallRespaced = JSON.stringify(JSON.parse(small.body), null, 2);
    expect((await post(url, { body: respaced, headers: { 'content-type': 'application/json', ...sign('dfns', { body: compact, secrets: [SECRET] }) } })).status).toBe(401);
    // Under 64 KB, a re-spaced body is accepted, as whk verify does.
    expect((await post(url, { body: smallRespaced, headers: small.headers })).status).toBe(200);
    whk.signal('SIGTERM');
    await whk.exited;
    const [first] = whk.stdoutLines.filter((l) => l.includes('"type":"event"')).map((l) => JSON.parse(l) as { verdict: { diagnosis: string } });
    expect(first!.verdict.diagnosis).toMatch(/whitespace|re-serializ/);
  });
});

describe('utf8Prefix', () => {
  it('never cuts a character in two', () => {
    const text = Buffer.from('aé☕𝄞'.repeat(50));
    for (let max = 0; max < 120; max++) {
      const p = utf8Prefix(text, max);
      expect(p.length).toBeLessThanOrEqual(max);
      expect(p.length).toBeGreaterThan(max - 4);
      expect(Buffer.from(p.toString('utf8')).equals(p)).toBe(true);
    }
  });
});
