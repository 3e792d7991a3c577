/**
 * buildkite: X-Buildkite-Signature (HMAC-SHA256 hex of "timestamp.body") or X-Buildkite-Token (the
 * token in clear: "token matches", the body not signed), whichever the delivery carries.
 * Independent: the signer written from Buildkite's docs text in Python
 * (test/providers/python/buildkite.py, https://buildkite.com/docs/apis/webhooks/pipelines#webhook-signature)
 * and its vectors (test/providers/vectors/buildkite.json), both directions. The docs' example value
 * "timestamp=1619071700,signature=30222eb5...6ldb768f1d40e0edbn6e43f0" is not a real digest (it
 * has "l" and "n"): whk refuses it as malformed.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sign, verify } from '../../src/index.js';
import { buildkite } from '../../src/providers/buildkite.js';
import { whk } from '../helpers/in-process.js';
import { headerProperty, python, sendListenProbe } from './_provb.js';

const vectors = JSON.parse(readFileSync(fileURLToPath(new URL('./vectors/buildkite.json', import.meta.url)), 'utf8')) as {
  cases: Array<{ secret: string; body: string; timestamp: number; headers: Record<string, string> }>;
};
const TOKEN = '309c9c842g8565adecpd7469x6005989'; // the docs' example token
const BODY = vectors.cases[0]!.body;
const NOW = 1_619_071_700;

describe('buildkite: signature', () => {
  it.each(vectors.cases.map((c, i) => [i + 1, c] as const))('vector %i: whk signs it byte for byte and verifies it', (_i, c) => {
    expect(sign('buildkite', { body: c.body, secrets: [c.secret], timestamp: c.timestamp })).toEqual(c.headers);
    expect(verify('buildkite', { body: c.body, headers: c.headers, secrets: [c.secret], now: c.timestamp })).toMatchObject({ valid: true, reason: 'ok' });
  });

  it('Python from the docs text signs what whk verifies, and the reverse, on fresh input', () => {
    const body = '{"event":"build.failing","build":{"branch":"ünï/😀"}}';
    const py = python('buildkite', { secret: 'fresh-token', body, timestamp: NOW + 7 });
    expect(verify('buildkite', { body, headers: py, secrets: ['fresh-token'], now: NOW + 7 }).valid).toBe(true);
    expect(sign('buildkite', { body, secrets: ['fresh-token'], timestamp: NOW + 7 })).toEqual(py);
  });

  it('the header parses as the docs\' Ruby sample does (pairs in any order, spaces trimmed)', () => {
    const sig = sign('buildkite', { body: BODY, secrets: [TOKEN], timestamp: NOW })['X-Buildkite-Signature']!;
    const [t, s] = sig.split(',');
    expect(verify('buildkite', { body: BODY, headers: { 'X-Buildkite-Signature': ` ${s}, ${t} ` }, secrets: [TOKEN], now: NOW }).valid).toBe(true);
  });

  it('the docs\' example header is not a real digest', () => {
    const v = verify('buildkite', { body: BODY, headers: { 'X-Buildkite-Signature': 'timestamp=1619071700,signature=30222eb518dc3fb61ec9e64dd78d163f62cb134a6ldb768f1d40e0edbn6e43f0' }, secrets: [TOKEN], now: NOW });
    expect(v.reason).toBe('malformed_header');
  });

  const signed = sign('buildkite', { body: BODY, secrets: [TOKEN], timestamp: NOW })['X-Buildkite-Signature']!;
  it.each([
    ['tampered body', BODY.replace('passed', 'failed'), signed, NOW, 'no_match'],
    ['tampered signature', BODY, signed.replace(/signature=./, 'signature=0').replace('signature=00', 'signature=01'), NOW, 'no_match'],
    ['wrong secret', BODY, sign('buildkite', { body: BODY, secrets: ['other'], timestamp: NOW })['X-Buildkite-Signature']!, NOW, 'no_match'],
    ['malformed (no signature=)', BODY, `timestamp=${NOW}`, NOW, 'malformed_header'],
    ['no timestamp=', BODY, signed.replace(/timestamp=\d+,/, ''), NOW, 'missing_timestamp'],
    ['stale', BODY, signed, NOW + 301, 'timestamp_too_old'],
    ['future', BODY, signed, NOW - 301, 'timestamp_in_future'],
    ['at the edge (300 s)', BODY, signed, NOW + 300, 'ok'],
  ] as const)('%s', (_n, body, header, now, reason) => {
    expect(verify('buildkite', { body, headers: { 'X-Buildkite-Signature': header }, secrets: [TOKEN], now }).reason).toBe(reason);
  });

  it('missing both headers', () => {
    expect(verify('buildkite', { body: BODY, headers: { 'X-Buildkite-Event': 'build.finished' }, secrets: [TOKEN] }).reason).toBe('missing_header');
  });

  it('random X-Buildkite-Signature values never throw', () => headerProperty(buildkite, 'X-Buildkite-Signature', [TOKEN]));
});

describe('buildkite: token mode', () => {
  it('the token in clear: valid, and the verdict says a token was compared', () => {
    const v = verify('buildkite', { body: BODY, headers: { 'X-Buildkite-Event': 'build.finished', 'X-Buildkite-Token': TOKEN }, secrets: [TOKEN] });
    expect(v).toMatchObject({ valid: true, proof: 'token', message: 'token matches (the body is not signed)' });
  });
  it.each([
    ['wrong token', 'nope', 'no_match'],
    ['empty token', '', 'malformed_header'],
  ])('%s', (_n, token, reason) => {
    const v = verify('buildkite', { body: BODY, headers: { 'X-Buildkite-Token': token }, secrets: [TOKEN] });
    expect(v).toMatchObject({ reason, proof: 'token' });
  });
  it('random X-Buildkite-Token values never throw', () => headerProperty(buildkite, 'X-Buildkite-Token', [TOKEN]));
  it('event type and id: the body\'s event and build id', () => {
    expect(buildkite.eventInfo!({}, JSON.parse(BODY))).toEqual({ type: 'build.finished', id: '0190a4b2-8c3d-4e5f-9a6b-7c8d9e0f1a2b' });
  });
});

describe('buildkite through the CLI', () => {
  it('whk sign / whk verify (signature and token)', async () => {
    const s = await whk(['sign', '--scheme', 'buildkite', '--secret', vectors.cases[0]!.secret, '--body', BODY, '--timestamp', String(vectors.cases[0]!.timestamp)]);
    expect(s.stdout.trim()).toBe(`X-Buildkite-Signature: ${vectors.cases[0]!.headers['X-Buildkite-Signature']}`);
    const v = await whk(['verify', '--scheme', 'buildkite', '--secret', TOKEN, '--body', BODY, '--header', `X-Buildkite-Token: ${TOKEN}`, '--json']);
    expect(JSON.parse(v.stdout)).toMatchObject({ valid: true, message: 'token matches (the body is not signed)' });
    const stale = await whk(['verify', '--scheme', 'buildkite', '--secret', vectors.cases[0]!.secret, '--body', BODY, '--header', `X-Buildkite-Signature: ${vectors.cases[0]!.headers['X-Buildkite-Signature']}`]);
    expect(stale.code).toBe(1);
    expect(stale.stdout + stale.stderr).toMatch(/timestamp_too_old/);
  });

  it('send -> listen (200, 401 with --wrong-secret) and probe', async () => {
    await sendListenProbe('buildkite', TOKEN);
  }, 60_000);
});
