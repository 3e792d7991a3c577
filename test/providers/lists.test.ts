/**
 * Several signatures in one delivery, as providers send them while a secret rotates: whk accepts
 * the delivery when any of them matches, and skips versions it does not know, as the providers'
 * own SDKs do. Each signature here comes from an independent signer (the svix SDK, the Python
 * signers written from each provider's docs, Box's SDK vectors); whk only verifies, through the
 * built CLI.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { whk } from '../helpers/in-process.js';
import { python } from './_provb.js';

const NOW = 1_700_000_000;
const BODY = '{"type":"user.created","data":{"id":"user_1","name":"Zoë"}}';
const HEX = 'ab'.repeat(32);

/** `whk verify` of one delivery: exit code, and the verdict as JSON. */
async function verifyCli(scheme: string, secret: string, headers: Record<string, string>, body = BODY) {
  const r = await whk(['verify', '--scheme', scheme, '--secret', secret, '--body', body, '--now', String(NOW), '--json',
    ...Object.entries(headers).flatMap(([k, v]) => ['--header', `${k}: ${v}`])]);
  return { code: r.code, verdict: JSON.parse(r.stdout) as { valid: boolean; reason: string } };
}

describe('Svix-delivered providers (clerk, resend): a space-separated list of v1 entries', () => {
  const KEY = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const OLD = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
  const id = 'msg_2LJ5z0JHKrFZ8jK5Wd4yvvYkFM8';
  const at = new Date(NOW * 1000);
  const good = new SvixWebhook(KEY).sign(id, at, BODY);
  const old = new SvixWebhook(OLD).sign(id, at, BODY);
  const headers = (signature: string) => ({ 'svix-id': id, 'svix-timestamp': String(NOW), 'svix-signature': signature });

  it('the svix SDK itself accepts such a header (signed now: the SDK reads the clock)', () => {
    const now = new Date();
    const rotated = `${new SvixWebhook(OLD).sign(id, now, BODY)} v1a,${Buffer.alloc(64, 1).toString('base64')} ${new SvixWebhook(KEY).sign(id, now, BODY)}`;
    const at = { 'svix-id': id, 'svix-timestamp': String(Math.floor(now.getTime() / 1000)), 'svix-signature': rotated };
    expect(() => new SvixWebhook(KEY).verify(BODY, at)).not.toThrow();
    expect(() => new SvixWebhook(`whsec_${Buffer.alloc(32, 9).toString('base64')}`).verify(BODY, at)).toThrow();
  });

  it.each(['clerk', 'resend'])('%s: the matching entry at any place among others verifies; none matching is no_match', async (scheme) => {
    for (const signature of [`${good} ${old}`, `${old} ${good}`, `${old} v1a,${Buffer.alloc(64, 1).toString('base64')} ${good}`, `v2,${Buffer.alloc(32).toString('base64')} ${good}`]) {
      const r = await verifyCli(scheme, KEY, headers(signature));
      expect([signature, r.code, r.verdict.reason]).toEqual([signature, 0, 'ok']);
    }
    const none = await verifyCli(scheme, KEY, headers(`${old} ${old}`));
    expect([none.code, none.verdict.reason]).toEqual([1, 'no_match']);
  });
});

describe('orb: space-separated v1= entries, other versions skipped (as the orb-billing SDK does)', () => {
  const SECRET = 'orb_whsec_7d1e9c';
  const ts = '2023-11-14T22:13:20.000000';
  const sig = (secret: string) => python('orb', { secret, body: BODY, timestamp: ts })['X-Orb-Signature']!;
  const good = sig(SECRET);
  const old = sig('orb_whsec_old');

  it.each([
    ['two v1 entries, the matching one second', `${old} ${good}`],
    ['two v1 entries, the matching one first', `${good} ${old}`],
    ['a v2 entry beside a valid v1', `v2=${HEX} ${good}`],
  ])('%s', async (_what, signature) => {
    const r = await verifyCli('orb', SECRET, { 'X-Orb-Timestamp': ts, 'X-Orb-Signature': signature });
    expect([r.code, r.verdict.reason]).toEqual([0, 'ok']);
  });

  it('no v1 entry matching: no_match', async () => {
    const r = await verifyCli('orb', SECRET, { 'X-Orb-Timestamp': ts, 'X-Orb-Signature': `v2=${HEX} ${old}` });
    expect([r.code, r.verdict.reason]).toEqual([1, 'no_match']);
  });
});

describe('circleci: a comma-separated list of versioned signatures', () => {
  const good = python('circleci', { secret: 'circle-s3cret', body: BODY })['circleci-signature']!;
  it.each([[`v2=${HEX},${good}`], [`${good},v2=${HEX}`], [`v1=${HEX},${good}`]])('%s verifies', async (signature) => {
    const r = await verifyCli('circleci', 'circle-s3cret', { 'circleci-signature': signature });
    expect([r.code, r.verdict.reason]).toEqual([0, 'ok']);
  });
});

describe('persona: two space-separated t=,v1= groups while the secret rotates', () => {
  const group = (secret: string) => python('persona', { secret, body: BODY, timestamp: NOW })['Persona-Signature']!;
  it.each([
    ['the new secret\'s group second', () => `${group('wbhsec_old')} ${group('wbhsec_new')}`],
    ['the new secret\'s group first', () => `${group('wbhsec_new')} ${group('wbhsec_old')}`],
  ])('%s', async (_what, header) => {
    const r = await verifyCli('persona', 'wbhsec_new', { 'Persona-Signature': header() });
    expect([r.code, r.verdict.reason]).toEqual([0, 'ok']);
    const none = await verifyCli('persona', 'wbhsec_other', { 'Persona-Signature': header() });
    expect([none.code, none.verdict.reason]).toEqual([1, 'no_match']);
  });

  it('whk signs one group per secret, which Python\'s groups reproduce', async () => {
    const r = await whk(['sign', '--scheme', 'persona', '--secret', 'wbhsec_old', '--secret', 'wbhsec_new', '--body', BODY, '--timestamp', String(NOW)]);
    expect(r.stdout.trim()).toBe(`Persona-Signature: ${group('wbhsec_old')} ${group('wbhsec_new')}`);
  });
});

describe('box: one malformed signature header beside a valid one', () => {
  const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
  const SDK = (JSON.parse(readFileSync(root('test/providers/vectors/box.json'), 'utf8')) as { cases: Array<{ body: string; timestamp: string; headers: Record<string, string> }> }).cases[0]!;
  const headers = { 'BOX-SIGNATURE-VERSION': '1', 'BOX-SIGNATURE-ALGORITHM': 'HmacSHA256', 'BOX-DELIVERY-TIMESTAMP': SDK.timestamp, ...SDK.headers };

  it('a garbled primary with a valid secondary verifies with the secondary key, as the SDKs do', async () => {
    const now = String(Date.parse(SDK.timestamp) / 1000 + 60);
    const run = (secret: string, primary: string) => whk(['verify', '--scheme', 'box', '--secret', secret, '--body', SDK.body, '--now', now, '--json',
      ...Object.entries({ ...headers, 'BOX-SIGNATURE-PRIMARY': primary }).flatMap(([k, v]) => ['--header', `${k}: ${v}`])]);
    for (const primary of ['not-a-signature', HEX]) {
      const r = await run('SampleSecondaryKey', primary);
      expect([primary, r.code, JSON.parse(r.stdout).reason]).toEqual([primary, 0, 'ok']);
    }
    const wrong = await run('SampleTertiaryKey', 'not-a-signature');
    expect([wrong.code, JSON.parse(wrong.stdout).reason]).toEqual([1, 'no_match']);
  });
});

describe('docusign: one X-DocuSign-Signature-<n> header per Connect key', () => {
  const keys = ['q4v5cJxvA8R2bW0mZfN7tH1kL9pS3dE6gY2uI4oP8aQ=', '5kT8nQ2wX7rB4mZ9cV1jF6hL3sD0gA8pE2yU5iO7tRc=', 'third-connect-key'];
  const headers = python('docusign', { secrets: keys, body: BODY });

  it.each(keys.map((k, i) => [i + 1, k] as const))('the receiver holding key #%i alone verifies', async (_n, key) => {
    const r = await verifyCli('docusign', key, headers);
    expect([r.code, r.verdict.reason]).toEqual([0, 'ok']);
  });

  it('a key none of the headers matches: no_match; whk signs the same headers as Python', async () => {
    const r = await verifyCli('docusign', 'another-key', headers);
    expect([r.code, r.verdict.reason]).toEqual([1, 'no_match']);
    const s = await whk(['sign', '--scheme', 'docusign', ...keys.flatMap((k) => ['--secret', k]), '--body', BODY]);
    expect(s.stdout.trim().split('\n')).toEqual(Object.entries(headers).map(([k, v]) => `${k}: ${v}`));
  });
});
