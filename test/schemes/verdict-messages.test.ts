/**
 * What a new user reads when a delivery fails: a missing signature header names the header(s)
 * of the scheme in force (auto-detection: the closest few, never the whole list), and a no_match
 * that nothing else explains ends with the next step (is it this endpoint's signing secret, and
 * where the provider shows it). Through the CLI (in-process): the terminal, --json, and whk listen's 401.
 * Signatures come from node:crypto by hand and the svix SDK, never from whk.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { verify } from '../../src/index.js';
import { startInProcess, whk } from '../helpers/in-process.js';
import { ACME, acmeHeader } from './_acme.js';

const NOW = 1_700_000_000;
const BODY = '{"id":"evt_1","type":"invoice.paid"}';
const headerArgs = (h: Record<string, string>) => Object.entries(h).flatMap(([k, v]) => ['--header', `${k}: ${v}`]);
const verifyCli = (args: string[], headers: Record<string, string>, body = BODY) =>
  whk(['verify', '--body', body, '--now', String(NOW), ...args, ...headerArgs(headers)]);
/** The sentence after "✗ invalid: <reason> — " on the first line. */
const sentence = (stdout: string) => stdout.split('\n')[0]!.replace(/^✗ invalid: \w+ — /, '');

describe('missing_header, auto-detection: the closest few headers, short, and where the full list is', () => {
  const long = `x-${'a'.repeat(300)}-signature`;
  it.each([
    ['no header that looks like a signature', { 'content-type': 'application/json' }, /; the usual ones: webhook-signature, svix-signature, Stripe-Signature, X-Hub-Signature-256, X-Slack-Signature; whk schemes lists all$/],
    ['a near miss of GitHub\'s header', { 'x-hub-signature-512': 'sha512=abc' }, /: x-hub-signature-512 is none of them; closest: X-Hub-Signature-256, X-Hub-Signature\b.*; whk schemes lists all$/],
    ['Stripe\'s header misspelt', { 'stripe-signatures': 't=1,v1=ab' }, /: stripe-signatures is none of them; closest: Stripe-Signature\b.*; whk schemes lists all$/],
    ['a 300-character signature-like header', { [long]: 'x' }, /; whk schemes lists all$/],
    ['several signature-like headers', { 'x-acme-signature': 'a', 'x-acme-hmac': 'b', 'x-acme-token': 'c', 'x-other-sig': 'd' }, /; whk schemes lists all$/],
  ])('%s: terminal and --json', async (_what, headers, shape) => {
    const terminal = await verifyCli(['--secret', 's3cret'], headers);
    expect(terminal.code).toBe(1);
    expect(terminal.stdout).toMatch(/^✗ invalid: missing_header — no signature header of any known scheme[:;] /);
    expect(sentence(terminal.stdout).length).toBeLessThan(200);
    expect(sentence(terminal.stdout)).toMatch(shape);
    const json = JSON.parse((await verifyCli(['--secret', 's3cret', '--json'], headers)).stdout) as { reason: string; message: string };
    expect(json.reason).toBe('missing_header');
    expect(json.message).toBe(sentence(terminal.stdout));
  });

  it('whatever header names arrive, the message stays under 200 characters and names at most 5 headers', () => {
    const name = fc.stringMatching(/^[a-z0-9-]{1,400}$/).map((s) => `x-${s}-sig`);
    fc.assert(fc.property(fc.uniqueArray(name, { maxLength: 8 }), (names) => {
      const v = verify('auto', { body: BODY, headers: Object.fromEntries(names.map((n) => [n, 'v'])), secrets: ['s'], now: NOW });
      if (v.reason !== 'missing_header') return;
      expect(v.message.length).toBeLessThan(200);
      expect(v.message.split(', ').length).toBeLessThanOrEqual(5);
    }), { numRuns: 200 });
  });

  it("whk listen's 401 says the same short sentence", async () => {
    const l = startInProcess(['listen', '--port', '0', '--json', '--secret', 's3cret']);
    try {
      const { url } = JSON.parse(await l.waitFor(/"type":"ready"/, 'stdout')) as { url: string };
      const r = await fetch(url, { method: 'POST', body: BODY, headers: { 'content-type': 'application/json', 'x-hub-signature-512': 'sha512=abc' } });
      expect(r.status).toBe(401);
      const text = await r.text();
      expect(text).toMatch(/^whk: invalid signature \(missing_header\): no signature header of any known scheme: x-hub-signature-512 is none of them; closest: X-Hub-Signature-256/);
      expect(text.length).toBeLessThan(260);
    } finally {
      l.signal('SIGTERM');
      await l.exited;
    }
  });
});

describe('missing_header, one scheme: exactly its header(s)', () => {
  it.each([
    ['stripe', 'no Stripe-Signature header'],
    ['github', 'no X-Hub-Signature-256 header'],
    ['clerk', 'no svix-signature header'],
    ['box', 'no BOX-SIGNATURE-PRIMARY or BOX-SIGNATURE-SECONDARY header'],
  ])('%s', async (scheme, message) => {
    const r = await verifyCli(['--scheme', scheme, '--secret', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', '--json'], { 'content-type': 'application/json' });
    expect(JSON.parse(r.stdout)).toMatchObject({ reason: 'missing_header', message });
  });
});

describe('no_match with a wrong secret: the next step, on the verdict line', () => {
  const stripeHeader = `t=${NOW},v1=${createHmac('sha256', 'whsec_right').update(`${NOW}.${BODY}`).digest('hex')}`;

  it('core (stripe): this endpoint\'s signing secret, where Stripe shows it, and the docs', async () => {
    const r = await verifyCli(['--scheme', 'stripe', '--secret', 'whsec_wrong'], { 'Stripe-Signature': stripeHeader });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('✗ invalid: no_match — no signature matches the secret over "t.body": check that the secret is this endpoint\'s signing secret (Stripe shows it in the Dashboard under Developers → Webhooks → your endpoint, and stripe listen prints its own; see https://docs.stripe.com/webhooks#verify-manually)\n');
    const json = JSON.parse((await verifyCli(['--scheme', 'stripe', '--secret', 'whsec_wrong', '--secret', 'whsec_other', '--json'], { 'Stripe-Signature': stripeHeader })).stdout);
    expect(json.message).toMatch(/^no signature matches any of the 2 secrets over "t\.body": check that one of the secrets is this endpoint's signing secret \(Stripe shows it/);
  });

  it('catalogue (clerk): the generic sentence and the provider\'s docs page', async () => {
    const key = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const signature = new SvixWebhook(`whsec_${Buffer.alloc(32, 4).toString('base64')}`).sign('msg_1', new Date(NOW * 1000), BODY);
    const r = await verifyCli(['--scheme', 'clerk', '--secret', key], { 'svix-id': 'msg_1', 'svix-timestamp': String(NOW), 'svix-signature': signature });
    expect(r.stdout.split('\n')[0]).toBe('✗ invalid: no_match — no signature matches the secret over "id.timestamp.body": check that the secret is this endpoint\'s signing secret (see https://clerk.com/docs/webhooks/overview)');
  });

  it('custom definitions: the docs link it gives, or the sentence alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'whk-next-'));
    const withDocs = join(dir, 'acme.json');
    const noDocs = join(dir, 'acme-nodocs.json');
    writeFileSync(withDocs, JSON.stringify(ACME));
    writeFileSync(noDocs, JSON.stringify({ ...ACME, name: 'acme-nodocs', docs: undefined }));
    const header = { 'X-Acme-Signature': acmeHeader('right', NOW, BODY) };
    const a = await verifyCli(['--scheme-file', withDocs, '--scheme', 'acme', '--secret', 'wrong'], header);
    expect(a.stdout.split('\n')[0]).toBe('✗ invalid: no_match — no signature matches the secret over "timestamp.body": check that the secret is this endpoint\'s signing secret (see https://docs.acme.example/webhooks#signatures)');
    const b = await verifyCli(['--scheme-file', noDocs, '--scheme', 'acme-nodocs', '--secret', 'wrong'], header);
    expect(b.stdout.split('\n')[0]).toBe('✗ invalid: no_match — no signature matches the secret over "timestamp.body": check that the secret is this endpoint\'s signing secret');
  });

  it('a diagnosis that explains the signature is the next step instead', async () => {
    const pretty = JSON.stringify(JSON.parse(BODY), null, 2);
    const r = await verifyCli(['--scheme', 'stripe', '--secret', 'whsec_right'], { 'Stripe-Signature': stripeHeader }, pretty);
    expect(r.stdout).toMatch(/^✗ invalid: no_match — no signature matches the secret over "t\.body"\n {2}diagnosis: the signature matches this body re-serialized as compact JSON/);
  });

  it("whk listen's 401 carries it too", async () => {
    const l = startInProcess(['listen', '--port', '0', '--json', '--scheme', 'stripe', '--secret', 'whsec_wrong']);
    try {
      const { url } = JSON.parse(await l.waitFor(/"type":"ready"/, 'stdout')) as { url: string };
      const t = Math.floor(Date.now() / 1000);
      const header = `t=${t},v1=${createHmac('sha256', 'whsec_right').update(`${t}.${BODY}`).digest('hex')}`;
      const r = await fetch(url, { method: 'POST', body: BODY, headers: { 'content-type': 'application/json', 'Stripe-Signature': header } });
      expect(r.status).toBe(401);
      expect(await r.text()).toMatch(/^whk: invalid signature \(no_match\): no signature matches the secret over "t\.body": check that the secret is this endpoint's signing secret \(Stripe shows it/);
    } finally {
      l.signal('SIGTERM');
      await l.exited;
    }
  });
});
