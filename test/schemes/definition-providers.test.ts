/**
 * The provider research (src/providers/definitions/*.json, shipped, and test/providers/research/*.json,
 * not shipped: unconfirmed, or needs-code), with vectors made by
 * independent Python signers written from each provider's docs or SDK, some published by the
 * providers themselves: test/providers/vectors/*.json) run through the definition engine: every
 * runnable definition is accepted by the parser and by schemes.schema.json, signs its vectors
 * byte for byte (where the vector's timestamp is a number: an ISO text cannot be given back
 * exactly from Unix seconds) and verifies every one of them. Research marked needs-code is
 * refused with its reason. The exceptions are listed, each with why.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defineScheme, getScheme, parseDefinition, sign, verify, type Definition } from '../../src/index.js';
import { validate } from './_json-schema.js';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
/** Definition files by name: the shipped ones, and the research whk does not ship. */
const FOLDERS = [root('src/providers/definitions'), root('test/providers/research')];
const VECTORS = root('test/providers/vectors');
const schema = JSON.parse(readFileSync(root('schemes.schema.json'), 'utf8')) as Record<string, unknown>;

interface Case {
  secret: string;
  secrets?: string[];
  body: string;
  timestamp?: number | string;
  id?: string;
  url?: string;
  method?: string;
  headers: Record<string, string>;
  note?: string;
}
const paths = new Map(FOLDERS.flatMap((d) => (existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.json')).map((f) => [f, `${d}/${f}`] as const) : [])));
const files = [...paths.keys()].sort();
const load = (f: string) => JSON.parse(readFileSync(paths.get(f)!, 'utf8')) as Definition;
const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

/** Cases a definition as written does not verify, and why (found by this test; for the lead to settle). */
const EXCEPTIONS: Record<string, { reason: string; why: string }> = {
  // Cal.com sends this literal when the webhook has no secret: not a signature.
  'cal-com.json#3': { reason: 'malformed_header', why: 'the no-secret-provided literal' },
};

describe.skipIf(files.length === 0)('the provider definitions of the research, through the engine', () => {

  it.each(files)('%s', (f) => {
    const def = load(f);
    if (def.status === 'needs-code') {
      expect(() => parseDefinition(def, f)).toThrow(`${f}: "status": "needs-code": the format cannot say all of ${def.name}'s rules, so whk does not run this definition`);
      expect(validate(schema, def).length).toBeGreaterThan(0);
      return;
    }
    expect(validate(schema, def)).toEqual([]);
    const s = defineScheme(def, f);
    expect(s.checkedBy).toBe(def.checkedBy);
    if (!existsSync(`${VECTORS}/${f}`)) return;
    const cases = (JSON.parse(readFileSync(`${VECTORS}/${f}`, 'utf8')) as { cases: Case[] }).cases;
    cases.forEach((c, i) => {
      const secrets = c.secrets ?? [c.secret];
      const iso = typeof c.timestamp === 'string';
      // Unix seconds for whk; the ms of a millisecond unit are kept as a fraction.
      const ts = typeof c.timestamp === 'number' ? (def.timestamp?.unit === 'ms' ? c.timestamp / 1000 : c.timestamp) : undefined;
      const now = iso ? Date.parse(/Z$|[+-]\d\d:?\d\d$/.test(c.timestamp as string) ? (c.timestamp as string) : `${c.timestamp}Z`) / 1000 : ts;
      const verdict = verify(s, { body: c.body, headers: c.headers, secrets, now: now === undefined ? undefined : Math.floor(now), url: c.url, method: c.method });
      const exception = EXCEPTIONS[`${f}#${i + 1}`];
      if (exception) {
        expect([f, i + 1, verdict.reason]).toEqual([f, i + 1, exception.reason]);
        return;
      }
      expect([f, i + 1, verdict.reason, verdict.message]).toEqual([f, i + 1, 'ok', verdict.message]);
      if (iso) return;
      const out = lower(sign(s, { body: c.body, secrets, timestamp: ts, id: c.id, url: c.url, method: c.method, headers: c.headers }));
      const want = lower(c.headers);
      for (const [k, v] of Object.entries(out)) expect([f, i + 1, k, v]).toEqual([f, i + 1, k, want[k]]);
    });
  });

  it('pagerduty with "separator": "," signs and verifies its rotation vector', () => {
    if (!files.includes('pagerduty.json')) return;
    const c = (JSON.parse(readFileSync(`${VECTORS}/pagerduty.json`, 'utf8')) as { cases: Case[] }).cases[1]!;
    const s = defineScheme({ ...load('pagerduty.json'), separator: ',' }, 'pagerduty.json');
    expect(sign(s, { body: c.body, secrets: c.secrets! })).toEqual(c.headers);
    expect(verify(s, { body: c.body, headers: c.headers, secrets: [c.secrets![1]!] })).toMatchObject({ valid: true, secretIndex: 0 });
  });

  it('aliases: --scheme x is twitter; an alias may not be a built-in name', async () => {
    if (!files.includes('twitter.json')) return;
    expect(getScheme('x').name).toBe('twitter');
    const { Registry } = await import('../../src/index.js');
    expect(() => new Registry([getScheme('stripe')], [defineScheme({ ...load('twitter.json'), aliases: ['stripe'] }, 'twitter.json')]))
      .toThrow('twitter.json: "aliases": "stripe" is a built-in scheme: give yours another name');
  });
});
