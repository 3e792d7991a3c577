/**
 * Published test vectors (SCHEMES.md, from the providers' docs and SDK tests): whk must verify
 * them, reproduce them when it signs, and reject each after a one-character change.
 */
import { describe, expect, it } from 'vitest';
import { sign, verify } from '../../src/index.js';
import { SLACK_SAMPLE_BODY } from './_helpers.js';

const TWILIO_PARAMS = {
  CallSid: 'CA1234567890ABCDE', Caller: '+14158675310', Digits: '1234', From: '+14158675310', To: '+18005551212',
};

interface Vector {
  name: string;
  scheme: string;
  secret: string;
  body: string;
  /** The published headers: what whk must verify and what its sign() must produce. */
  headers: Record<string, string>;
  timestamp?: number;
  id?: string;
  url?: string;
}

const VECTORS: Vector[] = [
  {
    name: 'Standard Webhooks (spec and SDK tests)',
    scheme: 'standard',
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    body: '{"test": 2432232314}',
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: 1614265330,
    headers: {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    },
  },
  {
    name: 'Svix (the same vector under svix-* names)',
    scheme: 'svix',
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    body: '{"test": 2432232314}',
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: 1614265330,
    headers: {
      'svix-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'svix-timestamp': '1614265330',
      'svix-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    },
  },
  {
    name: 'GitHub ("Validating webhook deliveries")',
    scheme: 'github',
    secret: "It's a Secret to Everybody",
    body: 'Hello, World!',
    headers: { 'X-Hub-Signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' },
  },
  {
    name: 'Slack ("Verifying requests from Slack" slash-command sample)',
    scheme: 'slack',
    secret: '8f742231b10e8888abcd99yyyzzz85a5',
    body: SLACK_SAMPLE_BODY,
    timestamp: 1531420618,
    headers: {
      'X-Slack-Signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
      'X-Slack-Request-Timestamp': '1531420618',
    },
  },
  {
    name: 'Square (SDK WebhooksHelper tests)',
    scheme: 'square',
    secret: 'signature-key',
    body: '{"data":{"type":"webhooks","id":">id<"}}',
    url: 'https://webhook.site/webhooks',
    headers: { 'x-square-hmacsha256-signature': 'Cxt7+aTi4rKgcA0bC4g9EHdVtLSDWdqccmL5MvihU4U=' },
  },
  {
    name: 'Twilio ("Validating requests" example)',
    scheme: 'twilio',
    secret: '12345',
    body: new URLSearchParams(TWILIO_PARAMS).toString(),
    url: 'https://example.com/myapp.php?foo=1&bar=2',
    headers: { 'X-Twilio-Signature': 'L/OH5YylLD5NRKLltdqwSvS0BnU=' },
  },
];

/** Changes one character in the middle of `s` (to another printable ASCII character). */
const mutate = (s: string) => {
  const i = Math.floor(s.length / 2);
  return s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) === 0x61 ? 0x62 : 0x61) + s.slice(i + 1);
};

describe.each(VECTORS.map((v) => [v.name, v] as const))('%s', (_name, v) => {
  const base = { body: v.body, headers: v.headers, secrets: [v.secret], now: v.timestamp ?? 0, url: v.url };

  it('verifies', () => {
    expect(verify(v.scheme, base)).toMatchObject({ valid: true, reason: 'ok', scheme: v.scheme, secretIndex: 0 });
  });

  it('is found by auto-detection', () => {
    expect(verify('auto', base)).toMatchObject({ valid: true, scheme: v.scheme });
  });

  it('sign() reproduces the published headers', () => {
    const headers = sign(v.scheme, { body: v.body, secrets: [v.secret], timestamp: v.timestamp, id: v.id, url: v.url });
    expect(headers).toMatchObject(v.headers);
  });

  it('one character of the body changed: no_match', () => {
    expect(verify(v.scheme, { ...base, body: mutate(v.body) }).reason).toBe('no_match');
  });

  it('one character of the secret changed: no_match', () => {
    const secret = v.scheme === 'standard' || v.scheme === 'svix' ? v.secret.replace('MfKQ', 'MfKR') : mutate(v.secret);
    expect(verify(v.scheme, { ...base, secrets: [secret] }).reason).toBe('no_match');
  });

  if (v.url) it('another URL: no_match', () => {
    expect(verify(v.scheme, { ...base, url: `${v.url}/other` }).reason).toBe('no_match');
  });
});

describe('Dfns: the header of the docs', () => {
  const DOCS_EXAMPLE = 'sha256=33008aa9673b764cc752362034dfe49ef466315c45d62b3e8cb8588b23d0d06a';
  const body = JSON.stringify({ id: 'wh-1', kind: 'wallet.transfer.requested', data: {}, timestampSent: 1_700_000_000, deliveryAttempt: 1 });

  it('whk signs under the name and in the shape of the docs example', () => {
    const headers = sign('dfns', { body, secrets: ['s'] });
    expect(Object.keys(headers)).toEqual(['X-DFNS-WEBHOOK-SIGNATURE']);
    const value = headers['X-DFNS-WEBHOOK-SIGNATURE']!;
    expect(value).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(value).toHaveLength(DOCS_EXAMPLE.length);
  });

  it('reads the docs example as well-formed (it just does not match our body): no_match, not malformed', () => {
    const v = verify('dfns', { body, headers: { 'X-DFNS-WEBHOOK-SIGNATURE': DOCS_EXAMPLE }, secrets: ['s'], now: 1_700_000_000 });
    expect(v.reason).toBe('no_match');
  });

  it('accepts the hex in upper case', () => {
    const headers = sign('dfns', { body, secrets: ['s'] });
    const upper = `sha256=${headers['X-DFNS-WEBHOOK-SIGNATURE']!.slice(7).toUpperCase()}`;
    expect(verify('dfns', { body, headers: { 'x-dfns-webhook-signature': upper }, secrets: ['s'], now: 1_700_000_000 }).reason).toBe('ok');
  });
});
