/**
 * The definition engine (src/schemes/definition/): the issue's acme definition through sign
 * and verify, every form the format has (plain and list values, separators, key decodings,
 * algorithms, encodings, timestamp places and units, signed id, URL, method and headers),
 * diagnosis, the registry, and every documented error of a bad definition.
 *
 * Expected signatures are computed here by hand with node:crypto from the meaning of each
 * definition, never with whk.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createRegistry, defineScheme, getScheme, parseDefinition, parseDefinitions, sign, verify,
  type Definition, type Verdict,
} from '../../src/index.js';
import { diagnose } from '../../src/schemes/diagnose.js';
import { WhkError } from '../../src/errors.js';
import { ACME, acmeHeader, acmeSig } from './_acme.js';
import { errorOf } from '../helpers/errors.js';

const T = 1_700_000_000;
const BODY = '{"type":"payment.succeeded","data":{"amount":4200,"currency":"EUR"}}';
const hmac = (alg: string, key: string | Buffer, msg: string | Buffer, enc: 'hex' | 'base64' | 'base64url') => createHmac(alg, key).update(msg).digest(enc);
const acme = defineScheme(ACME, 'acme.json');
const at = (headers: Record<string, string>, now = T, body: string | Buffer = BODY, secrets = ['s3cret']) => verify(acme, { body, headers, secrets, now });
const reason = (v: Verdict) => v.reason;
const diagnosis = (v: Verdict) => (v.valid ? undefined : v.diagnosis);

describe('the issue\'s acme definition', () => {
  it('signs X-Acme-Signature: t=<unix s>,v1=<hex HMAC-SHA256(utf8 secret, "t.body")>', () => {
    expect(sign(acme, { body: BODY, secrets: ['s3cret'], timestamp: T })).toEqual({ 'X-Acme-Signature': acmeHeader('s3cret', T, BODY) });
  });

  it('signs once per secret (rotation): v1 repeats', () => {
    const h = sign(acme, { body: BODY, secrets: ['old', 'new'], timestamp: T });
    expect(h['X-Acme-Signature']).toBe(`t=${T},v1=${acmeSig('old', T, BODY)},v1=${acmeSig('new', T, BODY)}`);
    expect(acme.multipleSecrets).toBe(true);
  });

  it('verifies a delivery signed by hand, and says which kind of check was made', () => {
    const v = at({ 'X-Acme-Signature': acmeHeader('s3cret', T, BODY) }, T + 12);
    expect(v).toMatchObject({ valid: true, reason: 'ok', scheme: 'acme', matched: 'raw body', age: 12, secretIndex: 0 });
    expect(v.check).toBe('custom definition (acme.json): HMAC-SHA256 hex over "timestamp.body"');
  });

  it.each([
    ['pairs in another order', (s: string) => `v1=${s},t=${T}`],
    ['spaces after the commas', (s: string) => `t=${T}, v1=${s}`],
    ['v1 repeated, the wrong one first (rotation)', (s: string) => `t=${T},v1=${'0'.repeat(64)},v1=${s}`],
    ['unknown pairs ignored', (s: string) => `v0=deadbeef,t=${T},x=1,v1=${s},scheme=v1`],
    ['upper-case hex', (s: string) => `t=${T},v1=${s.toUpperCase()}`],
  ])('accepts %s', (_what, value) => {
    expect(at({ 'x-acme-signature': value(acmeSig('s3cret', T, BODY)) })).toMatchObject({ valid: true });
  });

  it('refuses deliveries older or newer than 300 s, both edges (|age| <= 300 passes)', () => {
    const h = { 'X-Acme-Signature': acmeHeader('s3cret', T, BODY) };
    expect(reason(at(h, T + 300))).toBe('ok');
    expect(reason(at(h, T + 301))).toBe('timestamp_too_old');
    expect(reason(at(h, T - 300))).toBe('ok');
    expect(reason(at(h, T - 301))).toBe('timestamp_in_future');
    expect(at(h, T + 301).message).toBe('timestamp is 301 s old, beyond the 300 s tolerance (t= in X-Acme-Signature): a replay, a delayed retry, or your clock is wrong');
    expect(reason(verify(acme, { body: BODY, headers: h, secrets: ['s3cret'], now: T + 900, tolerance: 900 }))).toBe('ok');
  });

  it.each([
    ['no header', {}, 'missing_header', 'no X-Acme-Signature header'],
    ['no t=', { 'X-Acme-Signature': `v1=${'a'.repeat(64)}` }, 'missing_timestamp', 'X-Acme-Signature has no t=<timestamp> entry'],
    ['t= not a number', { 'X-Acme-Signature': `t=soon,v1=${'a'.repeat(64)}` }, 'malformed_header', 't="soon" in X-Acme-Signature is not a Unix timestamp in seconds'],
    ['no v1=', { 'X-Acme-Signature': `t=${T},v0=${'a'.repeat(64)}` }, 'malformed_header', 'X-Acme-Signature has no v1=<hex> entry'],
    ['v1= not a digest', { 'X-Acme-Signature': `t=${T},v1=xyz` }, 'malformed_header', 'X-Acme-Signature has no well-formed v1=<hex> entry'],
    ['the wrong secret', { 'X-Acme-Signature': acmeHeader('other', T, BODY) }, 'no_match', 'no signature matches the secret over "timestamp.body": check that the secret is this endpoint\'s signing secret (see https://docs.acme.example/webhooks#signatures)'],
    ['a signature of another body', { 'X-Acme-Signature': acmeHeader('s3cret', T, `${BODY} `) }, 'no_match', 'no signature matches the secret over "timestamp.body": check that the secret is this endpoint\'s signing secret (see https://docs.acme.example/webhooks#signatures)'],
  ])('%s: %s', (_what, headers, why, message) => {
    const v = at(headers);
    expect(v).toMatchObject({ valid: false, reason: why, message, scheme: 'acme' });
    expect(v.check).toContain('custom definition (acme.json)');
  });

  it('a base64 v1 is malformed, and diagnosed as an encoding mix-up', () => {
    const b64 = hmac('sha256', 's3cret', `${T}.${BODY}`, 'base64');
    const v = at({ 'X-Acme-Signature': `t=${T},v1=${b64}` });
    expect(v).toMatchObject({ reason: 'malformed_header', diagnosis: 'the value is a base64-encoded digest, but acme sends hex: encode the HMAC digest as hex' });
  });

  it('finds the event type at /type of the body and the id in X-Acme-Delivery', () => {
    expect(acme.eventInfo!({ 'x-acme-delivery': 'dlv_1' }, JSON.parse(BODY))).toEqual({ type: 'payment.succeeded', id: 'dlv_1' });
    expect(acme.eventInfo!({}, null)).toEqual({ type: undefined, id: undefined });
  });

  it('describes itself for whk schemes', () => {
    expect(acme).toMatchObject({
      name: 'acme', provider: 'Acme Payments (in-house)', docs: 'https://docs.acme.example/webhooks#signatures', headers: ['X-Acme-Signature'],
      algorithm: 'HMAC-SHA256 hex over "timestamp.body", as "t=<timestamp>,v1=<signature>"; v1 may repeat',
      timestamp: { where: 't= in X-Acme-Signature', tolerance: 300, direction: 'both' },
      secretFormat: 'the secret as text (UTF-8)', contentType: 'application/json', source: 'acme.json', keyDecoding: 'utf8',
    });
    expect(acme.definition).toEqual(ACME);
  });
});

describe('diagnosis works for definitions', () => {
  const pretty = JSON.stringify(JSON.parse(BODY), null, 2);
  it('the body re-serialized after signing', () => {
    const v = at({ 'X-Acme-Signature': acmeHeader('s3cret', T, BODY) }, T, pretty);
    expect(diagnosis(v)).toMatch(/^the signature matches this body re-serialized as compact JSON/);
  });
  it('the secret with surrounding whitespace', () => {
    const v = at({ 'X-Acme-Signature': acmeHeader('s3cret', T, BODY) }, T, BODY, ['s3cret\n']);
    expect(diagnosis(v)).toMatch(/^the signature matches the secret without its surrounding whitespace/);
  });
  it.each([
    ['body.timestamp', `${BODY}.${T}`, 'the sender signed "body.timestamp": the parts are in another order: acme signs "timestamp.body"'],
    ['timestamp and body without the "."', `${T}${BODY}`, 'the sender joined the parts without the "." between them: acme signs "timestamp.body"'],
    ['the body alone', BODY, 'the sender signed the body alone: acme signs "timestamp.body"'],
  ])('parts in the wrong order: %s', (_what, signed, why) => {
    const v = at({ 'X-Acme-Signature': `t=${T},v1=${hmac('sha256', 's3cret', signed, 'hex')}` });
    expect(diagnosis(v)).toBe(why);
  });
  it('a missing prefix ("v0:" of a Slack-like definition)', () => {
    const v0 = defineScheme({ name: 'v0like', hmac: 'sha256', encoding: 'hex', header: 'X-Sig', value: 'v0={signature}', signs: 'v0:{timestamp}:{body}', timestamp: { header: 'X-Ts' } });
    const v = verify(v0, { body: BODY, secrets: ['k'], now: T, headers: { 'X-Sig': `v0=${hmac('sha256', 'k', `${T}:${BODY}`, 'hex')}`, 'X-Ts': String(T) } });
    expect(diagnosis(v)).toBe('the sender left out the "v0:" prefix: v0like signs "v0:timestamp:body"');
  });
  it('hex where the definition says base64 (a list form: a no_match the encoding rewrite explains)', () => {
    const b = defineScheme({ name: 'b64list', hmac: 'sha256', encoding: 'base64', header: 'X-Sig', value: 'v1,{signature}', separator: ' ' });
    const hex = hmac('sha256', 'k', BODY, 'hex');
    const v = verify(b, { body: BODY, secrets: ['k'], now: T, headers: { 'X-Sig': `v1,${hex}` } });
    expect(v).toMatchObject({ valid: false, reason: 'malformed_header', diagnosis: 'the value is a hex-encoded digest, but b64list sends base64: encode the HMAC digest as base64' });
  });
  it('a key the sender did not decode ("key": "base64")', () => {
    const secret = Buffer.from('the real key bytes').toString('base64');
    const b = defineScheme({ name: 'b64key', hmac: 'sha256', encoding: 'hex', header: 'X-Sig', key: 'base64' });
    const v = verify(b, { body: BODY, secrets: [secret], now: T, headers: { 'X-Sig': hmac('sha256', secret, BODY, 'hex') } });
    expect(diagnosis(v)).toBe('the sender used the secret\'s text as the key instead of decoding it: b64key keys are the base64-decoded bytes ("key": "base64")');
  });
  it('another provider with the same header', () => {
    const hexKey = defineScheme({ ...ACME, name: 'acme-hexkey', key: 'hex' } as Definition, 'acme-hexkey.json');
    const registry = createRegistry([acme, hexKey]);
    const secret = '00ff00ff';
    const headers = { 'x-acme-signature': `t=${T},v1=${hmac('sha256', Buffer.from(secret, 'hex'), `${T}.${BODY}`, 'hex')}` };
    const d = { body: Buffer.from(BODY), headers, secrets: [secret], now: T, tolerance: 300 };
    expect(acme.verify(d).reason).toBe('no_match');
    expect(diagnose(acme, d, registry.detect(headers))).toBe('the signature is valid for the acme-hexkey scheme, which uses the same headers: hex: the key is the decoded bytes');
  });
});

describe('the forms of the format', () => {
  const d = (extra: Partial<Definition>): Definition => ({ name: 'x', hmac: 'sha256', encoding: 'hex', header: 'X-Sig', ...extra });
  const roundTrip = (def: Definition, input: { body?: string; secrets?: string[]; timestamp?: number; id?: string; url?: string; method?: string; headers?: Record<string, string> } = {}) => {
    const s = defineScheme(def);
    const full = { body: BODY, secrets: ['k'], timestamp: T, ...input };
    const headers = sign(s, full);
    return { s, headers, verdict: verify(s, { body: full.body, headers, secrets: full.secrets, now: T, url: full.url, method: full.method }) };
  };

  it('a plain value with a prefix: sha256=<base64>', () => {
    const { headers, verdict } = roundTrip(d({ value: 'sha256={signature}', encoding: 'base64' }));
    expect(headers).toEqual({ 'X-Sig': `sha256=${hmac('sha256', 'k', BODY, 'base64')}` });
    expect(verdict.valid).toBe(true);
  });

  it('a plain value is one signature: a second secret is not signed', () => {
    const s = defineScheme(d({}));
    expect(s.multipleSecrets).toBe(false);
    expect(sign(s, { body: BODY, secrets: ['k', 'j'] })).toEqual({ 'X-Sig': hmac('sha256', 'k', BODY, 'hex') });
    expect(verify(s, { body: BODY, secrets: ['k'], headers: { 'X-Sig': `sha1=${hmac('sha256', 'k', BODY, 'hex')}` } })).toMatchObject({ reason: 'malformed_header', message: 'X-Sig is not "<64 hex digits>"' });
  });

  it('several signatures separated by a space, each "v1,<sig>" (Standard Webhooks style)', () => {
    const { headers, verdict } = roundTrip(d({ value: 'v1,{signature}', separator: ' ', encoding: 'base64' }), { secrets: ['a', 'k'] });
    expect(headers['X-Sig']).toBe(`v1,${hmac('sha256', 'a', BODY, 'base64')} v1,${hmac('sha256', 'k', BODY, 'base64')}`);
    expect(verdict).toMatchObject({ valid: true, secretIndex: 0 });
    const s = defineScheme(d({ value: 'v1,{signature}', separator: ' ', encoding: 'base64' }));
    expect(verify(s, { body: BODY, secrets: ['k'], headers: { 'X-Sig': `v1a,abc v1,${hmac('sha256', 'k', BODY, 'base64')}` } }).valid).toBe(true);
  });

  it('bare signatures separated by commas', () => {
    const { headers } = roundTrip(d({ separator: ',' }), { secrets: ['a', 'k'] });
    expect(headers['X-Sig']).toBe(`${hmac('sha256', 'a', BODY, 'hex')},${hmac('sha256', 'k', BODY, 'hex')}`);
    const s = defineScheme(d({ separator: ',' }));
    expect(verify(s, { body: BODY, secrets: ['k'], headers: { 'X-Sig': `zz, ${hmac('sha256', 'k', BODY, 'hex')}` } }).valid).toBe(true);
  });

  it('"separator" other than the value\'s own: whole groups, one per signature (Persona style)', () => {
    const { headers, verdict } = roundTrip(d({ value: 't={timestamp},v1={signature}', signs: '{timestamp}.{body}', separator: ' ' }), { secrets: ['a', 'k'] });
    const group = (key: string) => `t=${T},v1=${hmac('sha256', key, `${T}.${BODY}`, 'hex')}`;
    expect(headers).toEqual({ 'X-Sig': `${group('a')} ${group('k')}` });
    expect(verdict).toMatchObject({ valid: true, secretIndex: 0 });
    const s = defineScheme(d({ value: 't={timestamp},v1={signature}', signs: '{timestamp}.{body}', separator: ' ' }));
    for (const header of [`${group('a')} ${group('k')}`, `${group('k')} ${group('a')}`, `${group('a')}  t=${T},v2=${'0'.repeat(64)} ${group('k')}`]) {
      expect(verify(s, { body: BODY, secrets: ['k'], headers: { 'X-Sig': header }, now: T })).toMatchObject({ valid: true });
    }
    expect(verify(s, { body: BODY, secrets: ['k'], headers: { 'X-Sig': `${group('a')} ${group('j')}` }, now: T }).reason).toBe('no_match');
  });

  it('a ";" list with its own labels (Paddle style), and a message id in the value', () => {
    const { headers, verdict } = roundTrip(d({ value: 'id={id};ts={timestamp};h1={signature}', signs: '{id}:{timestamp}:{body}' }), { id: 'msg_1' });
    expect(headers).toEqual({ 'X-Sig': `id=msg_1;ts=${T};h1=${hmac('sha256', 'k', `msg_1:${T}:${BODY}`, 'hex')}` });
    expect(verdict.valid).toBe(true);
  });

  it.each([
    ['sha1', 'hex'], ['sha1', 'base64'], ['sha1', 'base64url'], ['sha256', 'base64url'], ['sha512', 'hex'], ['sha512', 'base64'], ['sha512', 'base64url'],
  ] as const)('hmac %s, encoding %s', (alg, enc) => {
    const { headers, verdict } = roundTrip(d({ hmac: alg, encoding: enc }));
    expect(headers['X-Sig']).toBe(hmac(alg, 'k', BODY, enc));
    expect(verdict.valid).toBe(true);
  });

  it('base64url with padding is accepted too', () => {
    const s = defineScheme(d({ encoding: 'base64url' }));
    expect(verify(s, { body: BODY, secrets: ['k'], headers: { 'X-Sig': `${hmac('sha256', 'k', BODY, 'base64url')}=` } }).valid).toBe(true);
  });

  describe('key decodings', () => {
    const bytes = Buffer.from('0123456789abcdef0123456789abcdef', 'utf8');
    it.each([
      ['base64', bytes.toString('base64')],
      ['hex', bytes.toString('hex')],
      ['whsec', `whsec_${bytes.toString('base64')}`],
      ['whsec', bytes.toString('base64')],
    ] as const)('%s: the key is the decoded bytes (%s)', (key, secret) => {
      const { headers, verdict } = roundTrip(d({ key }), { secrets: [secret] });
      expect(headers['X-Sig']).toBe(hmac('sha256', bytes, BODY, 'hex'));
      expect(verdict.valid).toBe(true);
    });
    it('a secret that does not decode: bad_secret on verify, a usage error on sign', () => {
      const s = defineScheme(d({ key: 'base64' }));
      const v = verify(s, { body: BODY, secrets: ['not base64!'], headers: { 'X-Sig': 'a'.repeat(64) } });
      expect(v.reason).toBe('bad_secret');
      expect(v.message).toMatch(/^secret .+ is not base64: x decodes its secret \("key": "base64"\)$/);
      expect(v.message).not.toContain('base64!');
      expect(() => sign(s, { body: BODY, secrets: ['not base64!'] })).toThrow(WhkError);
      expect(() => sign(defineScheme(d({ key: 'hex' })), { body: BODY, secrets: ['abc'] })).toThrow(/is not hex: x decodes its secret \("key": "hex"\)/);
    });
  });

  describe('timestamps', () => {
    it.each([
      ['s', String(T), T],
      ['ms', String(T * 1000), T],
      ['iso', '2023-11-14T22:13:20.000Z', T],
    ] as const)('from a header, unit %s', (unit, text, seconds) => {
      const s = defineScheme(d({ signs: '{timestamp}.{body}', timestamp: { header: 'X-Ts', unit } }));
      const headers = sign(s, { body: BODY, secrets: ['k'], timestamp: seconds });
      expect(headers).toEqual({ 'X-Sig': hmac('sha256', 'k', `${text}.${BODY}`, 'hex'), 'X-Ts': text });
      expect(verify(s, { body: BODY, headers, secrets: ['k'], now: seconds + 5 })).toMatchObject({ valid: true, age: 5 });
      expect(verify(s, { body: BODY, headers, secrets: ['k'], now: seconds + 301 }).reason).toBe('timestamp_too_old');
      expect(verify(s, { body: BODY, headers: { 'X-Sig': headers['X-Sig']! }, secrets: ['k'], now: seconds }).reason).toBe('missing_timestamp');
      expect(verify(s, { body: BODY, headers: { ...headers, 'X-Ts': 'yesterday' }, secrets: ['k'], now: seconds }).reason).toBe('malformed_header');
    });

    it.each([
      ['s', T, T],
      ['ms', T * 1000 + 500, T + 0.5],
      ['iso', '2023-11-14T22:13:20Z', T],
    ] as const)('from a body field, unit %s', (unit, value, seconds) => {
      const s = defineScheme(d({ timestamp: { body: '/meta/sent', unit, tolerance: 60 } }));
      const body = JSON.stringify({ type: 't', meta: { sent: value } });
      const headers = sign(s, { body, secrets: ['k'] });
      expect(headers).toEqual({ 'X-Sig': hmac('sha256', 'k', body, 'hex') });
      expect(verify(s, { body, headers, secrets: ['k'], now: Math.floor(seconds) + 60 })).toMatchObject({ valid: true });
      expect(verify(s, { body, headers, secrets: ['k'], now: Math.floor(seconds) + 61 }).reason).toBe('timestamp_too_old');
      const none = JSON.stringify({ type: 't' });
      expect(verify(s, { body: none, headers: sign(s, { body: none, secrets: ['k'] }), secrets: ['k'], now: T })).toMatchObject({
        reason: 'missing_timestamp', message: `the signature matches, but the body has no ${unit === 'iso' ? 'ISO 8601 time' : 'numeric'} /meta/sent field`,
      });
    });

    it('direction past: a timestamp from the future passes; strict: |age| = tolerance fails', () => {
      const past = defineScheme({ ...ACME, timestamp: { tolerance: 300, direction: 'past' } } as Definition);
      const h = { 'X-Acme-Signature': acmeHeader('s3cret', T, BODY) };
      expect(verify(past, { body: BODY, headers: h, secrets: ['s3cret'], now: T - 3600 }).valid).toBe(true);
      expect(verify(past, { body: BODY, headers: h, secrets: ['s3cret'], now: T + 301 }).reason).toBe('timestamp_too_old');
      const strict = defineScheme({ ...ACME, timestamp: { tolerance: 300, strict: true } } as Definition);
      expect(verify(strict, { body: BODY, headers: h, secrets: ['s3cret'], now: T + 299 }).valid).toBe(true);
      expect(verify(strict, { body: BODY, headers: h, secrets: ['s3cret'], now: T + 300 }).reason).toBe('timestamp_too_old');
    });
  });

  describe('signed parts besides the body', () => {
    it('{id} from a header (Standard Webhooks style)', () => {
      const def = d({ signs: '{id}.{timestamp}.{body}', id: { header: 'X-Id' }, timestamp: { header: 'X-Ts' } });
      const { s, headers, verdict } = roundTrip(def, { id: 'msg_7' });
      expect(headers).toEqual({ 'X-Sig': hmac('sha256', 'k', `msg_7.${T}.${BODY}`, 'hex'), 'X-Ts': String(T), 'X-Id': 'msg_7' });
      expect(verdict.valid).toBe(true);
      expect(s.headers).toEqual(['X-Sig', 'X-Ts', 'X-Id']);
      expect(s.eventInfo!({ 'x-id': 'msg_7' }, null).id).toBe('msg_7');
      expect(verify(s, { body: BODY, headers: { 'X-Sig': headers['X-Sig']!, 'X-Ts': String(T) }, secrets: ['k'], now: T })).toMatchObject({ reason: 'missing_header', message: 'no X-Id header' });
    });
    it('{url}: needs the URL to sign and to verify', () => {
      const { s, headers, verdict } = roundTrip(d({ signs: '{url}{body}', encoding: 'base64' }), { url: 'https://webhook.site/webhooks' });
      expect(headers['X-Sig']).toBe(hmac('sha256', 'k', `https://webhook.site/webhooks${BODY}`, 'base64'));
      expect(verdict.valid).toBe(true);
      expect(s.needsUrl).toBe(true);
      expect(() => sign(s, { body: BODY, secrets: ['k'] })).toThrow(/x signs the URL it posts to: the URL it posts to is needed/); // the CLI adds the flag (test/e2e)
    });
    it('{method}: POST unless the caller says otherwise', () => {
      const def = d({ signs: '{method} {url}\n{body}' });
      const { headers } = roundTrip(def, { url: 'https://e.example/h' });
      expect(headers['X-Sig']).toBe(hmac('sha256', 'k', `POST https://e.example/h\n${BODY}`, 'hex'));
      const put = roundTrip(def, { url: 'https://e.example/h', method: 'put' });
      expect(put.headers['X-Sig']).toBe(hmac('sha256', 'k', `PUT https://e.example/h\n${BODY}`, 'hex'));
      expect(put.verdict.valid).toBe(true);
    });
    it('{header:Name}: its value comes with the delivery, and sign prints it', () => {
      const def = d({ signs: '{header:X-Tenant}|{body}' });
      const { s, headers, verdict } = roundTrip(def, { headers: { 'x-tenant': 'acme-eu' } });
      expect(headers).toEqual({ 'X-Sig': hmac('sha256', 'k', `acme-eu|${BODY}`, 'hex'), 'X-Tenant': 'acme-eu' });
      expect(verdict.valid).toBe(true);
      expect(() => sign(s, { body: BODY, secrets: ['k'] })).toThrow(/x signs the X-Tenant header: give its value$/); // the CLI adds the flag (test/e2e/custom-schemes)
      expect(verify(s, { body: BODY, headers: { 'X-Sig': headers['X-Sig']! }, secrets: ['k'] })).toMatchObject({ reason: 'missing_header', message: 'no X-Tenant header (x signs it)' });
    });
  });
});

describe('a registry with custom definitions (createRegistry)', () => {
  it("get, detect and verify('auto')", () => {
    const registry = createRegistry([acme]);
    expect(registry.get('ACME')).toBe(acme);
    expect(registry.detect({ 'X-Acme-Signature': 't=1,v1=00' }).map((s) => s.name)).toEqual(['acme']);
    const v = registry.verify('auto', { body: BODY, headers: { 'X-Acme-Signature': acmeHeader('s3cret', T, BODY) }, secrets: ['s3cret'], now: T });
    expect(v).toMatchObject({ valid: true, scheme: 'acme' });
    expect(() => registry.get('acm')).toThrow('unknown scheme "acm": did you mean "acme"? (whk schemes lists them all)');
  });

  it('the library\'s own registry does not know it', () => {
    createRegistry([acme]);
    expect(() => getScheme('acme')).toThrow(/unknown scheme "acme"/);
    expect(verify('auto', { body: BODY, headers: { 'X-Acme-Signature': 't=1,v1=00' }, secrets: ['s'] })).toMatchObject({ reason: 'missing_header' });
  });

  it('refuses a built-in name and a name defined twice', () => {
    expect(() => createRegistry([defineScheme({ ...ACME, name: 'github' }, 'gh.json')])).toThrow('gh.json: "name": "github" is a built-in scheme: give yours another name');
    expect(() => createRegistry([acme]).with([defineScheme(ACME, 'other.json')])).toThrow('scheme "acme" (other.json) is defined twice: also (acme.json)');
  });
});

describe('a bad definition: one line naming the source, the key and what is wrong', () => {
  const base = ACME as unknown as Record<string, unknown>;
  const cases: Array<[string, Record<string, unknown> | unknown, string]> = [
    ['the issue\'s example', { ...base, hmac: 'sha257' }, 'acme.json: "hmac": "sha257" is not one of sha1, sha256, sha512'],
    ['not an object', 'acme', 'acme.json: a definition is a JSON object (or an array of them), not a string'],
    ['a required key missing', { ...base, hmac: undefined }, 'acme.json: "hmac" is missing: one of sha1, sha256, sha512'],
    ['no header', { ...base, header: undefined }, 'acme.json: "header" is missing: a header name, e.g. "X-Acme-Signature"'],
    ['no encoding', { ...base, encoding: undefined }, 'acme.json: "encoding" is missing: one of hex, base64, base64url'],
    ['no name', { ...base, name: undefined }, 'acme.json: "name" is missing: the name --scheme takes, e.g. "acme"'],
    ['an unknown key, a typo', { ...base, hamc: 'sha256' }, 'acme.json: unknown key "hamc": did you mean "hmac"?'],
    ['an unknown key', { ...base, colour: 'red' }, 'acme.json: unknown key "colour" (the keys are name, provider, docs, aliases, checkedBy, status, needs, notes, hmac, key, signs, header, value, separator, encoding, timestamp, id, eventType, eventId, contentType, samples, handshake)'],
    ['an unknown nested key', { ...base, timestamp: { tolerence: 300 } }, 'acme.json: unknown key "timestamp.tolerence": did you mean "timestamp.tolerance"?'],
    ['a name that is not one', { ...base, name: 'Acme Pay' }, 'acme.json: "name": "Acme Pay" is not a scheme name: lower-case letters, digits, ".", "-" and "_" (e.g. "acme-pay")'],
    ['the name auto', { ...base, name: 'auto' }, 'acme.json: "name": "auto" is taken: --scheme auto detects the scheme'],
    ['a wrong type', { ...base, header: 42 }, 'acme.json: "header": 42 is not a string (a header name, e.g. "X-Acme-Signature")'],
    ['an empty string', { ...base, provider: '' }, 'acme.json: "provider" is empty: who sends it, e.g. "Acme Payments"'],
    ['a header with a colon', { ...base, header: 'X-Acme-Signature:' }, 'acme.json: "header": "X-Acme-Signature:" is not a header name (letters, digits and - only, no spaces or colon)'],
    ['a key decoding', { ...base, key: 'latin1' }, 'acme.json: "key": "latin1" is not one of utf8, base64, hex, whsec'],
    ['an encoding', { ...base, encoding: 'HEX' }, 'acme.json: "encoding": "HEX" is not one of hex, base64, base64url'],
    ['a separator', { ...base, separator: '|' }, 'acme.json: "separator": "|" is not one of " ", ",", ";"'],
    ['docs not a URL', { ...base, docs: 'docs.acme.example' }, 'acme.json: "docs": "docs.acme.example" is not an http(s) URL'],
    ['a control character', { ...base, provider: 'Acme\u001b[31m' }, 'acme.json: "provider": "Acme\\u001b[31m" holds a control character'],
    ['signs without the body', { ...base, signs: '{timestamp}' }, 'acme.json: "signs": "{timestamp}" does not include {body}: a signature must cover the body'],
    ['signs the body twice', { ...base, signs: '{body}{body}{timestamp}' }, 'acme.json: "signs": "{body}{body}{timestamp}" has {body} more than once'],
    ['an unknown placeholder', { ...base, signs: '{timestamps}.{body}' }, 'acme.json: "signs": unknown placeholder {timestamps} (did you mean {timestamp}?): the placeholders are {body}, {timestamp}, {id}, {url}, {method} and {header:Name}'],
    ['an unclosed brace', { ...base, signs: '{timestamp.{body}' }, 'acme.json: "signs": "{timestamp.{body}" has a "{" with no "}" after it'],
    ['a stray closing brace', { ...base, signs: 'timestamp}.{body}' }, 'acme.json: "signs": "timestamp}.{body}" has a "}" with no "{" before it'],
    ['{header:} without a name', { ...base, signs: '{header:}{body}' }, 'acme.json: "signs": {header:} does not name a header'],
    ['value without the signature', { ...base, value: 't={timestamp}' }, 'acme.json: "value": "t={timestamp}" has no {signature}'],
    ['value with a placeholder of signs', { ...base, value: 't={timestamp},v1={signature},b={body}' }, 'acme.json: "value": unknown placeholder {body}: the placeholders are {signature}, {timestamp} and {id}'],
    ['value with the signature twice', { ...base, value: 'a={signature},b={signature}' }, 'acme.json: "value": "a={signature},b={signature}" has {signature} more than once (several signatures: "separator", or a list form such as "t={timestamp},v1={signature}" where v1 may repeat)'],
    ['value that is no list', { ...base, value: '{timestamp}.{signature}' }, 'acme.json: "value": "{timestamp}.{signature}" is neither one signature ("sha256={signature}") nor a list of label=value entries ("t={timestamp},v1={signature}")'],
    ['value with one label twice', { ...base, value: 'v1={timestamp},v1={signature}' }, 'acme.json: "value": "v1={timestamp},v1={signature}" uses the label "v1" twice'],
    ['a group separator that is the value\'s own "label,value" comma', { ...base, value: 't,{timestamp};v1,{signature}', separator: ',' }, 'acme.json: "separator": "," is the "," between the labels and values of "value"'],
    ['a timestamp in two places', { ...base, timestamp: { header: 'X-Acme-Timestamp' } }, 'acme.json: "timestamp": the timestamp is in one place, not {timestamp} in "value" and "timestamp.header"'],
    ['a tolerance and no timestamp', { ...base, value: 'v1={signature}', signs: '{body}' }, 'acme.json: "timestamp": says how old a delivery may be, but not where its timestamp is: put {timestamp} in "value", or give "timestamp.header" or "timestamp.body"'],
    ['a signed timestamp from nowhere', { ...base, value: 'v1={signature}', timestamp: undefined }, 'acme.json: "signs": "{timestamp}.{body}" uses {timestamp}, but the definition does not say where the timestamp is: put {timestamp} in "value", or give "timestamp": {"header": "..."}'],
    ['a timestamp that is not signed', { ...base, signs: '{body}' }, 'acme.json: "signs": "{body}" does not include {timestamp}, so the timestamp in "value" is not signed: anyone could change it; add {timestamp} to "signs"'],
    ['a tolerance that is not a number', { ...base, timestamp: { tolerance: '300' } }, 'acme.json: "timestamp.tolerance": "300" is not a number of seconds (an integer from 0 to 315360000)'],
    ['a negative tolerance', { ...base, timestamp: { tolerance: -1 } }, 'acme.json: "timestamp.tolerance": -1 is not a number of seconds (an integer from 0 to 315360000)'],
    ['a unit', { ...base, timestamp: { unit: 'minutes' } }, 'acme.json: "timestamp.unit": "minutes" is not one of s, ms, iso'],
    ['a direction', { ...base, timestamp: { direction: 'future' } }, 'acme.json: "timestamp.direction": "future" is not one of both, past'],
    ['strict not a boolean', { ...base, timestamp: { strict: 'yes' } }, 'acme.json: "timestamp.strict": "yes" is not true or false'],
    ['a body timestamp that is no pointer', { ...base, value: 'v1={signature}', signs: '{body}', timestamp: { body: 'sent_at' } }, 'acme.json: "timestamp.body": "sent_at" is not a JSON pointer into the body (e.g. "/timestampSent", "/meta/sent_at")'],
    ['timestamp not an object', { ...base, timestamp: 300 }, 'acme.json: "timestamp": 300 is not an object'],
    ['the timestamp header is the signature header', { ...base, value: 'v1={signature}', timestamp: { header: 'x-acme-signature' } }, 'acme.json: "timestamp.header": "x-acme-signature" is the signature header: put {timestamp} in "value" instead'],
    ['a signed id from nowhere', { ...base, signs: '{id}.{timestamp}.{body}' }, 'acme.json: "signs": "{id}.{timestamp}.{body}" uses {id}, but the definition does not say where the id is: give "id": {"header": "..."}, or put {id} in "value"'],
    ['an id without its header', { ...base, id: {} }, 'acme.json: "id.header" is missing: a header name, e.g. "X-Acme-Signature"'],
    ['an id in two places', { ...base, value: 'id={id},t={timestamp},v1={signature}', id: { header: 'X-Id' } }, 'acme.json: "id": the id is in one place, not {id} in "value" and "id.header"'],
    ['an eventType that is neither', { ...base, eventType: 'type' }, 'acme.json: "eventType": "type" is neither a JSON pointer into the body (starting with "/", e.g. "/type") nor "header:Name"'],
    ['an eventId header without a name', { ...base, eventId: 'header:' }, 'acme.json: "eventId": "header:" does not name a header after "header:"'],
    ['a bad pointer escape', { ...base, eventType: '/a~2b' }, 'acme.json: "eventType": "/a~2b" is not a JSON pointer: "~" must be written ~0, and "/" inside a name ~1'],
    ['signs the signature header', { ...base, signs: '{header:X-Acme-Signature}{timestamp}{body}' }, 'acme.json: "signs": {header:X-Acme-Signature} is the signature header itself'],
    ['aliases not an array', { ...base, aliases: 'acme-pay' }, 'acme.json: "aliases": "acme-pay" is not an array of names'],
    ['an alias that is no name', { ...base, aliases: ['ok', 'Acme Pay'] }, 'acme.json: "aliases[1]": "Acme Pay" is not another scheme name (lower-case letters, digits, ".", "-" and "_"; not "auto")'],
    ['an alias listed twice', { ...base, aliases: ['pay', 'pay'] }, 'acme.json: "aliases[1]": "pay" is listed twice'],
    ['a status', { ...base, status: 'done' }, 'acme.json: "status": "done" is not one of confirmed, unconfirmed, needs-code'],
    ['research the format cannot run', { ...base, status: 'needs-code', needs: 'Two headers\n with two keys', variants: {} }, 'acme.json: "status": "needs-code": the format cannot say all of acme\'s rules, so whk does not run this definition (Two headers with two keys)'],
  ];

  it.each(cases)('%s', (_what, json, message) => {
    const clean = typeof json === 'object' && json !== null ? JSON.parse(JSON.stringify(json)) : json;
    const thrown = errorOf(() => parseDefinition(clean, 'acme.json'));
    expect(thrown).toBeInstanceOf(WhkError);
    expect((thrown as WhkError).message).toBe(message);
    expect((thrown as WhkError).exitCode).toBe(2);
    expect((thrown as WhkError).code).toBe('bad_definition');
    expect(message).not.toContain('\n');
    // defineScheme (the library) says the same.
    expect(() => defineScheme(clean, 'acme.json')).toThrow(message);
  });

  it('arrays: each definition named by its place; an empty array; a name twice', () => {
    expect(parseDefinitions([ACME, { ...ACME, name: 'acme2' }], 'defs.json').map((d) => d.name)).toEqual(['acme', 'acme2']);
    expect(() => parseDefinitions([ACME, { ...ACME, hmac: 'md5' }], 'defs.json')).toThrow('defs.json #2: "hmac": "md5" is not one of sha1, sha256, sha512');
    expect(() => parseDefinitions([], 'defs.json')).toThrow('defs.json: an empty array: no definition in it');
    expect(() => parseDefinitions([ACME, ACME], 'defs.json')).toThrow('defs.json #2: "name": "acme" is already defined by #1');
  });

  it('defineScheme without a source names the definition', () => {
    expect(() => defineScheme({ ...ACME, hmac: 'sha257' })).toThrow('definition: "hmac": "sha257" is not one of sha1, sha256, sha512');
  });
});
