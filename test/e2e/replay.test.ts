/**
 * `whk replay` end to end: a recording in the `whk listen --record` format (src/record.ts) is
 * written here, replayed by the built CLI to receivers on 127.0.0.1, and compared byte for byte.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventRecord } from '../../src/record.js';
import { sign, verify } from '../../src/index.js';
import { runWhk } from '../helpers/cli.js';
import { deadPort, startReceiver, type Receiver } from '../send/_receiver.js';

const SECRET = 'dfns-replay-s3cret';
const dir = mkdtempSync(join(tmpdir(), 'whk-replay-'));
const hourAgo = Math.floor(Date.now() / 1000) - 3600;

let seq = 0;
function dfnsRecord(kind: string, extra: object = {}): EventRecord {
  // Recorded an hour ago: signed then, with the timestamp of then.
  const body = `{"id":"wh-${kind}","date":"2024-05-01T10:00:00.000Z","kind":"${kind}","data":{"note":"Grüße 🚀","amount":"1500000000000000000"},"timestampSent":${hourAgo},"deliveryAttempt":1}`;
  const signed = Object.fromEntries(Object.entries(sign('dfns', { body, secrets: [SECRET] })).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    type: 'event', seq: ++seq, receivedAt: new Date((hourAgo + 1) * 1000).toISOString(), method: 'POST', path: `/hooks/dfns?seq=${seq}`,
    headers: { host: '127.0.0.1:4000', 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), connection: 'keep-alive', 'user-agent': 'dfns-webhooks', ...signed },
    body, bodyEncoding: 'utf8', scheme: 'dfns', verdict: { valid: true, reason: 'ok', message: 'ok', diagnosis: null },
    eventType: kind, eventId: `wh-${kind}`, duplicate: false, filtered: false, response: { status: 200 }, ...extra,
  };
}
const binary = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x22, 0x7d, 0x0a]);
const records: EventRecord[] = [
  dfnsRecord('wallet.transfer.confirmed'),
  dfnsRecord('policy.triggered'),
  {
    ...dfnsRecord('ping'), method: 'PUT', path: '/raw', headers: { 'content-type': 'application/octet-stream', 'x-custom': 'kept', 'transfer-encoding': 'chunked' },
    body: binary.toString('base64'), bodyEncoding: 'base64', scheme: null, eventType: null, eventId: null,
  },
];
const file = join(dir, 'events.ndjson');
writeFileSync(file, [
  JSON.stringify({ type: 'ready', url: 'http://127.0.0.1:4000/', publicUrl: null }),
  ...records.map((r) => JSON.stringify(r)),
  '{"type":"event","seq":99,"body":"trunc',
  '',
].join('\n'));

let sink: Receiver;
let strict: Receiver;
beforeAll(async () => {
  [sink, strict] = await Promise.all([
    startReceiver(() => 200),
    // Verifies Dfns signatures with the scheme's 300 s tolerance: an hour-old recording fails.
    startReceiver((r) => (verify('dfns', { body: r.body, headers: r.headers, secrets: [SECRET] }).valid ? 200 : 401)),
  ]);
});
afterAll(async () => {
  await Promise.all([sink?.close(), strict?.close()]);
});

describe('whk replay', () => {
  it('reaches the target byte-identical: body, method, headers (minus hop-by-hop), path appended to --to', async () => {
    const before = sink.got.length;
    const r = await runWhk(['replay', file, '--to', `${sink.url}/base/`]);
    // The truncated last line is a result of its own (not sent), and fails the run.
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const got = sink.got.slice(before);
    expect(got.map((g) => `${g.method} ${g.path}`)).toEqual(['POST /base/hooks/dfns?seq=1', 'POST /base/hooks/dfns?seq=2', 'PUT /base/raw']);
    expect(got[0]!.body.toString()).toBe(records[0]!.body);
    expect(got[1]!.body.toString()).toBe(records[1]!.body);
    expect(got[2]!.body.equals(binary)).toBe(true);
    expect(got[0]!.headers['x-dfns-webhook-signature']).toBe(records[0]!.headers['x-dfns-webhook-signature']);
    expect(got[0]!.headers['user-agent']).toBe('dfns-webhooks');
    expect(got[0]!.headers.host).toBe(`127.0.0.1:${sink.port}`);
    expect(got[2]!.headers['x-custom']).toBe('kept');
    expect(got[2]!.headers['transfer-encoding']).toBeUndefined();
    expect(r.stdout).toMatch(/^#1 POST http:\/\/127\.0\.0\.1:\d+\/base\/hooks\/dfns\?seq=1 {2}wallet\.transfer\.confirmed wh-wallet\.transfer\.confirmed → 200 OK/m);
    expect(r.stdout).toMatch(/^line 5 → not sent: unparseable_line: not a JSON line \(.*\)$/m);
    expect(r.stdout).toMatch(/✗ replayed 4 events: 1 failed — 1 invalid in the recording, not sent \(200 ×3 · unparseable line ×1\)\n$/);
  });

  it('without --resign, a receiver with a 300 s tolerance refuses the hour-old events: exit 1', async () => {
    const r = await runWhk(['replay', file, '--to', strict.url, '--only', '1,2']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ replayed 2 events: 2 failed/);
  });

  it('--resign passes it: timestampSent rewritten in place (the only bytes that change), a fresh signature', async () => {
    const before = strict.got.length;
    const r = await runWhk(['replay', file, '--to', strict.url, '--only', 'wallet.transfer.confirmed,wh-policy.triggered', '--resign', '--secret', SECRET]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\(re-signed: dfns, timestampSent set to now\)/);
    const got = strict.got.slice(before);
    expect(got.map((g) => g.status)).toEqual([200, 200]);
    for (const [i, g] of got.entries()) {
      const sent = JSON.parse(g.body.toString()).timestampSent;
      expect(Math.abs(sent - Date.now() / 1000)).toBeLessThan(60);
      expect(g.body.toString()).toBe(records[i]!.body.replace(String(hourAgo), String(sent)));
      expect(g.headers['x-dfns-webhook-signature']).not.toBe(records[i]!.headers['x-dfns-webhook-signature']);
    }
  });

  it('--json: one line per event, then a summary; --concurrency keeps the file order in the report', async () => {
    const r = await runWhk(['replay', file, '--to', sink.url, '--json', '--concurrency', '3']);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(['replay', 'replay', 'replay', 'replay', 'summary']);
    expect(lines.slice(0, 4).map((l) => [l.seq, l.line, l.result])).toEqual([[1, 2, 'ok'], [2, 3, 'ok'], [3, 4, 'ok'], [null, 5, 'invalid']]);
    expect(lines[4]).toMatchObject({ events: 4, ok: 3, failed: 1, statuses: { 200: 3 }, unparseable: 1, invalid: 1, invalidReasons: { unparseable_line: 1 } });
  });

  it('a dead --to: exit 3 and the one line', async () => {
    const port = await deadPort();
    const r = await runWhk(['replay', file, '--to', `http://127.0.0.1:${port}`, '--only', '1']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`whk: connection refused at http://127\\.0\\.0\\.1:${port} — is the receiver running\\?\\n$`));
  });

  it('usage errors: --only matching nothing, --resign without a secret, a missing file', async () => {
    const none = await runWhk(['replay', file, '--to', sink.url, '--only', 'nope']);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe(`note: 1 line is not a JSON record in ${file}: not matched against --only\nwhk: --only nope matches none of the 3 recorded events (types: wallet.transfer.confirmed, policy.triggered) (see whk replay --help)\n`);
    const noSecret = await runWhk(['replay', file, '--to', sink.url, '--resign']);
    expect(noSecret.code).toBe(2);
    const missing = await runWhk(['replay', join(dir, 'nope.ndjson'), '--to', sink.url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such file/);
  });
});
