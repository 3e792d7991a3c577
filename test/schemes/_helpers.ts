/**
 * Shared fixtures for the scheme tests: a fixed clock, keys, bodies, one table describing every
 * scheme's shape, and a runner for independent Python implementations.
 *
 * Nothing here computes an expected signature with whk: fixtures sign with whk only to build a
 * valid delivery that a test then mutates; expected values come from published vectors, SDKs or
 * Python.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import type { Reason, Secret } from '../../src/index.js';

/** The fixed clock of every test: 2023-11-14T22:13:20Z. */
export const NOW = 1_700_000_000;

export const REASONS: readonly Reason[] = [
  'ok', 'missing_header', 'malformed_header', 'no_match',
  'timestamp_too_old', 'timestamp_in_future', 'missing_timestamp', 'bad_secret',
];

/** The Standard Webhooks published test key, and a second key for rotation tests. */
export const STD_KEY = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
export const STD_OTHER = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
export const STD_WRONG = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

/** An Ed25519 key pair made with node:crypto directly (not through whk), in every spelling whk accepts. */
export function ed25519Pair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  return {
    privateKey,
    publicKey,
    seedHex: seed.toString('hex'),
    pubHex: pub.toString('hex'),
    whsk: `whsk_${seed.toString('base64')}`,
    whpk: `whpk_${pub.toString('base64')}`,
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}
export const ED = ed25519Pair();
export const ED_OTHER = ed25519Pair();

/** Flips one bit of the byte after the "whk-test" marker every fixture body carries. */
export function flipByte(body: string): string {
  const i = body.indexOf('whk-test');
  if (i < 0) throw new Error('fixture body lacks the whk-test marker');
  return body.slice(0, i + 1) + String.fromCharCode(body.charCodeAt(i + 1) ^ 1) + body.slice(i + 2);
}

const jsonBody = () => JSON.stringify({ type: 'whk.test', id: 'evt_1', data: { note: 'whk-test', amount: 42 } });

/** Where a scheme's timestamp lives and how it is judged (SCHEMES.md). */
export interface TimeRule {
  tolerance: number;
  direction: 'both' | 'past';
  /** Dfns: valid only while |age| < tolerance. */
  strict?: boolean;
  /** 'header': sign({timestamp}); 's'/'ms': inside the body, in seconds or milliseconds. */
  where: 'header' | 's' | 'ms';
}

/** One row of the per-scheme table: enough to build a valid delivery and break it one way at a time. */
export interface SchemeCase {
  scheme: string;
  /** What sign() takes. */
  secret: Secret;
  /** What verify() takes when it differs from the signing secret (Ed25519 public keys). */
  verifyKey?: Secret;
  /** A verify secret that did not sign. */
  wrong: Secret;
  /** A second signing secret, for schemes that sign with several at once (rotation). */
  second?: { sign: Secret; verify: Secret };
  url?: string;
  /** The body for a signed timestamp `ts` (seconds), when the timestamp lives in the body. */
  body: (ts: number) => string;
  /** The headers whose removal means "no signature". */
  signatureHeaders: string[];
  /** A signature header value of the wrong shape. */
  malformed: Record<string, string>;
  time: TimeRule | null;
  /** Removing the timestamp (header or field) and the reason it must give. */
  dropTimestamp?: { headers?: string[]; body?: (ts: number) => string; reason: Reason };
}

export const URL_SQUARE = 'https://example.com/webhooks/square';
export const URL_TWILIO = 'https://example.com/twilio/sms?tenant=7';

const dfnsBody = (ts: number) => JSON.stringify({
  id: 'wh-1234', date: new Date(ts * 1000).toISOString(), kind: 'wallet.transfer.requested',
  data: { note: 'whk-test', walletId: 'wa-1' }, timestampSent: ts, deliveryAttempt: 1,
});
const linearBody = (ts: number) => JSON.stringify({
  action: 'create', type: 'Issue', data: { title: 'whk-test' }, webhookTimestamp: Math.round(ts * 1000),
});

export const CASES: SchemeCase[] = [
  {
    scheme: 'dfns', secret: 'dfns-secret', wrong: 'dfns-other', body: dfnsBody,
    signatureHeaders: ['X-DFNS-WEBHOOK-SIGNATURE'], malformed: { 'X-DFNS-WEBHOOK-SIGNATURE': 'sha256=xyz' },
    time: { tolerance: 300, direction: 'both', strict: true, where: 's' },
    dropTimestamp: { body: () => JSON.stringify({ id: 'wh-1', kind: 'x', data: { note: 'whk-test' } }), reason: 'missing_timestamp' },
  },
  {
    scheme: 'typeform', secret: 'typeform-secret', wrong: 'typeform-other', body: jsonBody,
    signatureHeaders: ['Typeform-Signature'], malformed: { 'Typeform-Signature': 'sha1=abc' }, time: null,
  },
  {
    scheme: 'standard', secret: STD_KEY, wrong: STD_WRONG, second: { sign: STD_OTHER, verify: STD_OTHER }, body: jsonBody,
    signatureHeaders: ['webhook-signature'], malformed: { 'webhook-signature': 'v2,abc' },
    time: { tolerance: 300, direction: 'both', where: 'header' },
    dropTimestamp: { headers: ['webhook-timestamp'], reason: 'missing_timestamp' },
  },
  {
    scheme: 'svix', secret: STD_KEY, wrong: STD_WRONG, second: { sign: STD_OTHER, verify: STD_OTHER }, body: jsonBody,
    signatureHeaders: ['svix-signature'], malformed: { 'svix-signature': 'v1' },
    time: { tolerance: 300, direction: 'both', where: 'header' },
    dropTimestamp: { headers: ['svix-timestamp'], reason: 'missing_timestamp' },
  },
  {
    scheme: 'freepik', secret: 'freepik-secret', wrong: 'freepik-other', second: { sign: 'freepik-next', verify: 'freepik-next' }, body: jsonBody,
    signatureHeaders: ['webhook-signature'], malformed: { 'webhook-signature': 'sha256=abc' },
    time: { tolerance: 300, direction: 'both', where: 'header' },
    dropTimestamp: { headers: ['webhook-timestamp'], reason: 'missing_timestamp' },
  },
  {
    scheme: 'wealthkernel', secret: 'wk-secret', wrong: 'wk-other', second: { sign: 'wk-next', verify: 'wk-next' }, body: jsonBody,
    signatureHeaders: ['X-Webhook-Signature'], malformed: { 'X-Webhook-Signature': 't=soon,v1=abc' },
    time: { tolerance: 300, direction: 'both', where: 'header' },
  },
  {
    scheme: 'stripe', secret: 'whsec_stripe_test_secret', wrong: 'whsec_other', second: { sign: 'whsec_next', verify: 'whsec_next' }, body: jsonBody,
    signatureHeaders: ['Stripe-Signature'], malformed: { 'Stripe-Signature': 't=1700000000,v0=abc' },
    time: { tolerance: 300, direction: 'past', where: 'header' },
  },
  {
    scheme: 'github', secret: "It's a Secret to Everybody", wrong: 'not it', body: jsonBody,
    signatureHeaders: ['X-Hub-Signature-256', 'X-Hub-Signature'], malformed: { 'X-Hub-Signature-256': 'sha1=abc' }, time: null,
  },
  {
    scheme: 'slack', secret: '8f742231b10e8888abcd99yyyzzz85a5', wrong: 'other-slack', body: jsonBody,
    signatureHeaders: ['X-Slack-Signature'], malformed: { 'X-Slack-Signature': 'v1=abc' },
    time: { tolerance: 300, direction: 'past', where: 'header' },
    dropTimestamp: { headers: ['X-Slack-Request-Timestamp'], reason: 'missing_timestamp' },
  },
  {
    scheme: 'shopify', secret: 'shpss_secret', wrong: 'shpss_other', body: jsonBody,
    signatureHeaders: ['X-Shopify-Hmac-Sha256'], malformed: { 'X-Shopify-Hmac-Sha256': 'sha256=abc' }, time: null,
  },
  {
    scheme: 'paddle', secret: 'pdl_ntfset_01abc_secret', wrong: 'pdl_ntfset_other', second: { sign: 'pdl_ntfset_next', verify: 'pdl_ntfset_next' }, body: jsonBody,
    signatureHeaders: ['Paddle-Signature'], malformed: { 'Paddle-Signature': 'ts=1700000000;h2=abc' },
    time: { tolerance: 5, direction: 'past', where: 'header' },
  },
  {
    scheme: 'zoom', secret: 'zoom-secret-token', wrong: 'zoom-other', body: jsonBody,
    signatureHeaders: ['x-zm-signature'], malformed: { 'x-zm-signature': 'v0=XYZ' },
    time: { tolerance: 300, direction: 'both', where: 'header' },
    dropTimestamp: { headers: ['x-zm-request-timestamp'], reason: 'missing_timestamp' },
  },
  {
    scheme: 'linear', secret: 'lin_wh_secret', wrong: 'lin_wh_other', body: linearBody,
    signatureHeaders: ['Linear-Signature'], malformed: { 'Linear-Signature': 'sha256=abc' },
    time: { tolerance: 60, direction: 'both', where: 'ms' },
    dropTimestamp: { body: () => JSON.stringify({ action: 'create', type: 'Issue', data: { title: 'whk-test' } }), reason: 'missing_timestamp' },
  },
  {
    scheme: 'square', secret: 'signature-key', wrong: 'other-key', url: URL_SQUARE, body: jsonBody,
    signatureHeaders: ['x-square-hmacsha256-signature'], malformed: { 'x-square-hmacsha256-signature': 'deadbeef' }, time: null,
  },
  {
    scheme: 'twilio', secret: 'twilio-auth-token', wrong: 'other-token', url: URL_TWILIO,
    body: () => 'MessageSid=SM123&Body=whk-test&From=%2B15550001111&To=%2B15550002222',
    signatureHeaders: ['X-Twilio-Signature'], malformed: { 'X-Twilio-Signature': 'not base64!' }, time: null,
  },
  {
    scheme: 'discord', secret: ED.seedHex, verifyKey: ED.pubHex, wrong: ED_OTHER.pubHex,
    body: () => JSON.stringify({ type: 1, id: 'int_1', token: 'whk-test' }),
    signatureHeaders: ['X-Signature-Ed25519'], malformed: { 'X-Signature-Ed25519': 'zz' }, time: null,
    dropTimestamp: { headers: ['X-Signature-Timestamp'], reason: 'missing_timestamp' },
  },
];

/** Drops headers by name, any case. */
export function without(headers: Record<string, string>, names: string[]): Record<string, string> {
  const drop = new Set(names.map((n) => n.toLowerCase()));
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !drop.has(k.toLowerCase())));
}

/** Replaces headers by name, any case (the replacement keeps the given spelling). */
export function withHeaders(headers: Record<string, string>, changes: Record<string, string>): Record<string, string> {
  return { ...without(headers, Object.keys(changes)), ...changes };
}

/**
 * Slack's "Verifying requests from Slack" sample: the slash-command body, signing secret and
 * timestamp of the docs (the body is quoted the same way by third-party verifiers of the sample).
 */
export const SLACK_SAMPLE_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V' +
  '&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=' +
  '&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN' +
  '&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';

// ---------------------------------------------------------------------------------------------
// Python: independent implementations and the seed documents' own example code.

export const PYTHON: string | undefined = (() => {
  const r = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? 'python3' : undefined;
})();
export const NO_PYTHON = 'python3 is not on PATH: the Python cross-checks are skipped';

/**
 * Runs `script` with python3, feeding `input` as JSON on stdin; the script prints JSON on stdout.
 * `env` is added to the environment (the seeds read their secret from it).
 */
export function runPython<T = unknown>(script: string, input: unknown, env: Record<string, string> = {}): T {
  const r = spawnSync(PYTHON ?? 'python3', ['-c', script], {
    input: JSON.stringify(input),
    env: { ...process.env, ...env, PYTHONIOENCODING: 'utf-8' },
    encoding: 'utf8',
    timeout: 15_000,
  });
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** runPython at collection time: an empty result when python3 is missing (its tests are skipped). */
export function collectPython<T extends unknown[]>(script: string, input: unknown, env: Record<string, string> = {}): T {
  return (PYTHON ? runPython<T>(script, input, env) : []) as T;
}

/** Whether python3 can import `module` (e.g. cryptography for Ed25519). */
export function pythonHas(module: string): boolean {
  if (!PYTHON) return false;
  return spawnSync(PYTHON, ['-c', `import ${module}`]).status === 0;
}
