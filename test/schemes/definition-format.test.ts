/**
 * The definition format as one schema (src/schemes/definition/): what its checks say where the
 * schema library words the error (one line naming the file and the key, never a stack trace), the
 * handshake's "when" read as the schema says it, whk's own definitions apart from the research it
 * does not ship, and the schema library kept off the start-up of `whk sign --scheme dfns`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defineScheme, parseDefinition } from '../../src/index.js';
import { WhkError } from '../../src/errors.js';
import { catalogueSchemes } from '../../src/providers/index.js';
import { ACME } from './_acme.js';
import { errorOf } from '../helpers/errors.js';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const base = ACME as unknown as Record<string, unknown>;
const sample = (event: Record<string, unknown>) => ({ ...base, samples: { events: [{ event: 'paid', description: 'a payment', body: {}, ...event }] } });

describe('a bad definition, as the schema finds it: one line naming the source and the key', () => {
  const circular: Record<string, unknown> = { ...base };
  circular.self = circular;
  const cases: Array<[string, unknown, string]> = [
    ['a handshake "when" that names nothing', { ...base, handshake: { echo: 'query:challenge', when: 'query:=x' } },
      'acme.json: "handshake.when": "query:=x" is not "query:<name>=<value>", "header:<Name>=<value>" or "body:<JSON pointer>=<value>"'],
    ['a handshake "echo" in a header', { ...base, handshake: { echo: 'header:X-Challenge' } },
      'acme.json: "handshake.echo": "header:X-Challenge" is not "query:<name>" or "body:<JSON pointer>" (e.g. "query:challenge", "body:/challenge")'],
    ['a typo of a required key: the typo is said, not the missing key', { ...base, hmac: undefined, hamc: 'sha256' }, 'acme.json: unknown key "hamc": did you mean "hmac"?'],
    ['an object that is not JSON data', circular, 'acme.json: a definition is JSON data (Converting circular structure to JSON)'],
    ['a "$comment" over 2000 characters', { ...base, $comment: 'x'.repeat(2001) }, 'acme.json: "$comment" is 2001 characters long, more than 2000'],
    ['a control character in a nested key', { ...base, timestamp: { header: 'X-Ts\u0000' }, value: 'v1={signature}' }, 'acme.json: "timestamp.header": "X-Ts\\u0000" holds a control character'],
    ['a sample header name with a space', sample({ headers: { 'X Acme': 'v' } }), 'acme.json: "samples.events[0].headers": "X Acme" is not a header name (letters, digits and - only, no spaces or colon)'],
    ['a sample header value over two lines', sample({ headers: { 'X-Acme': 'a\nb' } }), 'acme.json: "samples.events[0].headers.X-Acme": "a\\nb" is not a header value (one line of text)'],
    ['a sample event without its body', sample({ body: undefined }), 'acme.json: "samples.events[0].body" is missing: the body the provider sends (JSON, or text)'],
    ['no sample event', { ...base, samples: { events: [] } }, 'acme.json: "samples.events" is empty: a list of events ({"event", "description", "body"})'],
    ['a sample event named twice', { ...base, samples: { events: [{ event: 'a', description: 'x', body: 1 }, { event: 'a', description: 'y', body: 2 }] } },
      'acme.json: "samples.events[1].event": "a" is listed twice'],
    ['samples that are not an object', { ...base, samples: [] }, 'acme.json: "samples": [] is not an object with "events"'],
    ['an alias that is the name', { ...base, aliases: ['acme'] }, 'acme.json: "aliases[0]": "acme" is not another scheme name (lower-case letters, digits, ".", "-" and "_"; not "auto")'],
  ];

  it.each(cases)('%s', (_what, json, message) => {
    const clean = json === circular ? json : JSON.parse(JSON.stringify(json));
    const thrown = errorOf(() => parseDefinition(clean, 'acme.json'));
    expect(thrown).toBeInstanceOf(WhkError);
    expect((thrown as WhkError).message).toBe(message);
    expect((thrown as WhkError).message).not.toContain('\n');
    expect((thrown as WhkError).exitCode).toBe(2);
  });
});

describe('the handshake of a definition', () => {
  const challenge = (when: string, query: string) => {
    const s = defineScheme({ ...base, handshake: { echo: 'query:challenge', when } }, 'acme.json');
    return s.handshake!({ method: 'GET', query: new URLSearchParams(query), headers: {}, body: Buffer.alloc(0), secrets: [] });
  };

  it('"when": the name ends at the first "=", the value may hold more ("query:mode=a=b")', () => {
    expect(challenge('query:mode=a=b', 'mode=a%3Db&challenge=c1')).toMatchObject({ status: 200, body: 'c1' });
    expect(challenge('query:mode=a=b', 'mode=a&challenge=c1')).toBeUndefined();
  });
});

describe('whk\'s own definitions', () => {
  it('src/providers/definitions holds only what the catalogue ships (the research it does not ship is in test/providers/research)', () => {
    const files = readdirSync(root('src/providers/definitions')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
    const shipped = catalogueSchemes().flatMap((s) => (s.definition ? [s.definition.name] : [])).sort();
    expect(files).toEqual(shipped);
    expect(readdirSync(root('test/providers/research')).filter((f) => f.endsWith('.json')).sort()).toEqual(['brex.json', 'chargify.json', 'notion.json', 'recurly.json']);
  });
});

/** The files an ES module of the CLI bundle imports statically, itself included, recursively. */
function staticGraph(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/\bimport\s*(?:[^'";]*?\bfrom\s*)?["'](\.\/[^"']+)["']/g)) staticGraph(fileURLToPath(new URL(m[1]!, `file://${file}`)), seen);
  return seen;
}
const TYPEBOX = /@sinclair\/typebox|Expected union value/;
const holdsTypeBox = (files: Iterable<string>) => [...files].filter((f) => TYPEBOX.test(readFileSync(f, 'utf8'))).map((f) => f.replace(/.*\/dist\//, 'dist/'));

describe.skipIf(!existsSync(root('dist/bin/cli.js')))('the schema library loads only where a custom definition is read (the built CLI)', () => {
  it('not in whk sign and verify (dist/bin/cli.js and what they import), the providers\' catalogue, nor the diagnosis worker', () => {
    const signAndVerify = new Set([...staticGraph(root('dist/bin/cli.js')), ...staticGraph(root('dist/bin/commands/sign.js')), ...staticGraph(root('dist/bin/commands/verify.js'))]);
    expect(signAndVerify.size).toBeGreaterThan(3);
    expect(holdsTypeBox(signAndVerify)).toEqual([]);
    expect(holdsTypeBox(staticGraph(root('dist/bin/commands/providers.js')))).toEqual([]);
    expect(holdsTypeBox(staticGraph(root('dist/bin/commands/diagnose-worker.js')))).toEqual([]);
  });

  it('in the reading of custom definitions (dist/bin/commands/catalogue.js), which the CLI imports lazily', () => {
    expect(holdsTypeBox(staticGraph(root('dist/bin/commands/catalogue.js'))).length).toBeGreaterThan(0);
  });
});
