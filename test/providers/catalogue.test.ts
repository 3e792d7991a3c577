/**
 * Every provider of the catalogue (src/providers/index.ts), the same checks: a delivery built as
 * `whk send` builds it (the provider's own sample event) verifies, by name and by auto-detection;
 * the mutation table gives the right reasons; random signature headers never throw; the sample's
 * event type and id are found where the provider says they are. Key-pair providers need a key
 * pair: their own test files cover them.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalogueSchemes } from '../../src/providers/index.js';
import { verify } from '../../src/index.js';
import { getScheme } from '../../src/index.js';
import { isKeyPair, REASONS, type Scheme } from '../../src/schemes/types.js';
import { builder } from '../../src/send/build.js';
import type { Negative } from '../../src/send/negative.js';
import { findSample, samplesFor } from '../../src/providers/samples.js';

// Key pairs, and signatures written into the body (no signature header to mutate), have their own tests.
const providers = catalogueSchemes().filter((s) => !isKeyPair(s.keyKind) && !s.signBody);

const KEY = Buffer.from('whk catalogue test key, 32 bytes').toString('base64');
const SECRETS: Record<string, string> = {
  text: 'whk-catalogue-s3cret-0123456789',
  token: 'whk-catalogue-token-0123456789',
  whsec: `whsec_${KEY}`,
  base64: KEY,
  hex: Buffer.from(KEY, 'base64').toString('hex'),
};
const secretOf = (s: Scheme) => SECRETS[s.keyKind ?? 'text']!;
const URL_ = new URL('http://127.0.0.1:4000/hooks/provider?tenant=7');

function delivery(s: Scheme, negative?: Negative) {
  const samples = samplesFor(s);
  const b = builder({ scheme: s, provider: samples, sample: findSample(samples, undefined), secrets: [secretOf(s)], url: URL_, negative });
  const req = b.build(b.newEvent());
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.headers.length; i += 2) headers[req.headers[i]!.toLowerCase()] = req.headers[i + 1]!;
  return { headers, body: Buffer.from(req.body) };
}

/** The signature headers a delivery carries (a provider may send several: Plivo's V3 and Ma-V3). */
const signatureHeaders = (s: Scheme, headers: Record<string, string>) =>
  (s.detect ?? s.headers.slice(0, 1)).map((h) => h.toLowerCase()).filter((h) => h in headers);

const judge = (s: Scheme | 'auto', d: { headers: Record<string, string>; body: Buffer }, secret: string) =>
  verify(s, { body: d.body, headers: d.headers, secrets: [secret], url: URL_.href, method: 'POST', diagnose: false });

describe('the catalogue', () => {
  beforeAll(() => expect(providers.length).toBeGreaterThan(40));

  it('every provider says where its docs are and what it is checked against', () => {
    for (const s of catalogueSchemes()) {
      expect(s.docs, s.name).toMatch(/^https:\/\//);
      expect(s.checkedBy, s.name).toMatch(/^(SDK|docs example|docs text)/);
      expect(s.name, s.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    }
  });
});

describe.each(providers.map((s) => [s.name, s] as const))('%s', (_name, s) => {
  const secret = secretOf(s);

  it('a delivery built as whk send builds it verifies, by name and by auto-detection', () => {
    const d = delivery(s);
    expect(judge(s, d, secret)).toMatchObject({ valid: true, scheme: s.name });
    expect(judge('auto', d, secret)).toMatchObject({ valid: true });
    expect(getScheme(s.name)).toBe(s);
  });

  it('the sample event: its type and id are where the provider says', () => {
    const d = delivery(s);
    const samples = samplesFor(s);
    const text = d.body.toString('utf8');
    const info = s.eventInfo?.(d.headers, /^\s*[{[]/.test(text) ? JSON.parse(text) : null);
    if (s.definition?.eventType) expect(info?.type).toBe(findSample(samples, undefined).event);
  });

  it('the mutation table', () => {
    const reasonOf = (neg: Negative) => judge(s, delivery(s, neg), secret).reason;
    if (s.timestamp) {
      expect(reasonOf({ kind: 'stale', ms: (s.timestamp.tolerance + 60) * 1000 })).toBe('timestamp_too_old');
      expect(reasonOf({ kind: 'future', ms: (s.timestamp.tolerance + 60) * 1000 })).toBe(s.timestamp.direction === 'both' ? 'timestamp_in_future' : 'ok');
    }
    // A shared token proves who sent it, not what: a changed body still carries the right token.
    expect(reasonOf({ kind: 'tamper-body' })).toBe(s.keyKind === 'token' ? 'ok' : 'no_match');
    expect(['no_match', 'malformed_header']).toContain(reasonOf({ kind: 'tamper-signature' }));
    expect(reasonOf({ kind: 'wrong-secret' })).toBe('no_match');
    expect(reasonOf({ kind: 'no-signature' })).toBe('missing_header');
    const d = delivery(s);
    for (const h of signatureHeaders(s, d.headers)) d.headers[h] = 'not a signature';
    expect(['malformed_header', 'no_match', 'missing_timestamp']).toContain(judge(s, d, secret).reason);
  });

  it('any signature header value: a verdict, never an exception', () => {
    const d = delivery(s);
    const present = signatureHeaders(s, d.headers);
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (value) => {
      const headers = { ...d.headers };
      for (const h of present) headers[h] = value;
      const v = judge(s, { body: d.body, headers }, secret);
      expect(REASONS).toContain(v.reason);
      if (present.every((h) => value !== d.headers[h])) expect(v.valid).toBe(false);
    }), { numRuns: 60 });
  });
});
