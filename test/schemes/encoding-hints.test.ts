/**
 * Fixed-shape signature headers holding a digest in the other encoding are malformed, and the
 * verdict says which encoding the provider uses. Digests computed here with node:crypto.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verify } from '../../src/index.js';

const digest = (alg: 'sha256' | 'sha1', enc: 'hex' | 'base64') => createHmac(alg, 's3cret').update('{"a":1}').digest(enc);

describe.each([
  ['typeform', 'typeform-signature', `sha256=${digest('sha256', 'hex')}`, /hex-encoded digest, but typeform sends base64/],
  ['shopify', 'x-shopify-hmac-sha256', digest('sha256', 'hex'), /hex-encoded digest, but shopify sends base64/],
  ['square', 'x-square-hmacsha256-signature', digest('sha256', 'hex'), /hex-encoded digest, but square sends base64/],
  ['twilio', 'x-twilio-signature', digest('sha1', 'hex'), /hex-encoded digest, but twilio sends base64/],
  ['dfns', 'x-dfns-webhook-signature', `sha256=${digest('sha256', 'base64')}`, /base64-encoded digest, but dfns sends hex/],
  ['github', 'x-hub-signature-256', `sha256=${digest('sha256', 'base64')}`, /base64-encoded digest, but github sends hex/],
  ['linear', 'linear-signature', digest('sha256', 'base64'), /base64-encoded digest, but linear sends hex/],
])('%s with a digest in the wrong encoding', (scheme, header, value, hint) => {
  it('is malformed_header with a diagnosis naming the encoding', () => {
    const v = verify(scheme, { body: '{"a":1}', headers: { [header]: value }, secrets: ['s3cret'], url: 'https://example.com/hook' });
    expect(v.reason).toBe('malformed_header');
    expect(v.valid ? '' : v.diagnosis).toMatch(hint);
  });

  it('plain garbage gets no diagnosis', () => {
    const v = verify(scheme, { body: '{"a":1}', headers: { [header]: 'garbage' }, secrets: ['s3cret'], url: 'https://example.com/hook' });
    expect(v).toMatchObject({ reason: 'malformed_header' });
    expect(v.valid ? 'x' : v.diagnosis).toBeUndefined();
  });
});
