/**
 * Plivo: V3, V2 and the legacy X-Plivo-Signature in one scheme. Checked against the plivo SDK
 * (validateV3Signature, validateSignature for V2, computeOldSignature/verifyOldSignature for the
 * legacy header): whk signs, the SDK validates (fixed cases and random ones); the SDK signs the
 * legacy header, whk verifies. The SDK has no V2/V3 signer, so that direction is a Python signer
 * written from Plivo's docs (test/providers/python/plivo.py, pages cited there).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { plivo, plivoV3Content } from '../../src/providers/plivo.js';
import { sign, verify } from '../../src/index.js';
import { REASONS, type Verdict } from '../../src/schemes/types.js';
import { startInProcess, whk, type InProcess } from '../helpers/in-process.js';
import { HAS_PYTHON, python } from './_python.js';

const require = createRequire(import.meta.url);
const sdk = require('plivo') as {
  validateV3Signature(method: string, uri: string, nonce: string, token: string, signature: string, params?: Record<string, string | string[]>): boolean;
  validateSignature(uri: string, nonce: string, signature: string, token: string): boolean;
};
const legacySdk = require('plivo/dist/utils/security.js') as {
  computeOldSignature(token: string, uri: string, params: Record<string, string>): string;
  verifyOldSignature(token: string, uri: string, params: Record<string, string>, signature: string): boolean;
};

const TOKEN = 'ZWNmZWJmNjY3YjA5MzI4ZDQ4ZDdhMWQ1ZjJhOWJj';
const URL_ = 'https://example.com/abcd?foo=bar';
const BODY = 'CallUUID=97ceeb52-58b6-11e1-86da-77300b68f8bb&Direction=outbound&From=%2B15551234567&To=15557654321&Event=Hangup';
const N3 = '05429567804466091622';
const N2 = '12345678901234567890';
const V2_ = { 'X-Plivo-Signature-V2-Nonce': N2 };
const LEGACY_ = { 'X-Plivo-Signature': 'legacy' };
const paramsOf = (body: string): Record<string, string | string[]> => {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(body)) out[k] = k in out ? [...[out[k]!].flat(), v] : v;
  return out;
};

const check = (headers: Record<string, string | undefined>, o: { body?: string; url?: string; method?: string; secrets?: string[] } = {}): Verdict =>
  verify(plivo, { body: o.body ?? BODY, headers, secrets: o.secrets ?? [TOKEN], url: 'url' in o ? o.url : URL_, method: o.method });
const signed = (o: { body?: string; url?: string; method?: string; headers?: Record<string, string>; secrets?: string[] } = {}) =>
  sign(plivo, { body: o.body ?? BODY, secrets: o.secrets ?? [TOKEN], url: o.url ?? URL_, method: o.method, headers: o.headers ?? { 'X-Plivo-Signature-V3-Nonce': N3 } });

describe('plivo: sign -> verify', () => {
  it('signs V3 by default (with a fresh 20-digit nonce), the -Ma- header alike', () => {
    const h = sign(plivo, { body: BODY, secrets: [TOKEN], url: URL_ });
    expect(Object.keys(h)).toEqual(['X-Plivo-Signature-V3', 'X-Plivo-Signature-Ma-V3', 'X-Plivo-Signature-V3-Nonce']);
    expect(h['X-Plivo-Signature-V3-Nonce']).toMatch(/^\d{20}$/);
    expect(h['X-Plivo-Signature-Ma-V3']).toBe(h['X-Plivo-Signature-V3']);
    expect(check(h)).toMatchObject({ valid: true, matched: 'URL + sorted parameters + nonce (V3)' });
  });

  it('the V3 string: sorted query, ".", sorted form parameters (as the docs example: https://example.com/abcd?foo=bar + POST params)', () => {
    expect(plivoV3Content('POST', URL_, BODY)).toBe(
      'https://example.com/abcd?foo=bar.CallUUID97ceeb52-58b6-11e1-86da-77300b68f8bbDirectionoutboundEventHangupFrom+15551234567To15557654321');
    expect(plivoV3Content('POST', 'https://example.com/abcd', BODY)).toMatch(/^https:\/\/example\.com\/abcd\?CallUUID/);
    expect(plivoV3Content('POST', 'https://u:p@example.com:8443/a/?z=1&b=2&b=1#x', '')).toBe('https://example.com:8443/a/?b=1&b=2&z=1');
    expect(plivoV3Content('GET', 'https://example.com/a?To=1&CallUUID=x', '')).toBe('https://example.com/a?CallUUID=x&To=1');
    expect(plivoV3Content('POST', 'https://example.com/a', '{"json":true}')).toBe('https://example.com/a');
  });

  it('V2 and the legacy header are asked for by giving their header; several at once', () => {
    const h = signed({ headers: { ...V2_, ...LEGACY_ } });
    expect(Object.keys(h).sort()).toEqual(['X-Plivo-Signature', 'X-Plivo-Signature-Ma-V2', 'X-Plivo-Signature-V2', 'X-Plivo-Signature-V2-Nonce']);
    expect(check(h)).toMatchObject({ valid: true, matched: 'URL + nonce (V2: the body is not signed)' });
    const { 'X-Plivo-Signature-V2': _a, 'X-Plivo-Signature-Ma-V2': _b, ...legacy } = h;
    expect(check(legacy)).toMatchObject({ valid: true, matched: expect.stringContaining('legacy X-Plivo-Signature, HMAC-SHA1') });
    const all = signed({ headers: { 'x-plivo-signature-v3-nonce': '', 'x-plivo-signature-v2-nonce': '', 'x-plivo-signature': '' } });
    expect(Object.keys(all)).toHaveLength(7);
    expect(check(all)).toMatchObject({ valid: true, matched: expect.stringContaining('(V3)') });
  });

  it('several secrets: V3 carries one signature per secret, comma-separated; any one verifies', () => {
    const h = signed({ secrets: ['old-token-0123456789', TOKEN] });
    expect(h['X-Plivo-Signature-V3']!.split(',')).toHaveLength(2);
    expect(check(h)).toMatchObject({ valid: true, secretIndex: 0 });
    expect(check(h, { secrets: ['other', 'old-token-0123456789'] })).toMatchObject({ valid: true, secretIndex: 1 });
  });

  it('a subaccount: V3 by the subaccount token, Ma-V3 by the main account token; either token verifies', () => {
    const sub = signed({ secrets: ['sub-token-0123456789'] })['X-Plivo-Signature-V3']!;
    const main = signed({ secrets: [TOKEN] })['X-Plivo-Signature-V3']!;
    const h = { 'X-Plivo-Signature-V3': sub, 'X-Plivo-Signature-Ma-V3': main, 'X-Plivo-Signature-V3-Nonce': N3 };
    expect(check(h, { secrets: [TOKEN] })).toMatchObject({ valid: true });
    expect(check(h, { secrets: ['sub-token-0123456789'] })).toMatchObject({ valid: true });
  });

  it('GET callbacks are signed over the URL with its query sorted (a POST without parameters signs the same)', () => {
    const url = 'https://example.com/answer?To=15557654321&From=15551234567&CallUUID=abc';
    const h = signed({ url, method: 'GET', body: '' });
    expect(check(h, { url, method: 'GET', body: '' })).toMatchObject({ valid: true });
    expect(check(h, { url, method: 'POST', body: '' })).toMatchObject({ valid: true });
  });

  it('a POST with parameters judged as a GET: the method is named', () => {
    expect(check(signed(), { method: 'GET' })).toMatchObject({
      valid: false, reason: 'no_match', diagnosis: "the signature matches as a POST request: Plivo signs GET and POST callbacks differently, give the request's method",
    });
  });
});

describe('plivo: the plivo SDK', () => {
  const cases: Array<[string, string, string]> = [
    ['POST', URL_, BODY],
    ['POST', 'https://example.com/answer/', BODY],
    ['POST', 'https://example.com:8443/hangup?b=2&a=1&a=0', 'Z=last&a=first&Multi=2&Multi=1&Empty=&Text=hello+world+%F0%9F%91%8B'],
    ['POST', 'https://example.com/status?x=1', ''],
    ['GET', 'https://example.com/answer?To=15557654321&CallUUID=abc&From=%2B15551234567', ''],
  ];

  it.each(cases)('%s %s: whk signs V3, validateV3Signature says valid (and not with another token)', (method, url, body) => {
    const h = signed({ method, url, body });
    const params = method === 'GET' ? {} : paramsOf(body);
    expect(sdk.validateV3Signature(method, url, N3, TOKEN, h['X-Plivo-Signature-V3']!, params)).toBe(true);
    expect(sdk.validateV3Signature(method, url, N3, `${TOKEN}x`, h['X-Plivo-Signature-V3']!, params)).toBe(false);
  });

  it('two secrets: the SDK accepts the comma-separated V3 with either token', () => {
    const h = signed({ secrets: ['old-token-0123456789', TOKEN] });
    for (const t of ['old-token-0123456789', TOKEN]) expect(sdk.validateV3Signature('POST', URL_, N3, t, h['X-Plivo-Signature-V3']!, paramsOf(BODY))).toBe(true);
  });

  it.each(cases)('%s %s: whk signs V2, validateSignature says valid', (method, url, body) => {
    const h = signed({ method, url, body, headers: V2_ });
    expect(sdk.validateSignature(url, N2, h['X-Plivo-Signature-V2']!, TOKEN)).toBe(true);
    expect(sdk.validateSignature(url, N2, h['X-Plivo-Signature-V2']!, 'another-token')).toBe(false);
  });

  it.each(cases.filter(([m, , body]) => m === 'POST' && !body.includes('Multi')))('%s %s: legacy, both directions with computeOldSignature', (_m, url, body) => {
    const params = paramsOf(body) as Record<string, string>;
    const ours = signed({ url, body, headers: LEGACY_ })['X-Plivo-Signature']!;
    expect(legacySdk.verifyOldSignature(TOKEN, url, params, ours)).toBe(true);
    const theirs = legacySdk.computeOldSignature(TOKEN, url, params);
    expect(check({ 'X-Plivo-Signature': theirs }, { url, body })).toMatchObject({ valid: true });
  });

  it('random URLs, queries, form bodies, methods and tokens: the SDK validates what whk signs (V3 and V2)', () => {
    const word = fc.string({ unit: fc.constantFrom(...'abcXYZ019-_.~ +éß'), maxLength: 8 });
    const key = fc.string({ unit: fc.constantFrom(...'abcXYZ019_'), minLength: 1, maxLength: 6 });
    const pairs = fc.array(fc.tuple(key, word), { maxLength: 5 });
    const path = fc.string({ unit: fc.constantFrom(...'abc/019-_'), maxLength: 12 });
    fc.assert(fc.property(path, pairs, pairs, fc.constantFrom('GET', 'POST'), fc.string({ unit: fc.constantFrom(...'abcdefABCDEF0123456789'), minLength: 1, maxLength: 40 }), (p, query, form, method, token) => {
      const q = new URLSearchParams(query).toString();
      const url = `https://h.example.com/${p}${q ? `?${q}` : ''}`;
      const body = method === 'GET' ? '' : new URLSearchParams(form).toString();
      const h = sign(plivo, { body, secrets: [token], url, method, headers: { 'X-Plivo-Signature-V3-Nonce': N3, 'X-Plivo-Signature-V2-Nonce': N2 } });
      expect(sdk.validateV3Signature(method, url, N3, token, h['X-Plivo-Signature-V3']!, paramsOf(body))).toBe(true);
      expect(sdk.validateSignature(url, N2, h['X-Plivo-Signature-V2']!, token)).toBe(true);
    }), { numRuns: 150 });
  });
});

describe('plivo: the Python signer written from the docs', () => {
  const py = (input: Record<string, unknown>) => python('plivo', input);
  const cases: Array<[string, string, string]> = [
    ['POST', URL_, BODY],
    ['POST', 'https://example.com/hangup', 'b=2&a=1&a=0&Text=hello+world'],
    ['POST', 'https://example.com/status?x=1&a=%2F', ''],
    ['GET', 'https://example.com/answer?To=1&CallUUID=abc', ''],
  ];
  it.skipIf(!HAS_PYTHON).each(cases)('%s %s: Python signs V3, V2 and legacy as whk does; whk verifies each', (method, url, body) => {
    const theirs = py({ secret: TOKEN, url, method, body, nonce3: N3, nonce2: N2, legacy: true });
    const ours = sign(plivo, { body, secrets: [TOKEN], url, method, headers: { 'X-Plivo-Signature-V3-Nonce': N3, ...V2_, ...LEGACY_ } });
    expect(ours).toEqual(theirs);
    const only = (names: string[]) => Object.fromEntries(Object.entries(theirs).filter(([k]) => names.includes(k)));
    expect(check(only(['X-Plivo-Signature-V3', 'X-Plivo-Signature-V3-Nonce']), { url, method, body })).toMatchObject({ valid: true });
    expect(check(only(['X-Plivo-Signature-Ma-V2', 'X-Plivo-Signature-V2-Nonce']), { url, method, body })).toMatchObject({ valid: true });
    if (method === 'POST') expect(check(only(['X-Plivo-Signature']), { url, method, body })).toMatchObject({ valid: true });
  });
});

describe('plivo: the mutation table', () => {
  const v3 = signed();
  const v2 = signed({ headers: V2_ });
  const legacy = signed({ headers: LEGACY_ });
  const flip = (s: string) => (s[5] === 'A' ? `${s.slice(0, 5)}B${s.slice(6)}` : `${s.slice(0, 5)}A${s.slice(6)}`);
  const without = (h: Record<string, string>, ...names: string[]) => Object.fromEntries(Object.entries(h).filter(([k]) => !names.includes(k)));
  const tampered = BODY.replace('outbound', 'inbound');

  const table: Array<[string, Record<string, string | undefined>, Parameters<typeof check>[1], Verdict['reason']]> = [
    ['valid V3', v3, {}, 'ok'],
    ['tampered body (V3)', v3, { body: tampered }, 'no_match'],
    ['tampered signature (V3 and Ma-V3)', { ...v3, 'X-Plivo-Signature-V3': flip(v3['X-Plivo-Signature-V3']!), 'X-Plivo-Signature-Ma-V3': flip(v3['X-Plivo-Signature-Ma-V3']!) }, {}, 'no_match'],
    ['wrong secret (V3)', v3, { secrets: ['ZWNmZWJmNjY3YjA5MzI4ZDQ4ZDdhMWQ1ZjJhOWJd'] }, 'no_match'],
    ['another nonce (V3)', { ...v3, 'X-Plivo-Signature-V3-Nonce': '05429567804466091623' }, {}, 'no_match'],
    ['another URL (V3)', v3, { url: 'https://example.com/abcd?foo=baz' }, 'no_match'],
    ['query parameters in another order (V3: sorted, still valid)', v3, { url: 'https://example.com/abcd?foo=bar&' }, 'ok'],
    ['only Ma-V3 (V3)', without(v3, 'X-Plivo-Signature-V3'), {}, 'ok'],
    ['no signature header at all', { 'X-Plivo-Signature-V3-Nonce': N3 }, {}, 'missing_header'],
    ['no nonce (V3)', without(v3, 'X-Plivo-Signature-V3-Nonce'), {}, 'missing_header'],
    ['empty nonce (V3)', { ...v3, 'X-Plivo-Signature-V3-Nonce': ' ' }, {}, 'malformed_header'],
    ['malformed signature (V3)', { ...v3, 'X-Plivo-Signature-V3': 'garbage', 'X-Plivo-Signature-Ma-V3': 'garbage' }, {}, 'malformed_header'],
    ['hex where V3 is base64', { ...v3, 'X-Plivo-Signature-V3': 'ab'.repeat(32), 'X-Plivo-Signature-Ma-V3': undefined }, {}, 'malformed_header'],
    ['one malformed entry beside the good one (V3)', { ...v3, 'X-Plivo-Signature-V3': `garbage,${v3['X-Plivo-Signature-V3']}` }, {}, 'ok'],
    ['valid V2', v2, {}, 'ok'],
    ['tampered body (V2: not signed, still valid)', v2, { body: tampered }, 'ok'],
    ['another query (V2: not signed, still valid)', v2, { url: 'https://example.com/abcd?foo=baz' }, 'ok'],
    ['tampered signature (V2)', { ...v2, 'X-Plivo-Signature-V2': flip(v2['X-Plivo-Signature-V2']!), 'X-Plivo-Signature-Ma-V2': flip(v2['X-Plivo-Signature-Ma-V2']!) }, {}, 'no_match'],
    ['wrong secret (V2)', v2, { secrets: ['nope'] }, 'no_match'],
    ['another path (V2)', v2, { url: 'https://example.com/abcd/?foo=bar' }, 'no_match'],
    ['no nonce (V2)', without(v2, 'X-Plivo-Signature-V2-Nonce'), {}, 'missing_header'],
    ['malformed signature (V2)', { ...v2, 'X-Plivo-Signature-V2': 'garbage', 'X-Plivo-Signature-Ma-V2': 'garbage' }, {}, 'malformed_header'],
    ['valid legacy', legacy, {}, 'ok'],
    ['tampered body (legacy)', legacy, { body: tampered }, 'no_match'],
    ['wrong secret (legacy)', legacy, { secrets: ['nope'] }, 'no_match'],
    ['malformed signature (legacy)', { 'X-Plivo-Signature': 'garbage' }, {}, 'malformed_header'],
    ['V3 present: checked first, even with a valid V2 beside it', { ...v2, ...v3, 'X-Plivo-Signature-V3': flip(v3['X-Plivo-Signature-V3']!), 'X-Plivo-Signature-Ma-V3': undefined }, {}, 'no_match'],
  ];
  it.each(table)('%s', (_name, headers, opts, reason) => {
    const clean = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<string, string>;
    expect(check(clean, opts).reason).toBe(reason);
  });

  it('without the URL, every version is a usage error saying what is signed', () => {
    for (const h of [v3, v2, legacy]) expect(() => check(h, { url: undefined })).toThrow('plivo signs the full URL it posts to, with its query string: the URL it posts to is needed');
  });

  it('a proxy that changed https to http, and a trailing slash, are named', () => {
    expect(check(v3, { url: URL_.replace('https:', 'http:') })).toMatchObject({
      reason: 'no_match', diagnosis: 'the signature matches the URL as https: Plivo signs the URL it called (a proxy in front of the receiver changed the scheme)',
    });
    expect(check(v2, { url: 'https://example.com/abcd/' })).toMatchObject({
      reason: 'no_match', diagnosis: 'the signature matches the URL without a trailing slash: give the callback URL exactly as configured in Plivo',
    });
  });
});

describe('plivo: header parsing (fast-check)', () => {
  it('any header values: a verdict with a known reason, never an exception', () => {
    const value = fc.oneof(fc.string(), fc.constantFrom('', ' ', ',', N3, 'garbage,'), fc.string({ unit: fc.constantFrom(...'0123456789abcdefABC+/=, ') }));
    const names = ['x-plivo-signature-v3', 'x-plivo-signature-ma-v3', 'x-plivo-signature-v3-nonce', 'x-plivo-signature-v2', 'x-plivo-signature-ma-v2', 'x-plivo-signature-v2-nonce', 'x-plivo-signature'];
    const headers = fc.record(Object.fromEntries(names.map((n) => [n, value])), { requiredKeys: [] });
    fc.assert(fc.property(headers, fc.string(), fc.constantFrom('GET', 'POST', undefined), (h, body, method) => {
      const v = verify(plivo, { body, headers: h, secrets: [TOKEN], url: URL_, method });
      expect(REASONS).toContain(v.reason);
      expect(v.valid).toBe(v.reason === 'ok');
      expect(v.scheme).toBe('plivo');
    }), { numRuns: 300 });
  });
});

describe('plivo: the CLI', () => {
  it('whk sign | whk verify (V3), and --method GET', async () => {
    for (const method of ['POST', 'GET']) {
      const body = method === 'GET' ? '' : BODY;
      const s = await whk(['sign', '--scheme', 'plivo', '--secret', TOKEN, '--url', URL_, '--method', method, '--body', body]);
      expect(s.code).toBe(0);
      const lines = s.stdout.trim().split('\n');
      expect(lines.map((l) => l.split(':')[0])).toEqual(['X-Plivo-Signature-V3', 'X-Plivo-Signature-Ma-V3', 'X-Plivo-Signature-V3-Nonce']);
      const v = await whk(['verify', '--secret', TOKEN, '--url', URL_, '--method', method, '--body', body, '--json', ...lines.flatMap((l) => ['--header', l])]);
      expect([method, v.code, JSON.parse(v.stdout)]).toEqual([method, 0, expect.objectContaining({ valid: true, scheme: 'plivo' })]);
    }
  });

  it("whk sign --header 'X-Plivo-Signature-V2-Nonce: <n>' gives V2, and the SDK validates it", async () => {
    const s = await whk(['sign', '--scheme', 'plivo', '--secret', TOKEN, '--url', URL_, '--body', BODY, '--header', `X-Plivo-Signature-V2-Nonce: ${N2}`, '--json']);
    const out = JSON.parse(s.stdout) as { headers: Record<string, string> };
    expect(Object.keys(out.headers)).toEqual(['X-Plivo-Signature-V2', 'X-Plivo-Signature-Ma-V2', 'X-Plivo-Signature-V2-Nonce']);
    expect(sdk.validateSignature(URL_, N2, out.headers['X-Plivo-Signature-V2']!, TOKEN)).toBe(true);
  });

  it('whk verify without --url says to pass it', async () => {
    const r = await whk(['verify', '--scheme', 'plivo', '--secret', TOKEN, '--body', BODY, ...Object.entries(signed()).flatMap(([k, v]) => ['--header', `${k}: ${v}`])]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pass --url <the URL it posts to>/);
  });
});

describe('plivo: whk send -> whk listen, whk probe -> whk listen', () => {
  let l: InProcess;
  let url: string;
  beforeAll(async () => {
    l = startInProcess(['listen', '--port', '0', '--json', '--scheme', 'plivo', '--secret', TOKEN]);
    url = JSON.parse(await l.waitFor(/"type":"ready"/, 'stdout')).url;
    return async () => {
      l.signal('SIGINT');
      await l.exited;
    };
  });
  /** The n-th event line of the listener, once it has printed it. */
  const nth = async (n: number) => {
    const seen = () => l.stdoutLines.filter((x) => x.includes('"type":"event"'));
    while (seen().length < n) await new Promise((r) => setTimeout(r, 20));
    return JSON.parse(seen()[n - 1]!);
  };

  it('each sample event is accepted (200); --wrong-secret and a V2 with the wrong secret are refused (401)', async () => {
    let n = 0;
    for (const [event, type] of [['call.hangup', 'Hangup'], ['call.answer', 'StartApp'], ['message.status', 'message.delivered']] as const) {
      const r = await whk(['send', url, '--scheme', 'plivo', '--secret', TOKEN, '--event', event]);
      expect([event, r.code]).toEqual([event, 0]);
      expect(await nth(++n)).toMatchObject({ scheme: 'plivo', eventType: type, eventId: expect.stringMatching(/^[0-9a-f-]{36}$/), verdict: { valid: true } });
    }
    const bad = await whk(['send', url, '--scheme', 'plivo', '--secret', TOKEN, '--wrong-secret']);
    expect(bad.code).toBe(0);
    expect(await nth(++n)).toMatchObject({ response: { status: 401 }, verdict: { reason: 'no_match' } });
    const v2 = await whk(['send', url, '--scheme', 'plivo', '--secret', TOKEN, '--event', 'message.status', '--header', `X-Plivo-Signature-V2-Nonce: ${N2}`]);
    expect(v2.code).toBe(0);
    expect(await nth(++n)).toMatchObject({ verdict: { valid: true, matched: 'URL + nonce (V2: the body is not signed)' } });
    const v2bad = await whk(['send', url, '--scheme', 'plivo', '--secret', TOKEN, '--header', `X-Plivo-Signature-V2-Nonce: ${N2}`, '--wrong-secret']);
    expect(v2bad.code).toBe(0);
    expect(await nth(++n)).toMatchObject({ response: { status: 401 } });
  });

  it('whk probe passes against it', async () => {
    const r = await whk(['probe', url, '--scheme', 'plivo', '--secret', TOKEN, '--json']);
    expect([r.code, r.stderr]).toEqual([0, '']);
  });
});

describe('plivo: whk listen --record -> whk replay --resign', () => {
  it('replayed to another URL the signature no longer matches; re-signed for it, it does', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'whk-provC1-plivo-')), 'rec.ndjson');
    const start = async (extra: string[]) => {
      const l = startInProcess(['listen', '--port', '0', '--json', '--scheme', 'plivo', '--secret', TOKEN, ...extra]);
      return { l, url: JSON.parse(await l.waitFor(/"type":"ready"/, 'stdout')).url as string };
    };
    const stop = async (l: InProcess) => {
      l.signal('SIGINT');
      await l.exited;
    };
    const rec = await start(['--record', file]);
    try {
      expect((await whk(['send', `${rec.url}hangup?account=7`, '--scheme', 'plivo', '--secret', TOKEN])).code).toBe(0);
      await rec.l.waitFor(/"valid":true/, 'stdout');
    } finally {
      await stop(rec.l);
    }
    // Another listener: another port, so another URL than the one signed.
    const other = await start([]);
    try {
      const asIs = await whk(['replay', file, '--to', other.url]);
      expect(asIs.code).toBe(1);
      const resigned = await whk(['replay', file, '--to', other.url, '--resign', '--secret', TOKEN]);
      expect([resigned.code, resigned.stdout]).toEqual([0, expect.stringMatching(/re-signed: plivo/)]);
      await other.l.waitFor(/"valid":true/, 'stdout');
    } finally {
      await stop(other.l);
    }
  });
});
