/**
 * Defect: `whk replay --resign` sent a recording's stale X-Hub-Signature-256 along with the new
 * signature of the scheme it re-signed with: a receiver that checks the header it finds first
 * refused the replay. Now every signature header the recording carries goes, whatever its scheme.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWhk } from '../helpers/cli.js';
import { startReceiver, type Receiver } from '../send/_receiver.js';

const OLD = 'the-old-secret';
const NEW = 'the-new-secret';
const body = '{"action":"opened","number":7}';
const hmac = (alg: string, key: string) => createHmac(alg, key).update(body).digest('hex');

/** A GitHub delivery recorded by whk listen, which also carried a GitLab token and a custom signature. */
const record = {
  type: 'event', seq: 1, receivedAt: '2025-01-01T12:00:00.000Z', method: 'POST', path: '/hooks',
  headers: {
    'content-type': 'application/json', 'x-github-event': 'pull_request',
    'x-hub-signature-256': `sha256=${hmac('sha256', OLD)}`, 'x-hub-signature': `sha1=${hmac('sha1', OLD)}`,
    'x-gitlab-token': OLD, 'x-acme-signature': 'v1=stale', 'x-request-id': 'kept-1',
  },
  body, bodyEncoding: 'utf8', scheme: 'github', verdict: { valid: true, reason: 'ok', message: 'ok', diagnosis: null },
  eventType: 'pull_request', eventId: null, duplicate: false, filtered: false, response: { status: 200 },
};

let sink: Receiver;
let file: string;
beforeAll(async () => {
  sink = await startReceiver(() => 200);
  file = join(mkdtempSync(join(tmpdir(), 'whk-resign-')), 'rec.ndjson');
  writeFileSync(file, `${JSON.stringify(record)}\n`);
});
afterAll(async () => {
  await sink?.close();
});

describe('whk replay --resign', () => {
  it('with another scheme: only its fresh signature reaches the receiver; no recorded signature of any scheme', async () => {
    const before = sink.got.length;
    const r = await runWhk(['replay', file, '--to', sink.url, '--resign', '--scheme', 'shopify', '--secret', NEW]);
    expect(r.code).toBe(0);
    const [got] = sink.got.slice(before);
    expect(got!.headers['x-shopify-hmac-sha256']).toBe(createHmac('sha256', NEW).update(body).digest('base64'));
    for (const stale of ['x-hub-signature-256', 'x-hub-signature', 'x-gitlab-token', 'x-acme-signature']) expect(got!.headers[stale], stale).toBeUndefined();
    expect(got!.headers['x-request-id']).toBe('kept-1');
    expect(got!.headers['x-github-event']).toBe('pull_request');
  });

  it('with its recorded scheme: both GitHub headers are made anew', async () => {
    const before = sink.got.length;
    const r = await runWhk(['replay', file, '--to', sink.url, '--resign', '--secret', NEW]);
    expect(r.code).toBe(0);
    const [got] = sink.got.slice(before);
    expect(got!.headers['x-hub-signature-256']).toBe(`sha256=${hmac('sha256', NEW)}`);
    expect(got!.headers['x-gitlab-token']).toBeUndefined();
  });
});
