import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { builder, type BuildOptions } from '../../src/send/build.js';
import { findSample, samplesFor } from '../../src/providers/samples.js';
import { getScheme } from '../../src/index.js';
import type { Negative } from '../../src/send/negative.js';

/** An Ed25519 key pair as Discord shows them: 32-byte seed and public key, hex. */
export const ED = (() => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const seed = (privateKey.export({ format: 'der', type: 'pkcs8' }) as Buffer).subarray(-32);
  const pub = (createPublicKey(privateKey).export({ format: 'der', type: 'spki' }) as Buffer).subarray(-32);
  return { seedHex: seed.toString('hex'), pubHex: pub.toString('hex') };
})();

/** The secret each scheme signs with in these tests, and what verifies it. */
export const SECRETS: Record<string, { sign: string; verify: string }> = {
  standard: { sign: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', verify: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
  svix: { sign: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', verify: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
  stripe: { sign: 'whsec_test_0123456789abcdefghijklmnop', verify: 'whsec_test_0123456789abcdefghijklmnop' },
  discord: { sign: ED.seedHex, verify: ED.pubHex },
};
export const secretFor = (scheme: string) => SECRETS[scheme] ?? { sign: `${scheme}-s3cret-0123456789`, verify: `${scheme}-s3cret-0123456789` };

export const URL_ = new URL('http://127.0.0.1:4000/webhooks?tenant=7');

/** One delivery of a scheme's sample event, as whk send builds it. */
export function delivery(scheme: string, event?: string, opts: Partial<BuildOptions> & { negative?: Negative } = {}) {
  const provider = samplesFor(getScheme(scheme));
  const b = builder({
    scheme: getScheme(scheme), provider, sample: findSample(provider, event), secrets: [secretFor(scheme).sign], url: URL_, ...opts,
  });
  const ev = b.newEvent();
  const req = b.build(ev);
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.headers.length; i += 2) headers[req.headers[i]!] = req.headers[i + 1]!;
  const body = typeof req.body === 'string' ? req.body : req.body.toString('utf8');
  return { b, ev, req, headers, body, lower: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])) };
}
