/**
 * Fireblocks webhooks: `Fireblocks-Signature` (base64 RSA-SHA512 of the raw body, legacy static
 * keys) and `Fireblocks-Webhook-Signature` (webhooks v2: detached JWS, RS512, keys from the
 * environment's JWKS), as https://developers.fireblocks.com/reference/validating-webhooks says.
 * Checked against a signer/verifier written from that page in Python with the openssl CLI
 * (test/providers/python/fireblocks.py), both ways, and directly with `openssl dgst`.
 */
import { createPublicKey } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { sign, verify } from '../../src/index.js';
import { getScheme } from '../../src/index.js';
import { secretProblem } from '../../src/schemes/secrets.js';
import { REASONS } from '../../src/schemes/types.js';
import { fireblocks } from '../../src/providers/fireblocks.js';
import type { SampleContext } from '../../src/schemes/samples.js';
import { whk } from '../helpers/in-process.js';
import { catalogue, keyPair, openssl, sendListenProbe, type KeyFiles } from './_keypairs.js';
import { python as signer } from './_python.js';

const python = (mode: 'sign' | 'verify', c: unknown) => signer<Record<string, unknown>>('fireblocks', c, mode);

const LEGACY = 'fireblocks-signature';
const JWS = 'fireblocks-webhook-signature';
const NOW = 1_732_960_000;
const ctx: SampleContext = { id: '0f1e2d3c-4b5a-4697-8877-665544332211', delivery: 'd', now: NOW, nowMs: NOW * 1000, created: new Date(NOW * 1000).toISOString(), createdUnix: NOW, attempt: 1, url: 'https://example.com/fb' };

let key: KeyFiles;
let other: KeyFiles;
let body: string;
beforeAll(async () => {
  await catalogue();
  key = keyPair('rsa', 'fireblocks');
  other = keyPair('rsa', 'fireblocks-other');
  body = fireblocks.samples!.events[0]!.body(ctx);
});

const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
const signed = (b = body) => lower(sign('fireblocks', { body: b, secrets: [key.privatePem] }));
const judge = (headers: Record<string, string>, secrets = [key.publicPem], b = body) => verify('fireblocks', { body: b, headers, secrets, now: NOW });
/** The key as a JWK with a kid, and as the JWKS the endpoints serve. */
const jwk = (pem: string, kid: string) => ({ ...(createPublicKey(pem).export({ format: 'jwk' }) as object), kid, use: 'sig', alg: 'RS512' });

describe('fireblocks: sign and verify', () => {
  it('is in the catalogue, a key-pair scheme with the published keys as default', () => {
    expect(getScheme('fireblocks')).toBe(fireblocks);
    expect(fireblocks.keyKind).toBe('rsa');
    expect(fireblocks.detect).toEqual(['Fireblocks-Signature', 'Fireblocks-Webhook-Signature']);
    expect(fireblocks.publishedKeys!.map((k) => [k.name, createPublicKey(k.key).asymmetricKeyDetails!.modulusLength])).toEqual([
      ['US production (Mainnet & Testnet)', 4096], ['EU & EU2 production (Mainnet & Testnet)', 4096], ['Developer Sandbox', 2048], ['Sandbox (earlier key)', 2048],
    ]);
  });

  it('round trip: both headers; the public key, the private key, a JWK or the JWKS verify', () => {
    const h = signed();
    expect(Object.keys(h).sort()).toEqual([LEGACY, JWS]);
    expect(h[JWS]).toMatch(/^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+$/);
    const header = JSON.parse(Buffer.from(h[JWS]!.split('.')[0]!, 'base64url').toString()) as { alg: string; kid: string };
    expect(header.alg).toBe('RS512');
    for (const secret of [key.publicPem, key.privatePem, JSON.stringify(jwk(key.publicPem, header.kid)), JSON.stringify({ keys: [jwk(other.publicPem, 'old'), jwk(key.publicPem, header.kid)] })]) {
      expect(judge(h, [secret])).toMatchObject({ valid: true, matched: expect.stringMatching(/^raw body \(Fireblocks-Webhook-Signature, JWS RS512\)/) });
      expect(judge({ [LEGACY]: h[LEGACY]! }, [secret])).toMatchObject({ valid: true, matched: expect.stringMatching(/^raw body \(Fireblocks-Signature, RSA-SHA512\)/) });
      expect(judge({ [JWS]: h[JWS]! }, [secret])).toMatchObject({ valid: true });
    }
  });

  it('either header verifying is enough (during the migration the two are signed with different keys)', () => {
    const legacyOnly = lower(sign('fireblocks', { body, secrets: [other.privatePem] }));
    const mixed = { [LEGACY]: legacyOnly[LEGACY]!, [JWS]: signed()[JWS]! };
    expect(judge(mixed, [key.publicPem]).valid).toBe(true);
    expect(judge(mixed, [other.publicPem]).valid).toBe(true);
  });

  it('a JWKS key whose kid differs from the JWS header\'s is not used', () => {
    const h = signed();
    expect(judge({ [JWS]: h[JWS]! }, [JSON.stringify({ keys: [jwk(key.publicPem, 'another-kid')] })]).reason).toBe('no_match');
  });

  it('samples: webhooks v2 notifications, compact JSON; eventInfo reads eventType and id (v1: type)', () => {
    const o = JSON.parse(body) as { id: string; eventType: string };
    expect(JSON.stringify(o)).toBe(body);
    expect(fireblocks.eventInfo!({}, o)).toEqual({ type: 'transaction.status.updated', id: ctx.id });
    expect(fireblocks.eventInfo!({}, { type: 'TRANSACTION_CREATED', tenantId: 't', timestamp: 1, data: {} })).toEqual({ type: 'TRANSACTION_CREATED' });
  });
});

describe('fireblocks: independent checks (Fireblocks\' text, Python + the openssl CLI)', () => {
  it.each(fireblocks.samples!.events.map((e) => e.event))('openssl verifies both of whk\'s signatures (%s)', (event) => {
    const b = fireblocks.samples!.events.find((e) => e.event === event)!.body(ctx);
    const h = signed(b);
    expect(python('verify', { body: b, headers: h, pub: key.publicFile })).toEqual({ legacy: true, jws: true });
    expect(python('verify', { body: `${b} `, headers: h, pub: key.publicFile })).toEqual({ legacy: false, jws: false });
    // And `openssl dgst` on the raw bytes, as the docs' step list says.
    const sig = join(key.dir, `sig-${event}.bin`);
    writeFileSync(sig, Buffer.from(h[LEGACY]!, 'base64'));
    expect(openssl(['dgst', '-sha512', '-verify', key.publicFile, '-signature', sig], b).toString()).toMatch(/Verified OK/);
  });

  it('whk verifies what openssl signed (both headers), non-ASCII body included', () => {
    for (const b of [body, '{"type":"TRANSACTION_CREATED","tenantId":"t","timestamp":1732960000000,"data":{"note":"paiement reçu ✓"}}']) {
      const h = lower(python('sign', { body: b, key: key.privateFile, kid: 'webhook-key-2025-01' }) as Record<string, string>);
      expect(judge(h, [key.publicPem], b)).toMatchObject({ valid: true });
      expect(judge({ [LEGACY]: h[LEGACY]! }, [key.publicPem], b)).toMatchObject({ valid: true });
      expect(judge({ [JWS]: h[JWS]! }, [JSON.stringify({ keys: [jwk(key.publicPem, 'webhook-key-2025-01')] })], b)).toMatchObject({ valid: true });
      expect(judge(h, [other.publicPem], b).reason).toBe('no_match');
    }
  });
});

const flip = (s: string, at = 10) => s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1);

describe('fireblocks: each mutation gives its reason', () => {
  it.each([
    ['valid', 'ok', (h: Record<string, string>) => ({ h })],
    ['tampered body', 'no_match', (h: Record<string, string>) => ({ h, b: body.replace('COMPLETED', 'CANCELLED') })],
    ['tampered legacy signature (no JWS)', 'no_match', (h: Record<string, string>) => ({ h: { [LEGACY]: flip(h[LEGACY]!) } })],
    ['tampered JWS signature (no legacy)', 'no_match', (h: Record<string, string>) => ({ h: { [JWS]: flip(h[JWS]!, h[JWS]!.length - 20) } })],
    ['both tampered', 'no_match', (h: Record<string, string>) => ({ h: { [LEGACY]: flip(h[LEGACY]!), [JWS]: flip(h[JWS]!, h[JWS]!.length - 20) } })],
    ['wrong key', 'no_match', (h: Record<string, string>) => ({ h, s: [other.publicPem] })],
    ['no signature header', 'missing_header', () => ({ h: {} })],
    ['legacy not base64', 'malformed_header', () => ({ h: { [LEGACY]: 'garbage!' } })],
    ['JWS not detached', 'malformed_header', (h: Record<string, string>) => ({ h: { [JWS]: h[JWS]!.replace('..', '.e30.') } })],
    ['JWS alg HS256', 'malformed_header', (h: Record<string, string>) => ({ h: { [JWS]: `${Buffer.from('{"alg":"HS256"}').toString('base64url')}..${h[JWS]!.split('..')[1]}` } })],
    ['both malformed', 'malformed_header', () => ({ h: { [LEGACY]: 'garbage!', [JWS]: 'garbage' } })],
    ['one malformed, the other tampered', 'no_match', (h: Record<string, string>) => ({ h: { [LEGACY]: flip(h[LEGACY]!), [JWS]: 'garbage' } })],
    ['an EC key given', 'bad_secret', (h: Record<string, string>) => ({ h, s: [keyPair('ec', 'fb-ec').publicPem] })],
    ['text given', 'bad_secret', (h: Record<string, string>) => ({ h, s: ['my-secret'] })],
    ['a JWKS without RSA keys', 'bad_secret', (h: Record<string, string>) => ({ h, s: ['{"keys":[{"kty":"EC"}]}'] })],
  ] as const)('%s → %s', (_name, reason, change) => {
    const c = change(signed()) as { h: Record<string, string>; b?: string; s?: string[] };
    const v = judge(c.h, c.s ?? [key.publicPem], c.b ?? body);
    expect(v.reason, v.message).toBe(reason);
  });

  it('no secret given: the published keys are tried, and the verdict says so', () => {
    const v = verify('fireblocks', { body, headers: signed(), secrets: [], now: NOW });
    expect(v).toMatchObject({ valid: false, reason: 'no_match', message: expect.stringMatching(/tried Fireblocks' published keys: US production .*; a webhooks v2 JWS needs your environment's JWKS/) });
    // Another scheme still needs a secret.
    expect(() => verify('github', { body, headers: {}, secrets: [] })).toThrow(/no secret/);
  });

  it('secrets: the private key signs; a PEM public key or a JWKS verifies but cannot sign', () => {
    expect(secretProblem(fireblocks, key.privatePem, 'sign')).toBeUndefined();
    expect(secretProblem(fireblocks, key.publicPem, 'verify')).toBeUndefined();
    expect(secretProblem(fireblocks, JSON.stringify({ keys: [jwk(key.publicPem, 'k')] }), 'verify')).toBeUndefined();
    expect(secretProblem(fireblocks, key.publicPem, 'sign')).toMatch(/signing needs the RSA private key/);
    expect(secretProblem(fireblocks, '{not json', 'verify')).toMatch(/not JSON: give a JWK, a JWKS/);
  });
});

describe('fireblocks: header parsing (fast-check)', () => {
  it('any header values: a verdict with a known reason, never an exception', () => {
    const h = signed();
    const value = fc.oneof(fc.string(), fc.base64String(), fc.constant(h[JWS]!), fc.constant(h[LEGACY]!),
      fc.tuple(fc.base64String(), fc.string(), fc.base64String()).map((p) => p.join('.')),
      fc.jsonValue().map((j) => `${Buffer.from(JSON.stringify(j)).toString('base64url')}..AAAA`));
    fc.assert(fc.property(fc.option(value, { nil: undefined }), fc.option(value, { nil: undefined }), fc.string(), (a, b, bodyText) => {
      const headers: Record<string, string> = {};
      if (a !== undefined) headers[LEGACY] = a;
      if (b !== undefined) headers[JWS] = b;
      const v = judge(headers, [key.publicPem], bodyText);
      expect(REASONS).toContain(v.reason);
      expect(v.valid).toBe(false);
    }), { numRuns: 300 });
  });
});

describe('fireblocks: the CLI', () => {
  it('whk sign (private key file), whk verify (public key file; with no secret, the published keys: exit 1, not 2)', async () => {
    const bodyFile = join(key.dir, 'body.json');
    writeFileSync(bodyFile, body);
    const s = await whk(['sign', '--scheme', 'fireblocks', '--secret-file', key.privateFile, '--body-file', bodyFile, '--json']);
    expect(s.code, s.stderr).toBe(0);
    const h = (JSON.parse(s.stdout) as { headers: Record<string, string> }).headers;
    expect(python('verify', { body, headers: h, pub: key.publicFile })).toEqual({ legacy: true, jws: true });
    const hdr = Object.entries(h).flatMap(([k, v]) => ['--header', `${k}: ${v}`]);
    const ok = await whk(['verify', '--scheme', 'fireblocks', '--secret-file', key.publicFile, ...hdr, '--body-file', bodyFile]);
    expect(ok.stdout, ok.stderr).toMatch(/^✓ valid \(fireblocks/);
    const auto = await whk(['verify', '--secret-file', key.publicFile, ...hdr, '--body-file', bodyFile, '--json']);
    expect(JSON.parse(auto.stdout)).toMatchObject({ valid: true, scheme: 'fireblocks' });
    const published = await whk(['verify', '--scheme', 'fireblocks', ...hdr, '--body-file', bodyFile, '--json']);
    expect(published.code, published.stderr).toBe(1);
    expect(JSON.parse(published.stdout)).toMatchObject({ valid: false, reason: 'no_match', message: expect.stringMatching(/published keys/) });
  });

  it('whk send (private key) to whk listen (public key): 200, --wrong-secret 401; whk probe passes', async () => {
    await sendListenProbe('fireblocks', ['--secret-file', key.privateFile], ['--secret-file', key.publicFile], ['', 'transaction.created', 'vault_account.asset.added']);
  }, 40_000);
});
