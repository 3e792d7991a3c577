/**
 * The built-in HMAC schemes written as definitions (`whk schemes show <name> --definition`) are
 * real examples: each, run through the definition engine, signs byte for byte as whk's
 * hand-written scheme does, and the two agree on every verdict of the per-scheme table's
 * mutations. The hand-written schemes are themselves checked against the providers' SDKs and
 * published vectors (oracles.test.ts, vectors.test.ts): this chains the definitions to them. A
 * few published vectors are checked against the definitions directly too.
 */
import { describe, expect, it } from 'vitest';
import { builtInDefinition, builtInDefinitions, defineScheme, getScheme, sign, verify } from '../../src/index.js';
import type { Scheme, SignedHeaders } from '../../src/index.js';
import { CASES, NOW, SLACK_SAMPLE_BODY, STD_KEY, flipByte, without, withHeaders } from './_helpers.js';

const defined = builtInDefinitions().map((d) => [d.name, defineScheme(d)] as const);
const lower = (h: SignedHeaders) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

describe('built-in definitions', () => {
  it('cover at least github, shopify and typeform, and every HMAC scheme that fits the format', () => {
    expect(defined.map(([n]) => n).sort()).toEqual(
      ['freepik', 'github', 'linear', 'paddle', 'shopify', 'slack', 'square', 'standard', 'stripe', 'svix', 'typeform', 'wealthkernel', 'zoom'],
    );
    expect(builtInDefinition('dfns')).toBeUndefined();
    expect(builtInDefinition('GitHub')?.header).toBe('X-Hub-Signature-256');
  });

  describe.each(defined)('%s', (name, def) => {
    const c = CASES.find((x) => x.scheme === name)!;
    const hand = getScheme(name);
    const secrets = c.second ? [c.secret, c.second.sign] : [c.secret];

    it('signs byte for byte as the hand-written scheme (one secret, and every secret it takes)', () => {
      for (const ts of [NOW, NOW - 7, 1_614_265_330]) {
        for (const list of [[c.secret], secrets]) {
          const input = { body: c.body(ts), secrets: list, timestamp: ts, id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', url: c.url };
          const ours = lower(sign(def, input));
          const theirs = lower(sign(hand, input));
          for (const [k, v] of Object.entries(ours)) expect([k, v]).toEqual([k, theirs[k]]);
          expect(Object.keys(ours).length).toBeGreaterThan(0);
        }
      }
    });

    it('has the same headers, timestamp rule and secret rotation', () => {
      expect(def.headers[0]).toBe(hand.headers[0]);
      expect(def.timestamp && { ...def.timestamp, where: '' }).toEqual(hand.timestamp && { ...hand.timestamp, where: '' });
      expect(def.multipleSecrets).toBe(hand.multipleSecrets);
      expect(Boolean(def.needsUrl)).toBe(Boolean(hand.needsUrl));
    });

    // One valid delivery, then one change at a time: both schemes give the same reason.
    const body = c.body(NOW);
    const base = sign(hand, { body, secrets: [c.secret], timestamp: NOW, id: 'msg_parity', url: c.url });
    const judge = (s: Scheme, b: string, headers: Record<string, string>, now = NOW, secrets = [c.secret]) =>
      verify(s, { body: b, headers, secrets, now, url: c.url });
    const mutations: Array<[string, string, Record<string, string>, number?, string[]?]> = [
      ['valid', body, base],
      ['a flipped body byte', flipByte(body), base],
      ['the wrong secret', body, base, NOW, [c.wrong as string]],
      ['no signature header', body, without(base, c.signatureHeaders)],
      ['a malformed signature header', body, withHeaders(base, c.malformed)],
      ['an hour later', body, base, NOW + 3600],
      ['an hour earlier', body, base, NOW - 3600],
      ...(c.dropTimestamp?.headers ? [['no timestamp header', body, without(base, c.dropTimestamp.headers)] as [string, string, Record<string, string>]] : []),
    ];
    it.each(mutations)('%s: the same verdict reason', (_what, b, headers, now, secrets) => {
      const theirs = judge(hand, b, headers, now, secrets);
      const ours = judge(def, b, headers, now, secrets);
      expect(ours.reason).toBe(theirs.reason);
      expect(ours.valid).toBe(theirs.valid);
      if (theirs.valid && ours.valid) expect(ours.secretIndex).toBe(theirs.secretIndex);
      expect(ours.scheme).toBe(name);
    });

    it('verifies what the hand-written scheme signs with several secrets (rotation), by the right index', () => {
      if (!c.second) return;
      const headers = sign(hand, { body, secrets: [c.wrong as string, c.second.sign], timestamp: NOW, id: 'msg_rot', url: c.url });
      expect(verify(def, { body, headers, secrets: [c.second.verify], now: NOW, url: c.url })).toMatchObject({ valid: true, secretIndex: 0 });
    });
  });

  // Published vectors (SCHEMES.md), straight against the definitions.
  const byName = Object.fromEntries(defined);
  it('github: "It\'s a Secret to Everybody" over "Hello, World!"', () => {
    expect(sign(byName.github!, { body: 'Hello, World!', secrets: ["It's a Secret to Everybody"] })['X-Hub-Signature-256'])
      .toBe('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
  });
  it('standard: the Standard Webhooks test vector', () => {
    const h = sign(byName.standard!, { body: '{"test": 2432232314}', secrets: [STD_KEY], id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330 });
    expect(h['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });
  it("slack: the sample of Slack's docs", () => {
    const v = verify(byName.slack!, {
      body: SLACK_SAMPLE_BODY, secrets: ['8f742231b10e8888abcd99yyyzzz85a5'], now: 1531420618,
      headers: { 'X-Slack-Signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503', 'X-Slack-Request-Timestamp': '1531420618' },
    });
    expect(v).toMatchObject({ valid: true, reason: 'ok' });
  });
  it('square: the vector of Square\'s docs', () => {
    const h = sign(byName.square!, { body: '{"data":{"type":"webhooks","id":">id<"}}', secrets: ['signature-key'], url: 'https://webhook.site/webhooks' });
    expect(h['x-square-hmacsha256-signature']).toBe('Cxt7+aTi4rKgcA0bC4g9EHdVtLSDWdqccmL5MvihU4U=');
  });
});
