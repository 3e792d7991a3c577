/**
 * mandrill (Mailchimp Transactional): X-Mandrill-Signature = base64 HMAC-SHA1 over the webhook URL
 * + each POST variable's key and value, sorted by key. Independent: a signer written in Python
 * from Mailchimp's "How to Authenticate Webhook Requests"
 * (https://mailchimp.com/developer/transactional/guides/track-respond-activity-webhooks/#authenticating-webhook-requests,
 * test/providers/python/mandrill.py), both directions.
 */
import { describe, expect, it } from 'vitest';
import { sign, verify } from '../../src/index.js';
import { mandrill, mandrillContent } from '../../src/providers/mandrill.js';
import { whk } from '../helpers/in-process.js';
import { headerProperty, python, sendListenProbe } from './_provb.js';

const KEY = 'KfFuThPttL_KoUyDndHW3A';
const URL_ = 'https://hooks.acme.example/mandrill?tenant=7';
const EVENTS = [{ event: 'send', msg: { ts: 1365109999, subject: 'Crème brûlée 🍮', email: 'alice@example.com', sender: 'orders@acme.example', tags: ['order'], state: 'sent', _id: 'abc123' }, _id: 'abc123', ts: 1384954004 }];
const BODY = new URLSearchParams({ mandrill_events: JSON.stringify(EVENTS) }).toString();
const h = sign('mandrill', { body: BODY, secrets: [KEY], url: URL_ });

describe('mandrill', () => {
  it('Python from the docs signs what whk verifies, and whk signs the same', () => {
    for (const body of [BODY, `zeta=1&${BODY}&alpha=two+words`, 'mandrill_events=%5B%5D']) {
      const py = python('mandrill', { secret: KEY, body, url: URL_ });
      expect(verify('mandrill', { body, headers: py, secrets: [KEY], url: URL_ })).toMatchObject({ valid: true, matched: 'URL + POST variables' });
      expect(sign('mandrill', { body, secrets: [KEY], url: URL_ })).toEqual(py);
    }
  });

  it('what is signed: the URL, then key+value sorted by key, decoded', () => {
    expect(mandrillContent('https://h/x', 'b=2&a=one+1&c=%26')).toBe('https://h/xaone 1b2c&');
  });

  it.each([
    ['tampered body', BODY.replace('alice', 'mallory'), h, URL_, 'no_match'],
    ['tampered signature', BODY, { 'X-Mandrill-Signature': h['X-Mandrill-Signature']!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }, URL_, 'no_match'],
    ['another URL (a trailing slash)', BODY, h, 'https://hooks.acme.example/mandrill/?tenant=7', 'no_match'],
    ['missing header', BODY, {}, URL_, 'missing_header'],
    ['malformed (hex)', BODY, { 'X-Mandrill-Signature': 'a'.repeat(40) }, URL_, 'malformed_header'],
  ] as const)('%s', (_n, body, headers, url, reason) => {
    expect(verify('mandrill', { body, headers, secrets: [KEY], url }).reason).toBe(reason);
  });

  it('wrong secret', () => {
    expect(verify('mandrill', { body: BODY, headers: h, secrets: ['another-key'], url: URL_ }).reason).toBe('no_match');
  });

  it('without the URL: a usage error, not a verdict', () => {
    expect(() => verify('mandrill', { body: BODY, headers: h, secrets: [KEY] })).toThrow(/the webhook URL exactly as entered in Mandrill/);
  });

  it('random X-Mandrill-Signature values never throw', () => headerProperty(mandrill, 'X-Mandrill-Signature', [KEY], { url: URL_, body: BODY }));

  it('event type and id: the batch\'s first event', () => {
    expect(mandrill.eventInfo!({}, Object.fromEntries(new URLSearchParams(BODY)))).toEqual({ type: 'send', id: 'abc123' });
  });
});

describe('mandrill through the CLI', () => {
  it('whk sign / whk verify with --url', async () => {
    const s = await whk(['sign', '--scheme', 'mandrill', '--secret', KEY, '--body', BODY, '--url', URL_]);
    expect(s.stdout.trim()).toBe(`X-Mandrill-Signature: ${h['X-Mandrill-Signature']}`);
    const v = await whk(['verify', '--scheme', 'mandrill', '--secret', KEY, '--body', BODY, '--url', URL_, '--header', `X-Mandrill-Signature: ${h['X-Mandrill-Signature']}`, '--json']);
    expect(JSON.parse(v.stdout)).toMatchObject({ valid: true });
  });

  it('send -> listen (200, 401 with --wrong-secret) and probe', async () => {
    await sendListenProbe('mandrill', KEY);
  }, 60_000);
});
