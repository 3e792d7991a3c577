/**
 * gitlab: the secret token (X-Gitlab-Token, compared as it is: "token matches", never "signature
 * valid") and the signing token (Standard Webhooks headers, GitLab 19.0), checked against the
 * standardwebhooks library in both directions. Headers and payload shapes from GitLab's docs:
 * https://docs.gitlab.com/user/project/integrations/webhooks/ (secret token, delivery headers)
 * and https://docs.gitlab.com/user/project/integrations/webhook_events/ (push payload: object_kind).
 */
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { sign, signDelivery, verify } from '../../src/index.js';
import { gitlab } from '../../src/providers/gitlab.js';
import { whk } from '../helpers/in-process.js';
import { headerProperty, sendListenProbe } from './_provb.js';

const TOKEN = 'gl-s3cret-token';
const SIGNING = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NOW = 1_750_000_000;
// The docs' push example, abridged (object_kind, ref, project), as GitLab posts it: compact JSON.
const BODY = '{"object_kind":"push","event_name":"push","before":"95790bf891e76fee5e1747ab589903a6a1f80f22","after":"da1560886d4f094c3e6c9ef40349f7d38b5d27d7","ref":"refs/heads/master","user_name":"John Smith","project_id":15,"project":{"id":15,"name":"Diaspora","path_with_namespace":"mike/diaspora"},"total_commits_count":4}';
// The delivery headers GitLab's docs list: event name, the two UUIDs, the instance, Idempotency-Key.
const DOCS_HEADERS = {
  'Content-Type': 'application/json', 'User-Agent': 'GitLab/17.9.0', 'X-Gitlab-Event': 'Push Hook', 'X-Gitlab-Instance': 'https://gitlab.example.com',
  'X-Gitlab-Webhook-UUID': '6a5c1f76-a3a2-4c0e-9f8a-2d4d3f2b9e01', 'X-Gitlab-Event-UUID': '13792a34-cac6-4fda-95a8-c58e00a3954e', 'Idempotency-Key': 'f5e5f430-f57b-4e6e-9fac-d9128cd7232f',
};

describe('gitlab: secret token', () => {
  it('a delivery with the token is valid, and the verdict says a token was compared, not a signature', () => {
    const v = verify('gitlab', { body: BODY, headers: { ...DOCS_HEADERS, 'X-Gitlab-Token': TOKEN }, secrets: [TOKEN], now: NOW });
    expect(v).toMatchObject({ valid: true, reason: 'ok', proof: 'token', message: 'token matches (the body is not signed)' });
    expect((v as { check?: string }).check).toMatch(/proves who sent the delivery, not what/);
  });

  it('sign gives the X-Gitlab-Token header, and round-trips', () => {
    expect(sign('gitlab', { body: BODY, secrets: [TOKEN] })).toEqual({ 'X-Gitlab-Token': TOKEN });
    expect(verify('gitlab', { body: BODY, headers: sign('gitlab', { body: BODY, secrets: [TOKEN] }), secrets: [TOKEN] }).valid).toBe(true);
  });

  it('event type and id: object_kind and Idempotency-Key', () => {
    expect(gitlab.eventInfo!({ 'x-gitlab-event': 'Push Hook', 'idempotency-key': 'k-1' }, JSON.parse(BODY))).toEqual({ type: 'push', id: 'k-1' });
  });

  it.each([
    ['tampered body (not signed: still valid, said plainly)', { body: BODY.replace('John', 'Jane'), headers: { 'X-Gitlab-Token': TOKEN } }, 'ok'],
    ['tampered token', { body: BODY, headers: { 'X-Gitlab-Token': `${TOKEN}x` } }, 'no_match'],
    ['wrong secret', { body: BODY, headers: { 'X-Gitlab-Token': 'another-token' } }, 'no_match'],
    ['missing header', { body: BODY, headers: { 'X-Gitlab-Event': 'Push Hook' } }, 'missing_header'],
    ['empty header', { body: BODY, headers: { 'X-Gitlab-Token': '' } }, 'malformed_header'],
  ] as const)('%s', (_name, d, reason) => {
    const v = verify('gitlab', { ...d, secrets: [TOKEN], now: NOW });
    expect(v.reason).toBe(reason);
    if (reason !== 'missing_header') expect(v.proof).toBe('token');
  });

  it('random X-Gitlab-Token values never throw', () => headerProperty(gitlab, 'X-Gitlab-Token', [TOKEN]));
});

describe('gitlab: signing token (Standard Webhooks headers)', () => {
  const wh = new Webhook(SIGNING);

  it('whk signs what the standardwebhooks library verifies', () => {
    const h = sign('gitlab', { body: BODY, secrets: [SIGNING], timestamp: Math.floor(Date.now() / 1000), id: DOCS_HEADERS['Idempotency-Key'] });
    expect(Object.keys(h).sort()).toEqual(['webhook-id', 'webhook-signature', 'webhook-timestamp']);
    expect(wh.verify(BODY, h)).toEqual(JSON.parse(BODY));
  });

  it('whk verifies what the standardwebhooks library signs, with the token given too, and finds which secret matched', () => {
    const id = DOCS_HEADERS['Idempotency-Key'];
    const sig = wh.sign(id, new Date(NOW * 1000), BODY);
    const headers = { ...DOCS_HEADERS, 'X-Gitlab-Token': TOKEN, 'webhook-id': id, 'webhook-timestamp': String(NOW), 'webhook-signature': sig };
    const v = verify('gitlab', { body: BODY, headers, secrets: [TOKEN, SIGNING], now: NOW + 5 });
    expect(v).toMatchObject({ valid: true, secretIndex: 1, matched: 'raw body (signing token)' });
    expect(v.proof).toBeUndefined();
    // With the secret token alone, the token is what is checked, and the verdict says so.
    const t = verify('gitlab', { body: BODY, headers, secrets: [TOKEN], now: NOW + 5 });
    expect(t).toMatchObject({ valid: true, proof: 'token' });
    expect(t.message).toMatch(/also carries a webhook-signature/);
  });

  it.each([
    ['tampered body', (h: Record<string, string>) => [BODY.replace('John', 'Jane'), h], 'no_match'],
    ['tampered signature', (h: Record<string, string>) => [BODY, { ...h, 'webhook-signature': h['webhook-signature']!.replace(/v1,./, 'v1,A') }], 'no_match'],
    ['stale', (h: Record<string, string>) => [BODY, h, NOW + 301], 'timestamp_too_old'],
    ['future', (h: Record<string, string>) => [BODY, h, NOW - 301], 'timestamp_in_future'],
    ['malformed signature', (h: Record<string, string>) => [BODY, { ...h, 'webhook-signature': 'garbage' }], 'malformed_header'],
  ] as const)('%s', (_n, edit, reason) => {
    const h = sign('gitlab', { body: BODY, secrets: [SIGNING], timestamp: NOW, id: 'msg_1' });
    const [body, headers, now = NOW] = edit(h) as [string, Record<string, string>, number?];
    expect(verify('gitlab', { body, headers, secrets: [SIGNING], now }).reason).toBe(reason);
  });

  it('a signed delivery without X-Gitlab-Token, checked with a secret token only: the secret is the wrong kind', () => {
    const h = sign('gitlab', { body: BODY, secrets: [SIGNING], timestamp: NOW, id: 'msg_1' });
    expect(verify('gitlab', { body: BODY, headers: h, secrets: [TOKEN], now: NOW }).reason).toBe('bad_secret');
  });

  it('the body is signed only with a signing token (what probe asks of a receiver)', () => {
    expect(gitlab.signsBody!([TOKEN])).toBe(false);
    expect(gitlab.signsBody!([SIGNING])).toBe(true);
    expect(signDelivery('gitlab', { body: BODY, secrets: [TOKEN] }).body.toString()).toBe(BODY);
  });
});

describe('gitlab through the CLI', () => {
  it('whk sign / whk verify', async () => {
    const s = await whk(['sign', '--scheme', 'gitlab', '--secret', TOKEN, '--body', BODY]);
    expect(s.stdout.trim()).toBe(`X-Gitlab-Token: ${TOKEN}`);
    const v = await whk(['verify', '--scheme', 'gitlab', '--secret', TOKEN, '--body', BODY, '--header', `X-Gitlab-Token: ${TOKEN}`, '--json']);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ valid: true, message: 'token matches (the body is not signed)' });
    const bad = await whk(['verify', '--scheme', 'gitlab', '--secret', TOKEN, '--body', BODY, '--header', 'X-Gitlab-Token: nope']);
    expect(bad.code).toBe(1);
  });

  it('send -> listen (200, and 401 with --wrong-secret) and probe, with a secret token and with a signing token', async () => {
    await sendListenProbe('gitlab', TOKEN);
    await sendListenProbe('gitlab', SIGNING);
  }, 60_000);
});
