/**
 * verify('auto'): which scheme a delivery is judged by, and that the verdict names it.
 * Diagnosis: on no_match, the mistakes people make (a re-encoded body, a newline, a padded secret,
 * a whsec_ secret used the wrong way, hex for base64, parts signed in the wrong order) are named.
 *
 * The "buggy senders" below sign with node:crypto directly: those signatures are the inputs of
 * the tests, not expected values.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Registry, sign, verify, type Verdict } from '../../src/index.js';
import { coreSchemes } from '../../src/providers/core.js';

/** Detection among the core's schemes (the catalogue adds more that share these headers: clerk, resend). */
const core = new Registry(coreSchemes);
const detectScheme = (headers: Parameters<Registry['detect']>[0]) => core.detect(headers).map((s) => s.name);
import { CASES, NOW, PYTHON, STD_KEY, runPython, without } from './_helpers.js';

const hmac = (key: string | Buffer, msg: string, enc: 'hex' | 'base64') => createHmac('sha256', key).update(msg).digest(enc);
const diagnosis = (v: Verdict) => (v.valid ? undefined : v.diagnosis);

describe('detectScheme', () => {
  it.each([
    [{ 'webhook-signature': 'v1,x', 'webhook-id': 'i', 'webhook-timestamp': '1' }, ['standard', 'freepik']],
    [{ 'svix-signature': 'v1,x' }, ['svix']],
    [{ 'Stripe-Signature': 't=1,v1=x' }, ['stripe']],
    [{ 'X-Hub-Signature': 'sha1=x' }, ['github']],
    [{ 'X-DFNS-WEBHOOK-SIGNATURE': 'sha256=x' }, ['dfns']],
    [{ 'x-webhook-signature': 't=1,v1=x' }, ['wealthkernel']],
    [{ 'content-type': 'application/json' }, []],
  ])('%j -> %j', (headers, expected) => {
    expect(detectScheme(headers)).toEqual(expected);
  });
});

describe("verify('auto')", () => {
  it.each(CASES.map((c) => [c.scheme, c] as const))('finds %s from its own headers and names it', (name, c) => {
    const body = c.body(NOW);
    const headers = sign(name, { body, secrets: [c.secret], timestamp: NOW, id: 'msg_auto', url: c.url });
    const v = verify('auto', { body, headers, secrets: [c.verifyKey ?? c.secret], now: NOW, url: c.url });
    expect(v).toMatchObject({ valid: true, scheme: name });
  });

  describe('Standard Webhooks headers: standard or freepik, decided by which key makes the signature', () => {
    const body = JSON.stringify({ type: 'user.created', data: { id: 'u_1' } });
    const auto = (headers: Record<string, string>, secret: string) => verify('auto', { body, headers, secrets: [secret], now: NOW });

    it('a whsec_ key, base64-decoded (standard): standard', () => {
      const headers = sign('standard', { body, secrets: [STD_KEY], timestamp: NOW, id: 'msg_1' });
      expect(auto(headers, STD_KEY)).toMatchObject({ valid: true, scheme: 'standard' });
    });

    it('a text secret that is not base64 (freepik): freepik', () => {
      const headers = sign('freepik', { body, secrets: ['fpk-Secret!'], timestamp: NOW, id: 'msg_1' });
      expect(auto(headers, 'fpk-Secret!')).toMatchObject({ valid: true, scheme: 'freepik' });
    });

    it('a text secret that happens to be valid base64 (freepik): freepik, after standard fails', () => {
      const headers = sign('freepik', { body, secrets: ['abcd1234'], timestamp: NOW, id: 'msg_1' });
      expect(auto(headers, 'abcd1234')).toMatchObject({ valid: true, scheme: 'freepik' });
    });

    it('a whsec_ string used as text by the sender: freepik', () => {
      const headers = sign('freepik', { body, secrets: [STD_KEY], timestamp: NOW, id: 'msg_1' });
      expect(auto(headers, STD_KEY)).toMatchObject({ valid: true, scheme: 'freepik' });
    });

    it('svix-* headers: svix only', () => {
      const headers = sign('svix', { body, secrets: [STD_KEY], timestamp: NOW, id: 'msg_1' });
      expect(auto(headers, STD_KEY)).toMatchObject({ valid: true, scheme: 'svix' });
    });

    it('neither key fits: no_match', () => {
      const headers = sign('standard', { body, secrets: [STD_KEY], timestamp: NOW, id: 'msg_1' });
      expect(auto(headers, 'whsec_AAAAAAAAAAAAAAAAAAAAAAAA').reason).toBe('no_match');
    });

    it('matched but stale: the stale verdict wins over the other candidate’s no_match', () => {
      const headers = sign('standard', { body, secrets: [STD_KEY], timestamp: NOW - 3600, id: 'msg_1' });
      expect(auto(headers, STD_KEY)).toMatchObject({ reason: 'timestamp_too_old', scheme: 'standard' });
    });
  });

  it('no header of any known scheme: missing_header, naming the usual headers, or the closest to one that looks like a signature', () => {
    const v = verify('auto', { body: '{}', headers: { 'content-type': 'application/json' }, secrets: ['s'], now: NOW });
    expect(v).toMatchObject({ valid: false, reason: 'missing_header', scheme: 'auto' });
    expect(v.message).toBe('no signature header of any known scheme; the usual ones: webhook-signature, svix-signature, Stripe-Signature, X-Hub-Signature-256, X-Slack-Signature; whk schemes lists all');
    const near = verify('auto', { body: '{}', headers: { 'x-slack-signature-v2': 'v0=abc' }, secrets: ['s'], now: NOW });
    expect(near.message).toMatch(/^no signature header of any known scheme: x-slack-signature-v2 is none of them; closest: X-Slack-Signature\b.*; whk schemes lists all$/);
  });

  it('a known scheme with its signature header dropped is not detected: missing_header', () => {
    const body = CASES[0]!.body(NOW);
    const headers = sign('dfns', { body, secrets: ['s'] });
    expect(verify('auto', { body, headers: without(headers, ['X-DFNS-WEBHOOK-SIGNATURE']), secrets: ['s'], now: NOW }).reason).toBe('missing_header');
  });
});

// ---------------------------------------------------------------------------------------------
const obj = { type: 'order.paid', data: { id: 'ord_1', customer: 'Zoë', items: [{ sku: 'A-1', qty: 2 }] } };
const COMPACT = JSON.stringify(obj);
const TWO = JSON.stringify(obj, null, 2);
const FOUR = JSON.stringify(obj, null, 4);
/** What Python's json.dumps(obj) writes (", " and ": ", non-ASCII escaped). */
const PY_DEFAULT = '{"type": "order.paid", "data": {"id": "ord_1", "customer": "Zo\\u00eb", "items": [{"sku": "A-1", "qty": 2}]}}';
/** JSON in no canonical layout, so that no re-serialization reproduces it. */
const IRREGULAR = '{ "type":"order.paid" ,"data": {"id":"ord_1"}}';
const FORM = 'token=abc&team_id=T1&text=whk-test';

/** GitHub: a delivery whose signature was made over `signed` with `key`, received as `received`. */
const github = (signed: string, received: string, key = 'gh-secret', verifyWith = key) =>
  verify('github', { body: received, headers: { 'X-Hub-Signature-256': `sha256=${hmac(key, signed, 'hex')}` }, secrets: [verifyWith] });

describe('diagnosis: the body changed between signing and verifying', () => {
  it.each([
    ['signed compact, received indented: compact JSON', COMPACT, TWO, /compact JSON/],
    ['signed with 2-space indentation, received compact', TWO, COMPACT, /2-space indentation/],
    ['signed with 4-space indentation, received compact', FOUR, COMPACT, /4-space indentation/],
    ["signed as Python's json.dumps default writes it", PY_DEFAULT, COMPACT, /Python's json\.dumps default/],
    ['signed with a trailing newline that was stripped', `${COMPACT}\n`, COMPACT, /plus a trailing newline/],
    ['received with a trailing newline added (JSON in no canonical layout)', IRREGULAR, `${IRREGULAR}\n`, /without its trailing newline/],
    ['received with a trailing newline added (a form body)', FORM, `${FORM}\n`, /without its trailing newline/],
    ['received with a trailing CRLF added', FORM, `${FORM}\r\n`, /without its trailing newline/],
  ])('%s', (_what, signed, received, expected) => {
    const v = github(signed, received);
    expect(v.reason).toBe('no_match');
    expect(diagnosis(v)).toMatch(expected);
  });

  it.runIf(PYTHON)('(the Python form above is what python3 json.dumps really writes)', () => {
    expect(runPython<string>('import json, sys; print(json.dumps(json.dumps(json.load(sys.stdin))))', obj)).toBe(PY_DEFAULT);
  });

  // JSON.parse ignores a trailing newline, so the whitespace candidates must be tried before the
  // re-serializations, or an added newline would be blamed on a re-serialization.
  it('received with a trailing newline added, signed body compact JSON', () => {
    expect(diagnosis(github(COMPACT, `${COMPACT}\n`))).toMatch(/without its trailing newline/);
  });
  it('received with a trailing newline added, signed body 2-space JSON', () => {
    expect(diagnosis(github(TWO, `${TWO}\n`))).toMatch(/without its trailing newline/);
  });

  it('the same mistakes are found for other schemes (stripe, slack, typeform, wealthkernel)', () => {
    for (const scheme of ['stripe', 'slack', 'typeform', 'wealthkernel']) {
      const headers = sign(scheme, { body: TWO, secrets: ['s3cret'], timestamp: NOW });
      const v = verify(scheme, { body: COMPACT, headers, secrets: ['s3cret'], now: NOW });
      expect(diagnosis(v), scheme).toMatch(/2-space indentation/);
    }
  });

  it('dfns and linear find them too (with their timestamps in the body)', () => {
    const dfnsBody = JSON.stringify({ kind: 'wallet.transfer.requested', timestampSent: NOW, data: { n: 1 } }, null, 4);
    const d = verify('dfns', { body: JSON.stringify(JSON.parse(dfnsBody)), headers: sign('dfns', { body: dfnsBody, secrets: ['s'] }), secrets: ['s'], now: NOW });
    expect(diagnosis(d)).toMatch(/4-space indentation/);
    const linearBody = JSON.stringify({ type: 'Issue', webhookTimestamp: NOW * 1000 }, null, 2);
    const l = verify('linear', { body: JSON.stringify(JSON.parse(linearBody)), headers: sign('linear', { body: linearBody, secrets: ['s'] }), secrets: ['s'], now: NOW });
    expect(diagnosis(l)).toMatch(/2-space indentation/);
  });

  it('a plain wrong secret is not dressed up as a mistake: no diagnosis', () => {
    expect(diagnosis(github(COMPACT, COMPACT, 'gh-secret', 'another'))).toBeUndefined();
  });
});

describe('diagnosis: the secret', () => {
  it.each([
    ['a trailing newline', 'gh-secret\n'],
    ['surrounding spaces', '  gh-secret '],
  ])('github, the secret given with %s', (_what, padded) => {
    const v = github(COMPACT, COMPACT, 'gh-secret', padded);
    expect(v.reason).toBe('no_match');
    expect(diagnosis(v)).toMatch(/surrounding whitespace/);
  });

  it('stripe, the secret given with a trailing newline', () => {
    const headers = sign('stripe', { body: COMPACT, secrets: ['whsec_abc123'], timestamp: NOW });
    expect(diagnosis(verify('stripe', { body: COMPACT, headers, secrets: ['whsec_abc123\n'], now: NOW }))).toMatch(/surrounding whitespace/);
  });

  // Whitespace is never part of base64, so a whsec_ secret pasted with a newline still works.
  it('standard: a whsec_ secret given with a trailing newline is used without it', () => {
    const headers = sign('standard', { body: COMPACT, secrets: [STD_KEY], timestamp: NOW, id: 'msg_1' });
    expect(verify('standard', { body: COMPACT, headers, secrets: [`${STD_KEY}\n`], now: NOW }).reason).toBe('ok');
  });

  it('standard: the sender used the whsec_ string as text instead of decoding it', () => {
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(NOW), 'webhook-signature': `v1,${hmac(STD_KEY, `msg_1.${NOW}.${COMPACT}`, 'base64')}` };
    const v = verify('standard', { body: COMPACT, headers, secrets: [STD_KEY], now: NOW });
    expect(v.reason).toBe('no_match');
    expect(diagnosis(v)).toMatch(/instead of base64-decoding it.*freepik/);
  });

  it('stripe: the sender base64-decoded the whsec_ secret', () => {
    const secret = STD_KEY;
    const decoded = Buffer.from(secret.slice(6), 'base64');
    const headers = { 'Stripe-Signature': `t=${NOW},v1=${hmac(decoded, `${NOW}.${COMPACT}`, 'hex')}` };
    const v = verify('stripe', { body: COMPACT, headers, secrets: [secret], now: NOW });
    expect(v.reason).toBe('no_match');
    expect(diagnosis(v)).toMatch(/base64-decoded the whsec_ secret/);
  });

  it('stripe: the sender dropped the whsec_ prefix', () => {
    const headers = { 'Stripe-Signature': `t=${NOW},v1=${hmac('abc123', `${NOW}.${COMPACT}`, 'hex')}` };
    expect(diagnosis(verify('stripe', { body: COMPACT, headers, secrets: ['whsec_abc123'], now: NOW }))).toMatch(/without its whsec_ prefix/);
  });
});

describe('diagnosis: the encoding of the signature', () => {
  const key = Buffer.from(STD_KEY.slice(6), 'base64');

  it('standard: hex where base64 belongs', () => {
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(NOW), 'webhook-signature': `v1,${hmac(key, `msg_1.${NOW}.${COMPACT}`, 'hex')}` };
    expect(diagnosis(verify('standard', { body: COMPACT, headers, secrets: [STD_KEY], now: NOW }))).toMatch(/hex-encoded, but standard sends base64/);
  });

  it('wealthkernel: hex where base64 belongs', () => {
    const headers = { 'X-Webhook-Signature': `t=${NOW},v1=${hmac('wk', COMPACT + NOW, 'hex')}` };
    expect(diagnosis(verify('wealthkernel', { body: COMPACT, headers, secrets: ['wk'], now: NOW }))).toMatch(/hex-encoded, but wealthkernel sends base64/);
  });

  it('stripe: base64 where hex belongs', () => {
    const headers = { 'Stripe-Signature': `t=${NOW},v1=${hmac('whsec_x', `${NOW}.${COMPACT}`, 'base64')}` };
    expect(diagnosis(verify('stripe', { body: COMPACT, headers, secrets: ['whsec_x'], now: NOW }))).toMatch(/base64-encoded, but stripe sends hex/);
  });

  it('typeform: hex in a fixed-shape header is malformed_header (the message names the expected shape)', () => {
    const v = verify('typeform', { body: COMPACT, headers: { 'Typeform-Signature': `sha256=${hmac('tf', COMPACT, 'hex')}` }, secrets: ['tf'] });
    expect(v.reason).toBe('malformed_header');
    expect(v.message).toMatch(/base64/);
  });
});

describe('diagnosis: the parts signed in the wrong order or without separators', () => {
  const key = Buffer.from(STD_KEY.slice(6), 'base64');
  const std = (content: string) => verify('standard', {
    body: COMPACT, now: NOW, secrets: [STD_KEY],
    headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': String(NOW), 'webhook-signature': `v1,${hmac(key, content, 'base64')}` },
  });
  const stripe = (content: string) => verify('stripe', {
    body: COMPACT, now: NOW, secrets: ['whsec_x'], headers: { 'Stripe-Signature': `t=${NOW},v1=${hmac('whsec_x', content, 'hex')}` },
  });

  it.each([
    ['standard: id and timestamp swapped', () => std(`${NOW}.msg_1.${COMPACT}`), /id and the timestamp are swapped/],
    ['standard: the body alone', () => std(COMPACT), /signed the body alone/],
    ['standard: no "." separators', () => std(`msg_1${NOW}${COMPACT}`), /without the "\." separators/],
    ['stripe: "body.t"', () => stripe(`${COMPACT}.${NOW}`), /signed "body\.t"/],
    ['stripe: t and body without "."', () => stripe(`${NOW}${COMPACT}`), /without the "\." between/],
    ['stripe: the body alone', () => stripe(COMPACT), /signed the body alone/],
    ['slack: no "v0:" prefix', () => verify('slack', {
      body: COMPACT, now: NOW, secrets: ['sl'],
      headers: { 'X-Slack-Signature': `v0=${hmac('sl', `${NOW}:${COMPACT}`, 'hex')}`, 'X-Slack-Request-Timestamp': String(NOW) },
    }), /"v0:" prefix/],
    ['wealthkernel: Stripe-style "t.body"', () => verify('wealthkernel', {
      body: COMPACT, now: NOW, secrets: ['wk'], headers: { 'X-Webhook-Signature': `t=${NOW},v1=${hmac('wk', `${NOW}.${COMPACT}`, 'base64')}` },
    }), /Stripe style/],
    ['wealthkernel: t before the body', () => verify('wealthkernel', {
      body: COMPACT, now: NOW, secrets: ['wk'], headers: { 'X-Webhook-Signature': `t=${NOW},v1=${hmac('wk', `${NOW}${COMPACT}`, 'base64')}` },
    }), /timestamp before the body/],
  ])('%s', (_what, run, expected) => {
    const v = run();
    expect(v.reason).toBe('no_match');
    expect(diagnosis(v)).toMatch(expected);
  });
});

describe('diagnosis: the wrong scheme among those sharing the headers', () => {
  it('a freepik delivery checked as standard: the diagnosis points at --scheme freepik', () => {
    const body = COMPACT;
    const headers = sign('freepik', { body, secrets: ['abcd1234'], timestamp: NOW, id: 'msg_1' });
    const v = verify('standard', { body, headers, secrets: ['abcd1234'], now: NOW });
    expect(v.reason).toBe('no_match');
    expect(diagnosis(v)).toMatch(/freepik/);
  });
});
