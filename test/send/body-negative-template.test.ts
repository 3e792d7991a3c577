import { describe, expect, it } from 'vitest';
import { verify } from '../../src/index.js';
import { coreSchemes as schemes } from '../../src/providers/core.js';
import { getScheme } from '../../src/index.js';
import { rewriteNumberField, setBodyTimestamp } from '../../src/send/body-timestamp.js';
import { stripSignature, tamperBody, tamperSignature, wrongSecret } from '../../src/send/negative.js';
import { isSignatureHeader, signatureHeaders } from '../../src/schemes/twins.js';
import { registry } from '../helpers/registry.js';
import type { SampleContext } from '../../src/schemes/samples.js';
import { compile } from '../../src/send/template.js';
import { delivery, secretFor, URL_ } from './_fixtures.js';

describe('rewriteNumberField: the smallest byte edit', () => {
  it('changes only the digits of the top-level field, keeping spacing, order and escapes', () => {
    const body = Buffer.from('{"id":"wh-1", "data":{"timestampSent":1}, "note":"caf\\u00e9 \\"timestampSent\\": 5" ,\n  "timestampSent" :  1700000000 ,"x":[1]}');
    const out = rewriteNumberField(body, 'timestampSent', 1800000123)!.toString();
    expect(out).toBe(body.toString().replace(':  1700000000 ', ':  1800000123 '));
  });

  it('keeps bytes that are not valid UTF-8 as they were', () => {
    const body = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('","timestampSent":1}')]);
    const out = rewriteNumberField(body, 'timestampSent', 42)!;
    expect(out.subarray(0, 8)).toEqual(body.subarray(0, 8));
    expect(out.subarray(-5).toString()).toBe('":42}');
  });

  it('undefined when the field is missing, nested only, or not a number', () => {
    expect(rewriteNumberField(Buffer.from('{"data":{"timestampSent":1}}'), 'timestampSent', 2)).toBeUndefined();
    expect(rewriteNumberField(Buffer.from('{"timestampSent":"1"}'), 'timestampSent', 2)).toBeUndefined();
    expect(rewriteNumberField(Buffer.from('not json'), 'timestampSent', 2)).toBeUndefined();
  });

  it('setBodyTimestamp: Dfns seconds, Linear milliseconds, others untouched', () => {
    expect(setBodyTimestamp(getScheme('dfns'), Buffer.from('{"timestampSent":1}'), 1700000000.9).body.toString()).toBe('{"timestampSent":1700000000}');
    expect(setBodyTimestamp(getScheme('linear'), Buffer.from('{"webhookTimestamp":1}'), 1700000000.5).body.toString()).toBe('{"webhookTimestamp":1700000000500}');
    expect(setBodyTimestamp(getScheme('github'), Buffer.from('{"timestampSent":1}'), 5)).toMatchObject({ rewritten: false });
  });
});

describe('negative modes: each one change that the core refuses for the right reason', () => {
  const verifyNow = (scheme: string, d: ReturnType<typeof delivery>) =>
    verify(scheme, { body: d.req.body, headers: d.headers, secrets: [secretFor(scheme).verify], url: URL_.href });

  describe.each(schemes.map((s) => s.name))('%s', (scheme) => {
    it('tamper body -> no_match, and the body stays parseable', () => {
      const d = delivery(scheme, undefined, { negative: { kind: 'tamper-body' } });
      expect(verifyNow(scheme, d).reason).toBe('no_match');
      if (scheme !== 'twilio') expect(() => JSON.parse(d.body)).not.toThrow();
      expect(d.req.note).toMatch(/body changed after signing/);
    });

    it('tamper signature -> no_match', () => {
      const d = delivery(scheme, undefined, { negative: { kind: 'tamper-signature' } });
      expect(verifyNow(scheme, d).reason).toBe('no_match');
    });

    it('wrong secret -> no_match', () => {
      const d = delivery(scheme, undefined, { negative: { kind: 'wrong-secret' } });
      expect(d.b.wrongSecret).not.toBe(secretFor(scheme).sign);
      expect(verifyNow(scheme, d).reason).toBe('no_match');
    });

    it('no signature -> missing_header, the other headers kept', () => {
      const d = delivery(scheme, undefined, { negative: { kind: 'no-signature' } });
      expect(verifyNow(scheme, d).reason).toMatch(/missing_header/);
      expect(Object.keys(d.headers).some((h) => isSignatureHeader(h, registry.derive(signatureHeaders)))).toBe(false);
    });

    const rule = getScheme(scheme).timestamp;
    it.skipIf(!rule)('stale beyond the tolerance -> timestamp_too_old', () => {
      const d = delivery(scheme, undefined, { negative: { kind: 'stale', ms: (rule!.tolerance + 60) * 1000 } });
      expect(verifyNow(scheme, d).reason).toBe('timestamp_too_old');
    });

    it.skipIf(!rule)(`future beyond the tolerance -> ${rule?.direction === 'both' ? 'timestamp_in_future' : 'accepted (the scheme only refuses old ones)'}`, () => {
      const d = delivery(scheme, undefined, { negative: { kind: 'future', ms: (rule!.tolerance + 60) * 1000 } });
      expect(verifyNow(scheme, d).reason).toBe(rule!.direction === 'both' ? 'timestamp_in_future' : 'ok');
    });
  });

  it('tamperBody changes one digit near the middle, never into a leading zero', () => {
    const t = tamperBody(Buffer.from('{"amount":19,"x":"abc"}'));
    expect(t.body.toString()).toMatch(/^\{"amount":(29|18)/);
    expect(tamperBody(Buffer.from('{"a":"b"}')).body.toString()).not.toBe('{"a":"b"}');
    expect(tamperBody(Buffer.alloc(0)).body.toString()).toBe(' ');
  });

  it('tamperSignature changes every signature in a multi-signature header, not the timestamp', () => {
    const h = { 'Stripe-Signature': `t=1700000000,v1=${'a'.repeat(64)},v1=${'b'.repeat(64)}`, 'webhook-timestamp': '1700000000' };
    const t = tamperSignature(h, new Set());
    expect(t['webhook-timestamp']).toBe('1700000000');
    const [ts, v1a, v1b] = t['Stripe-Signature']!.split(',');
    expect(ts).toBe('t=1700000000');
    expect(v1a).not.toBe(`v1=${'a'.repeat(64)}`);
    expect(v1b).not.toBe(`v1=${'b'.repeat(64)}`);
    expect(stripSignature({ 'X-Signature-Ed25519': 'x', 'X-Signature-Timestamp': '1' }, new Set())).toEqual({ 'X-Signature-Timestamp': '1' });
  });

  it('wrongSecret keeps the secret\'s shape', () => {
    expect(wrongSecret(getScheme('standard'), 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(wrongSecret(getScheme('discord'), 'a'.repeat(64))).toMatch(/^[0-9a-f]{64}$/);
    expect(wrongSecret(getScheme('dfns'), 'short')).toHaveLength(24);
  });
});

describe('template compile', () => {
  const ctx = (id: string): SampleContext => ({ id, delivery: 'd', created: '2024-01-01T00:00:00.000Z', createdUnix: 1704067200, now: 1704067201, nowMs: 1704067201234, attempt: 1, url: 'http://x/' });

  it('reproduces the sample: strings, bare numbers and numbers inside strings', () => {
    const f = (c: SampleContext) => JSON.stringify({ id: c.id, ts: c.now, ms: c.nowMs, slack: `${c.createdUnix}.000200`, at: c.created, url: c.url }, null, 2);
    const t = compile(f, 'http://x/', [ctx('a'), ctx('bb')]);
    expect(t.compiled).toBe(true);
    expect(t.render(ctx('zz-9'))).toBe(f(ctx('zz-9')));
  });

  it('falls back to the sample when it transforms its context', () => {
    const f = (c: SampleContext) => JSON.stringify({ id: c.id.slice(3), ts: c.now * 1000 });
    const t = compile(f, 'http://x/', [ctx('abcdef'), ctx('ghijkl')]);
    expect(t.compiled).toBe(false);
    expect(t.render(ctx('abcdef'))).toBe(f(ctx('abcdef')));
  });
});
