/**
 * Providers' endpoint verifications, answered by `whk listen` itself when nothing is forwarded:
 * Meta's hub.challenge (GET), Dropbox's ?challenge= (GET), Slack's url_verification and Twitch's
 * webhook_callback_verification (signed POSTs: answered only once the signature is valid), Zoom's
 * endpoint.url_validation (an HMAC of the plainToken, computed here with node:crypto). The
 * expected answers are the providers' documented ones, not whk's.
 */
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sign } from '../../src/index.js';
import { startInProcess } from '../helpers/in-process.js';
import { post, SECRET } from '../reliability/_listen.js';

// One listener per provider: with --scheme auto, the first valid delivery pins the scheme.
let url: string;
let stop: () => Promise<{ code: number | null; stdout: string; stderr: string }>;
const outputs: string[] = [];

beforeEach(async () => {
  const l = startInProcess(['listen', '--port', '0', '--json', '--secret', SECRET]);
  url = (JSON.parse(await l.waitFor(/^\{"type":"ready"/, 'stdout')) as { url: string }).url;
  stop = async () => {
    l.signal('SIGINT');
    return l.exited;
  };
});
afterEach(async () => {
  outputs.push(`${(await stop()).stdout}\n`);
});

const now = () => Math.floor(Date.now() / 1000);

describe('endpoint verifications answered by whk listen', () => {
  it("Meta: GET hub.mode=subscribe gets hub.challenge back, as text", async () => {
    const r = await fetch(`${url}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await r.text()).toBe('1158201444');
  });

  it('Dropbox: GET ?challenge= is echoed', async () => {
    const r = await fetch(`${url}?challenge=dbx-7f2c`);
    expect([r.status, await r.text()]).toEqual([200, 'dbx-7f2c']);
  });

  it('Slack: a signed url_verification gets its challenge back; an unsigned one is refused', async () => {
    const body = JSON.stringify({ token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl', challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' });
    const headers = { 'content-type': 'application/json', ...sign('slack', { body, secrets: [SECRET], timestamp: now() }) };
    const ok = await post(url, { body, headers });
    expect([ok.status, ok.text]).toEqual([200, '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P']);
    const forged = await post(url, { body, headers: { ...headers, 'X-Slack-Signature': `v0=${'0'.repeat(64)}` } });
    expect(forged.status).toBe(401);
    expect(forged.text).not.toContain('3eZbrw1a');
  });

  it('Zoom: endpoint.url_validation is answered with plainToken and its HMAC-SHA256 (hex) under the secret token', async () => {
    const body = JSON.stringify({ payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' }, event_ts: Date.now(), event: 'endpoint.url_validation' });
    const r = await post(url, { body, headers: { 'content-type': 'application/json', ...sign('zoom', { body, secrets: [SECRET], timestamp: now() }) } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(r.text)).toEqual({ plainToken: 'qgg8vlvZRS6UYooatFL8Aw', encryptedToken: createHmac('sha256', SECRET).update('qgg8vlvZRS6UYooatFL8Aw').digest('hex') });
  });

  it('Twitch: a signed webhook_callback_verification gets the raw challenge back', async () => {
    const body = JSON.stringify({ challenge: 'pogchamp-kappa-360noscope-vohiyo', subscription: { id: 'f1c2a387-161a-49f9-a165-0f21d7a4e1c4', type: 'channel.follow', version: '2', status: 'webhook_callback_verification_pending' } });
    const id = 'e76c6bd4-55c9-4987-8304-da1588d8988b';
    const ts = new Date().toISOString();
    const sig = createHmac('sha256', SECRET).update(id + ts + body).digest('hex');
    const r = await post(url, { body, headers: {
      'content-type': 'application/json', 'Twitch-Eventsub-Message-Id': id, 'Twitch-Eventsub-Message-Timestamp': ts,
      'Twitch-Eventsub-Message-Signature': `sha256=${sig}`, 'Twitch-Eventsub-Message-Type': 'webhook_callback_verification',
    } });
    expect([r.status, r.text]).toEqual([200, 'pogchamp-kappa-360noscope-vohiyo']);
  });

  it('an ordinary delivery is answered as before; the NDJSON records say which handshakes were answered', async () => {
    const body = JSON.stringify({ type: 'event_callback', event: { type: 'app_mention' }, event_id: 'Ev1' });
    const r = await post(url, { body, headers: { 'content-type': 'application/json', ...sign('slack', { body, secrets: [SECRET], timestamp: now() }) } });
    expect([r.status, r.text]).toEqual([200, '']);
    const handshakes = outputs.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; handshake?: string })
      .filter((x) => x.type === 'event').map((x) => x.handshake ?? null);
    expect(handshakes).toEqual([
      'Meta endpoint verification (query:hub.challenge)',
      expect.stringMatching(/^Dropbox.* endpoint verification \(query:challenge\)$/),
      'Slack endpoint verification (body:/challenge)',
      null, // the forged one: refused
      'Zoom endpoint.url_validation',
      expect.stringMatching(/^Twitch.* endpoint verification \(body:\/challenge\)$/),
    ]);
  });
});
