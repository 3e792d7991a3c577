import { describe, expect, it } from 'vitest';
import { Registry } from '../../src/index.js';

/** The CLI's registry for `whk probe --scheme <a core scheme>`: the core alone. */
const registry = new Registry(schemes);
import { battery } from '../../src/probe/battery.js';
import { digestsOf, signatureTwins } from '../../src/schemes/twins.js';
import { verify } from '../../src/index.js';
import { coreSchemes as schemes } from '../../src/providers/core.js';
import { getScheme } from '../../src/index.js';

// Usable as text by every HMAC scheme, and as base64 by Standard Webhooks and Svix.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const input = (secret = SECRET) => ({ body: '{"id":"evt_1","n":1}', secrets: [secret], timestamp: 1_700_000_000, id: 'msg_1', url: 'https://example.com/hooks' });

/** Every pair of built-in schemes that sign the same value, each once, names sorted. */
const pairs = (secret?: string) => [...new Set(schemes.flatMap((s) =>
  signatureTwins(s, input(secret), schemes).map((t) => [s.name, t.scheme.name].sort().join('↔'))))].sort();

describe('digestsOf', () => {
  it.each([
    [`sha256=${'a1'.repeat(32)}`, ['a1'.repeat(32)]],
    ['t=1700000000,v1=abcdef0123456789abcdef', ['abcdef0123456789abcdef']],
    ['ts=1700000000;h1=0123456789abcdef0123', ['0123456789abcdef0123']],
    ['v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= v1,AAAAAAAAAAAAAAAAAAAAAA==', ['g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=', 'AAAAAAAAAAAAAAAAAAAAAA==']],
    ['v0=0123456789abcdef0123', ['0123456789abcdef0123']],
    ['1700000000123456789', []],
    ['garbage', []],
  ])('%s', (value, digests) => expect(digestsOf(value)).toEqual(digests));
});

describe('signatureTwins', () => {
  it('finds the built-in schemes that sign the same value for the same body and secret', () => {
    expect(pairs()).toEqual([
      'dfns↔github', // hex HMAC-SHA256 of the body
      'dfns↔linear',
      'github↔linear',
      'shopify↔typeform', // base64 HMAC-SHA256 of the body
      'slack↔zoom', // v0= hex HMAC-SHA256 of "v0:<timestamp>:<body>"
      'standard↔svix', // v1, base64 HMAC-SHA256 of "<id>.<timestamp>.<body>"
    ]);
  });

  it('leaves out schemes that cannot use the secret', () => {
    expect(pairs('plain-text-secret')).not.toContain('standard↔svix');
    expect(pairs('plain-text-secret')).toContain('dfns↔github');
  });

  it("names the twin's header that carries the value: X-Hub-Signature-256, not the SHA-1 one", () => {
    expect(signatureTwins(getScheme('dfns'), input(), schemes).map((t) => [t.scheme.name, t.headers])).toEqual([
      ['github', ['X-Hub-Signature-256']],
      ['linear', ['Linear-Signature']],
    ]);
    expect(signatureTwins(getScheme('stripe'), input(), schemes)).toEqual([]);
  });
});

describe('the probe check: a signature under another scheme\'s header', () => {
  const now = 1_750_000_000_000;
  const url = new URL('http://127.0.0.1:1/webhooks');
  const checks = (scheme: string, secret = 'dfns-secret') => battery({ registry, scheme: getScheme(scheme), secrets: [secret], url, now: () => now });
  const headersOf = (flat: string[]) => Object.fromEntries(flat.flatMap((v, i) => (i % 2 === 0 ? [[v.toLowerCase(), flat[i + 1]!]] : [])));

  it('dfns: one row per twin, must refuse, named and explained', () => {
    const rows = checks('dfns').filter((c) => c.id.startsWith('other-header-'));
    expect(rows.map((c) => [c.id, c.title, c.expect])).toEqual([
      ['other-header-github', "signature under another scheme's header (github's X-Hub-Signature-256)", 'refuse'],
      ['other-header-linear', "signature under another scheme's header (linear's Linear-Signature)", 'refuse'],
    ]);
    expect(rows[0]!.sent).toBe('a dfns delivery signed 600 s ago, its signature moved to X-Hub-Signature-256 (github signs the same value)');
    expect(rows[0]!.explain).toBe(
      "your receiver accepted a 600 s old dfns signature re-sent under github's X-Hub-Signature-256, where github checks no timestamp: "
      + 'verify only the header of the provider you configured; pin the scheme instead of auto-detecting per request',
    );
  });

  it("dfns → github: the genuine but stale dfns signature, dfns's header gone, github's added", () => {
    const check = checks('dfns').find((c) => c.id === 'other-header-github')!;
    const [req] = check.requests();
    const headers = headersOf(req!.headers);
    expect(headers['x-dfns-webhook-signature']).toBeUndefined();
    expect(headers['x-hub-signature']).toBeUndefined(); // github's own SHA-1 signature is not the dfns one
    const body = String(req!.body);
    expect(JSON.parse(body).timestampSent).toBe(now / 1000 - 600);
    // The very value dfns signed: stale as dfns, valid as github.
    const asDfns = { 'X-DFNS-WEBHOOK-SIGNATURE': headers['x-hub-signature-256']! };
    expect(verify('dfns', { body, headers: asDfns, secrets: ['dfns-secret'], now: now / 1000 })).toMatchObject({ valid: false, reason: 'timestamp_too_old' });
    expect(verify('github', { body, headers, secrets: ['dfns-secret'], now: now / 1000 })).toMatchObject({ valid: true });
    expect(verify('auto', { body, headers, secrets: ['dfns-secret'], now: now / 1000 })).toMatchObject({ valid: true, scheme: 'github' });
  });

  it('a scheme without a timestamp (typeform → shopify): the valid signature, moved', () => {
    const check = checks('typeform').find((c) => c.id === 'other-header-shopify')!;
    expect(check.sent).toBe('a valid typeform delivery, its signature moved to X-Shopify-Hmac-Sha256 (shopify signs the same value)');
    const [req] = check.requests();
    const headers = headersOf(req!.headers);
    expect(headers['typeform-signature']).toBeUndefined();
    expect(verify('shopify', { body: req!.body, headers, secrets: ['dfns-secret'] })).toMatchObject({ valid: true });
  });

  it('standard → svix: the id and timestamp headers of the twin come along', () => {
    const check = checks('standard', SECRET).find((c) => c.id === 'other-header-svix')!;
    const [req] = check.requests();
    const headers = headersOf(req!.headers);
    expect(headers['webhook-signature']).toBeUndefined();
    expect(Object.keys(headers)).toEqual(expect.arrayContaining(['svix-id', 'svix-timestamp', 'svix-signature']));
    expect(verify('svix', { body: req!.body, headers, secrets: [SECRET], now: now / 1000 })).toMatchObject({ valid: false, reason: 'timestamp_too_old' });
  });

  it('a scheme with no twin gets no such row', () => {
    expect(checks('stripe').some((c) => c.id.startsWith('other-header-'))).toBe(false);
  });
});
