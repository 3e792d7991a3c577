/**
 * mailgun: the signature is in the body ({"signature": {token, timestamp, signature}} or the
 * legacy form fields), the hex HMAC-SHA256 of timestamp + token. Independent: a signer and a
 * verifier written in Python from the logic of Mailgun's docs
 * (https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks,
 * test/providers/python/mailgun.py), both directions; whk's signed bodies go through send, sign,
 * listen and probe.
 */
import { describe, expect, it } from 'vitest';
import { sign, signDelivery, verify } from '../../src/index.js';
import { mailgun } from '../../src/providers/mailgun.js';
import { builder } from '../../src/send/build.js';
import { whk } from '../helpers/in-process.js';
import { headerProperty, python, sendListenProbe } from './_provb.js';

const KEY = 'key-7f3a9c2e5b1d4f6a8c0e2b4d6f8a1c3e';
const NOW = 1_770_920_772; // the docs' example timestamp
const TOKEN = 'e0b5477167110d68991efc6b9f89f0a11066af27834600e123'; // the docs' example token (50 characters)
const EVENT = '{"event-data":{"id":"CPgfbmQMTCKtHW6uIWtuVe","timestamp":1770920771.908181,"log-level":"info","event":"delivered","recipient":"alice@example.com","message":{"headers":{"subject":"Crème brûlée 🍮"}}}}';

const py = (body: string) => python<{ body: string }>('mailgun', { mode: 'sign', secret: KEY, body, timestamp: NOW, token: TOKEN }).body;
const pyValid = (body: string) => python<{ valid: boolean }>('mailgun', { mode: 'verify', secret: KEY, body }).valid;
const at = (body: string | Buffer, now = NOW) => verify('mailgun', { body, headers: { 'content-type': 'application/json' }, secrets: [KEY], now });

describe('mailgun: JSON deliveries', () => {
  it('Python (from the docs) signs a body whk verifies; the verdict says what the signature covers', () => {
    const body = py(EVENT);
    const v = at(body, NOW + 3);
    expect(v).toMatchObject({ valid: true, reason: 'ok', age: 3 });
    expect(v.message).toBe('signature matches timestamp + token (the event data is not signed), timestamp 3 s old');
    expect((v as { check?: string }).check).toMatch(/not what its event data says/);
  });

  it('whk signs the body Python computes, byte for byte (the token the body carries is kept), and Python verifies whk\'s', () => {
    const withToken = JSON.stringify({ signature: { token: TOKEN, timestamp: '1', signature: 'x' }, ...JSON.parse(EVENT) });
    const d = signDelivery('mailgun', { body: withToken, secrets: [KEY], timestamp: NOW });
    expect(d.body.toString()).toBe(py(EVENT));
    expect(d.headers).toEqual({});
    const fresh = signDelivery('mailgun', { body: EVENT, secrets: [KEY], timestamp: NOW }).body.toString();
    expect(pyValid(fresh)).toBe(true);
    expect(JSON.parse(fresh).signature.token).toMatch(/^[0-9a-f]{50}$/);
    // The signature object goes in front of the event data, as Mailgun sends it; the rest is untouched.
    expect(fresh.endsWith(EVENT.slice(1))).toBe(true);
  });

  it('the signature\'s place in the body is where the negative modes change it', () => {
    const d = signDelivery('mailgun', { body: EVENT, secrets: [KEY], timestamp: NOW });
    expect(d.body.subarray(...d.signature!).toString()).toBe(JSON.parse(d.body.toString()).signature.signature);
  });

  it('a subaccount\'s parent-signature (the primary account\'s key) is accepted too', () => {
    const o = JSON.parse(py(EVENT));
    o.signature['parent-signature'] = o.signature.signature;
    o.signature.signature = 'a'.repeat(64);
    expect(at(JSON.stringify(o)).valid).toBe(true);
  });

  const signed = py(EVENT);
  const edit = (f: (o: { signature: Record<string, unknown> }) => void) => {
    const o = JSON.parse(signed);
    f(o);
    return JSON.stringify(o);
  };
  it.each([
    ['tampered event data (not signed: still valid, and said so)', signed.replace('alice', 'mallory'), NOW, 'ok'],
    ['tampered signature', edit((o) => (o.signature.signature = `0${String(o.signature.signature).slice(1)}`)), NOW, 'no_match'],
    ['tampered token', edit((o) => (o.signature.token = `f${String(o.signature.token).slice(1)}`)), NOW, 'no_match'],
    ['missing signature object', EVENT, NOW, 'missing_header'],
    ['malformed signature', edit((o) => (o.signature.signature = 'garbage')), NOW, 'malformed_header'],
    ['no timestamp', edit((o) => delete o.signature.timestamp), NOW, 'missing_timestamp'],
    ['stale (beyond 300 s)', signed, NOW + 301, 'timestamp_too_old'],
    ['future (beyond 300 s)', signed, NOW - 301, 'timestamp_in_future'],
    ['at the edge, 300 s old', signed, NOW + 300, 'ok'],
    ['at the edge, 300 s ahead', signed, NOW - 300, 'ok'],
    ['11 minutes old', signed, NOW + 660, 'timestamp_too_old'],
  ] as const)('%s', (_n, body, now, reason) => {
    expect(at(body, now).reason).toBe(reason);
  });

  it('wrong secret', () => {
    expect(verify('mailgun', { body: signed, headers: {}, secrets: ['key-other'], now: NOW }).reason).toBe('no_match');
  });

  it('random signature values in the body never throw', () => {
    // The "header" here is the body's signature field: the property edits it through a header
    // the scheme ignores, and the body carries random text where the signature goes.
    headerProperty(mailgun, 'x-ignored', [KEY], { body: signed });
    for (const junk of ['', 'null', '[]', '{"signature":null}', '{"signature":{"token":1}}', 'signature=&token=', '%zz=1']) {
      expect(['missing_header', 'malformed_header', 'missing_timestamp']).toContain(at(junk).reason);
    }
  });
});

describe('mailgun: legacy form deliveries', () => {
  const form = `Domain=mg.acme.example&event=delivered&recipient=alice%40example.com&Message-Id=%3C1.2%40mg.acme.example%3E&timestamp=${NOW}&token=${TOKEN}&signature=`;
  it('whk signs the form fields Python verifies, and verifies them', () => {
    const d = signDelivery('mailgun', { body: 'Domain=mg.acme.example&event=delivered', secrets: [KEY], timestamp: NOW });
    expect(d.body.toString()).toMatch(/^Domain=mg\.acme\.example&event=delivered&timestamp=\d+&token=[0-9a-f]{50}&signature=[0-9a-f]{64}$/);
    expect(pyValid(d.body.toString())).toBe(true);
    const sig = python<{ body: string }>('mailgun', { mode: 'sign', secret: KEY, body: '{}', timestamp: NOW, token: TOKEN }).body;
    const hex = JSON.parse(sig).signature.signature as string;
    expect(at(form + hex)).toMatchObject({ valid: true, matched: 'timestamp + token (form fields; the event data is not signed)' });
    expect(at(form + hex.replace(/^./, (c) => (c === '0' ? '1' : '0'))).reason).toBe('no_match');
    expect(mailgun.eventInfo!({}, Object.fromEntries(new URLSearchParams(form)))).toEqual({ type: 'delivered', id: '<1.2@mg.acme.example>' });
  });
});

describe('mailgun: send\'s negative modes change the signature inside the body', () => {
  const url = new URL('http://127.0.0.1:9/hooks');
  const build = (negative?: Parameters<typeof builder>[0]['negative']) => {
    const b = builder({ scheme: mailgun, provider: mailgun.samples, sample: mailgun.samples!.events[0], secrets: [KEY], url, negative, clock: () => NOW * 1000 });
    return b.build(b.newEvent());
  };
  it.each([
    [undefined, 'ok'],
    [{ kind: 'tamper-signature' } as const, 'no_match'],
    [{ kind: 'no-signature' } as const, 'missing_header'],
    [{ kind: 'wrong-secret' } as const, 'no_match'],
    [{ kind: 'stale', ms: 1_800_000 } as const, 'timestamp_too_old'],
  ])('%j', (neg, reason) => {
    const req = build(neg);
    expect(at(req.body as Buffer).reason).toBe(reason);
  });
  it('the sample: the signature object first, then event-data; no signature header; event type and id from event-data', () => {
    const req = build();
    const o = JSON.parse(req.body.toString());
    expect(Object.keys(o)).toEqual(['signature', 'event-data']);
    expect(req.headers.filter((_, i) => i % 2 === 0)).toEqual(['Content-Type', 'User-Agent']);
    expect(mailgun.eventInfo!({}, o)).toEqual({ type: 'delivered', id: o['event-data'].id });
    expect(sign('mailgun', { body: req.body, secrets: [KEY] })).toEqual({});
  });
});

describe('mailgun through the CLI', () => {
  it('whk sign prints the signed body; whk verify accepts it', async () => {
    const s = await whk(['sign', '--scheme', 'mailgun', '--secret', KEY, '--body', EVENT, '--timestamp', String(NOW)]);
    expect(s.code).toBe(0);
    const body = s.stdout.trim();
    expect(pyValid(body)).toBe(true);
    const v = await whk(['verify', '--scheme', 'mailgun', '--secret', KEY, '--body', body, '--now', String(NOW), '--json']);
    expect(JSON.parse(v.stdout)).toMatchObject({ valid: true });
    const j = await whk(['sign', '--scheme', 'mailgun', '--secret', KEY, '--body', EVENT, '--json']);
    expect(JSON.parse(JSON.parse(j.stdout).body).signature.signature).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a delivery 11 minutes old is refused by default (300 s either way, Mailgun names no window); --tolerance widens it', async () => {
    const body = py(EVENT);
    const run = (now: number, ...more: string[]) => whk(['verify', '--scheme', 'mailgun', '--secret', KEY, '--body', body, '--now', String(now), ...more]);
    const stale = await run(NOW + 660);
    expect(stale.code).toBe(1);
    expect(stale.stdout).toMatch(/^✗ invalid: timestamp_too_old — timestamp is 660 s old, beyond the 300 s tolerance \(signature\.timestamp in the body\)/);
    const ahead = await run(NOW - 301);
    expect([ahead.code, ahead.stdout]).toEqual([1, expect.stringMatching(/^✗ invalid: timestamp_in_future — timestamp is 301 s in the future/)]);
    expect((await run(NOW + 300)).code).toBe(0);
    expect((await run(NOW - 300)).code).toBe(0);
    const widened = await run(NOW + 660, '--tolerance', '900');
    expect([widened.code, widened.stdout]).toEqual([0, expect.stringMatching(/^✓ valid \(mailgun, .*timestamp 660 s old\)/)]);
    const shown = await whk(['schemes', 'show', 'mailgun']);
    expect(shown.stdout).toMatch(/timestamp {3}signature\.timestamp in the body, ±300 s \(Mailgun asks receivers to refuse stale timestamps but names no window: whk's usual 300 s\)/);
  });

  it('send -> listen (200, 401 with --wrong-secret) and probe', async () => {
    await sendListenProbe('mailgun', KEY);
  }, 60_000);
});
