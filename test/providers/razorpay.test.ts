/**
 * Razorpay against its official SDK (devDependency `razorpay`): `Razorpay.validateWebhookSignature(body,
 * signature, secret)` (razorpay-node src/utils/razorpay-utils.js) must accept what whk signs, and whk
 * must accept what the SDK accepts (its own published test case, razorpay-node
 * test/utils/razorpay-utils.spec.js), both ways through the library and the CLI.
 */
import Razorpay from 'razorpay';
import { describe, expect, it } from 'vitest';
import { sign, verify } from '../../src/index.js';
import { startInProcess, whk } from '../helpers/in-process.js';

// The catalogue (every provider beyond the core) loads lazily, as the CLI does it.

const validate = (body: string, signature: string, secret: string): boolean =>
  (Razorpay as unknown as { validateWebhookSignature(b: string, s: string, k: string): boolean }).validateWebhookSignature(body, signature, secret);

/** razorpay-node's own test of validateWebhookSignature. */
const PUBLISHED = { body: '{"a":1,"b":2,"c":{"d":3}}', secret: '123456', signature: '2fe04e22977002e6c7cb553adab8b460cb9e2a4970d5953cb27a8472752e3bbc' };

const BODIES = [
  PUBLISHED.body,
  '{"entity":"event","account_id":"acc_BFQ7uQEaa7j2z7","event":"payment.captured","contains":["payment"],"payload":{"payment":{"entity":{"id":"pay_Nq3sKgvbW8nHTd","amount":49900,"currency":"INR","status":"captured","notes":{"plan":"pro"}}}},"created_at":1714564800}',
  '{"event":"order.paid","payload":{"order":{"entity":{"notes":{"name":"Jürgen Müller","city":"बेंगलुरु"}}}}}',
  '{\n  "event": "payment.failed"\n}\n',
];

describe('razorpay: whk and the razorpay SDK agree', () => {
  it('the SDK\'s published case is valid for the SDK and for whk', () => {
    expect(validate(PUBLISHED.body, PUBLISHED.signature, PUBLISHED.secret)).toBe(true);
    const v = verify('razorpay', { body: PUBLISHED.body, headers: { 'X-Razorpay-Signature': PUBLISHED.signature }, secrets: [PUBLISHED.secret] });
    expect(v).toMatchObject({ valid: true, reason: 'ok' });
  });

  it.each(BODIES.map((b, i) => [i, b] as const))('whk signs body #%i, the SDK validates it; each side refuses a tampered body', (_i, body) => {
    const secret = 'rzp_webhook_s3cr3t';
    const headers = sign('razorpay', { body, secrets: [secret] });
    const signature = headers['X-Razorpay-Signature'];
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(validate(body, signature!, secret)).toBe(true);
    expect(validate(`${body} `, signature!, secret)).toBe(false);
    expect(validate(body, signature!, 'another-secret')).toBe(false);
    expect(verify('razorpay', { body: `${body} `, headers, secrets: [secret] })).toMatchObject({ valid: false, reason: 'no_match' });
  });

  it('a signature the SDK accepts and one it refuses get the same answer from whk', () => {
    const secret = 'rzp_webhook_s3cr3t';
    for (const body of BODIES) {
      const good = sign('razorpay', { body, secrets: [secret] })['X-Razorpay-Signature']!;
      const bad = good.replace(/^./, (c) => (c === '0' ? '1' : '0'));
      for (const sig of [good, bad]) {
        const sdk = validate(body, sig, secret);
        const whk = verify('razorpay', { body, headers: { 'x-razorpay-signature': sig }, secrets: [secret] }).valid;
        expect(whk).toBe(sdk);
      }
    }
  });
});

describe('razorpay: the CLI', () => {
  it('whk sign prints a header the SDK validates; whk verify accepts the SDK\'s published case', async () => {
    const body = BODIES[1]!;
    const s = await whk(['sign', '--scheme', 'razorpay', '--secret', 'rzp_webhook_s3cr3t', '--body', body]);
    expect(s.code).toBe(0);
    const sig = /X-Razorpay-Signature: ([0-9a-f]{64})/i.exec(s.stdout)?.[1];
    expect(sig, s.stdout).toBeDefined();
    expect(validate(body, sig!, 'rzp_webhook_s3cr3t')).toBe(true);

    const v = await whk(['verify', '--scheme', 'razorpay', '--secret', PUBLISHED.secret, '--body', PUBLISHED.body, '--header', `X-Razorpay-Signature: ${PUBLISHED.signature}`]);
    expect(v.code).toBe(0);
    const w = await whk(['verify', '--scheme', 'razorpay', '--secret', 'wrong', '--body', PUBLISHED.body, '--header', `X-Razorpay-Signature: ${PUBLISHED.signature}`]);
    expect(w.code).toBe(1);
  });

  it('whk send delivers every razorpay sample to whk listen: valid (200), and refused (401) with --wrong-secret; the bodies pass the SDK', async () => {
    const l = startInProcess(['listen', '--port', '0', '--json', '--scheme', 'razorpay', '--secret', 'rzp_webhook_s3cr3t']);
    try {
      const url = JSON.parse(await l.waitFor(/"type":"ready"/, 'stdout')).url as string;
      for (const event of ['payment.captured', 'payment.failed', 'order.paid']) {
        const r = await whk(['send', url, '--scheme', 'razorpay', '--secret', 'rzp_webhook_s3cr3t', '--event', event]);
        expect(r.code, r.stdout + r.stderr).toBe(0);
      }
      const r = await whk(['send', url, '--scheme', 'razorpay', '--secret', 'rzp_webhook_s3cr3t', '--wrong-secret']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      await l.waitFor(/"status":401/, 'stdout');
      const got = l.stdoutLines.filter((x) => x.includes('"type":"event"')).map((x) => JSON.parse(x));
      expect(got.map((e) => e.response.status)).toEqual([200, 200, 200, 401]);
      expect(got.slice(0, 3).map((e) => e.eventType)).toEqual(['payment.captured', 'payment.failed', 'order.paid']);
      expect(got[0].headers['user-agent']).toBe('Razorpay-Webhook/v1');
      for (const e of got.slice(0, 3)) expect(validate(e.body, e.headers['x-razorpay-signature'], 'rzp_webhook_s3cr3t')).toBe(true);
      expect(validate(got[3].body, got[3].headers['x-razorpay-signature'], 'rzp_webhook_s3cr3t')).toBe(false);
    } finally {
      l.signal('SIGINT');
      await l.exited;
    }
  });
});
