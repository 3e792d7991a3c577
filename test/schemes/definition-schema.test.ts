/**
 * schemes.schema.json, the JSON Schema editors use to complete and check definitions, is
 * generated from the one schema whk checks definitions with (src/schemes/definition/schema.ts):
 * the committed file must be what the source gives (`npx vitest run
 * test/schemes/definition-schema.test.ts -u` writes it). It accepts every definition whk ships
 * and refuses what whk refuses wherever a schema can say it (rules across keys, such as "a
 * timestamp that is not signed", are code). Checked by a validator written for these tests from
 * the draft-07 specification (_json-schema.ts), and by Python's jsonschema where it is installed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtInDefinitions, parseDefinition } from '../../src/index.js';
import { catalogueDefinitions } from '../../src/providers/index.js';
import { publishedSchema } from '../../src/schemes/definition/schema.js';
import { validate } from './_json-schema.js';
import { ACME } from './_acme.js';

const PATH = fileURLToPath(new URL('../../schemes.schema.json', import.meta.url));
const schema = JSON.parse(readFileSync(PATH, 'utf8')) as Record<string, unknown>;
const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { files: string[] };

const good: Array<[string, unknown]> = [
  ...builtInDefinitions().map((d) => [`built-in ${d.name}`, d] as [string, unknown]),
  ...catalogueDefinitions().map((d) => [`the catalogue's ${d.name}`, d] as [string, unknown]),
  ['the issue\'s acme', ACME],
  ['an array of two', [ACME, { ...ACME, name: 'acme-eu', $schema: './node_modules/whk/schemes.schema.json' }]],
  ['a handshake value holding "="', { ...ACME, handshake: { echo: 'query:challenge', when: 'query:mode=a=b' } }],
  ['signs over lines', { ...ACME, signs: '{method}\n{url}\n{timestamp}.{body}' }],
];

const sample = (event: Record<string, unknown>) => ({ ...ACME, samples: { events: [{ event: 'paid', description: 'a payment', body: {}, ...event }] } });
const bad: Array<[string, unknown]> = [
  ['"hmac": "sha257"', { ...ACME, hmac: 'sha257' }],
  ['no hmac', { ...ACME, hmac: undefined }],
  ['no header', { ...ACME, header: undefined }],
  ['no encoding', { ...ACME, encoding: undefined }],
  ['an unknown key', { ...ACME, hamc: 'sha256' }],
  ['an unknown timestamp key', { ...ACME, timestamp: { tolerence: 300 } }],
  ['a name with a space', { ...ACME, name: 'Acme Pay' }],
  ['the name auto', { ...ACME, name: 'auto' }],
  ['a header with a colon', { ...ACME, header: 'X-Acme-Signature:' }],
  ['"key": "latin1"', { ...ACME, key: 'latin1' }],
  ['"encoding": "HEX"', { ...ACME, encoding: 'HEX' }],
  ['"separator": "|"', { ...ACME, separator: '|' }],
  ['docs not a URL', { ...ACME, docs: 'docs.acme.example' }],
  ['signs without {body}', { ...ACME, signs: '{timestamp}' }],
  ['value without {signature}', { ...ACME, value: 't={timestamp}' }],
  ['tolerance "300"', { ...ACME, timestamp: { tolerance: '300' } }],
  ['tolerance -1', { ...ACME, timestamp: { tolerance: -1 } }],
  ['tolerance 1.5', { ...ACME, timestamp: { tolerance: 1.5 } }],
  ['unit minutes', { ...ACME, timestamp: { unit: 'minutes' } }],
  ['direction future', { ...ACME, timestamp: { direction: 'future' } }],
  ['strict "yes"', { ...ACME, timestamp: { strict: 'yes' } }],
  ['a body timestamp that is no pointer', { ...ACME, timestamp: { body: 'sent_at' } }],
  ['a timestamp in a header and the body', { ...ACME, value: 'v1={signature}', timestamp: { header: 'X-Ts', body: '/ts' } }],
  ['timestamp 300', { ...ACME, timestamp: 300 }],
  ['id without its header', { ...ACME, id: {} }],
  ['eventType "type"', { ...ACME, eventType: 'type' }],
  ['eventId "header:"', { ...ACME, eventId: 'header:' }],
  ['a pointer escape ~2', { ...ACME, eventType: '/a~2b' }],
  ['an empty provider', { ...ACME, provider: '' }],
  ['research the format cannot run ("status": "needs-code")', { ...ACME, status: 'needs-code' }],
  // Where the schema once said less than the parser: now both are the same schema.
  ['a control character in "provider"', { ...ACME, provider: 'Acme\u001b[31m' }],
  ['an empty "$schema"', { ...ACME, $schema: '' }],
  ['a "$comment" over 2000 characters', { ...ACME, $comment: 'x'.repeat(2001) }],
  ['an "eventType" over 500 characters', { ...ACME, eventType: `/${'a'.repeat(500)}` }],
  ['an alias listed twice', { ...ACME, aliases: ['pay', 'pay'] }],
  ['an empty handshake "contentType"', { ...ACME, handshake: { echo: 'query:challenge', contentType: '' } }],
  ['a handshake "when" that names nothing', { ...ACME, handshake: { echo: 'query:challenge', when: 'query:=x' } }],
  ['a sample header name with a space', sample({ headers: { 'X Acme': 'v' } })],
  ['a sample header value over two lines', sample({ headers: { 'X-Acme': 'a\r\nb' } })],
  ['a sample event without a body', sample({ body: undefined })],
  ['an empty array', []],
  ['a string', 'acme'],
];

const python = spawnSync('python3', ['-c', 'import jsonschema'], { encoding: 'utf8' }).status === 0;
/** Python's jsonschema (Draft7Validator): the schema checked against the meta-schema, then each instance. */
function pythonErrors(instances: unknown[]): number[] {
  const script = [
    'import json, sys, jsonschema',
    'schema = json.load(open(sys.argv[1]))',
    'jsonschema.Draft7Validator.check_schema(schema)',
    'v = jsonschema.Draft7Validator(schema)',
    'print(json.dumps([len(list(v.iter_errors(i))) for i in json.load(sys.stdin)]))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', script, PATH], { input: JSON.stringify(instances), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as number[];
}

describe('schemes.schema.json', () => {
  it('is generated from the schema whk checks definitions with (run this file with -u to write it)', async () => {
    await expect(`${JSON.stringify(publishedSchema(), null, 2)}\n`).toMatchFileSnapshot(PATH);
  });

  it('is a draft-07 schema that ships with the package, with a description on every key (for editors)', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(pkg.files).toContain('schemes.schema.json');
    const props = ((schema.definitions as Record<string, { properties: Record<string, { description?: string; properties?: Record<string, { description?: string }> }> }>).scheme!).properties;
    for (const [k, p] of Object.entries(props)) {
      expect([k, typeof p.description]).toEqual([k, 'string']);
      for (const [k2, p2] of Object.entries(p.properties ?? {})) expect([`${k}.${k2}`, typeof p2.description]).toEqual([`${k}.${k2}`, 'string']);
    }
  });

  it.each(good)('accepts %s (and so does whk\'s parser)', (_what, instance) => {
    expect(validate(schema, JSON.parse(JSON.stringify(instance)))).toEqual([]);
    for (const d of Array.isArray(instance) ? instance : [instance]) expect(() => parseDefinition(d, 'x.json')).not.toThrow();
  });

  it.each(bad)('refuses %s (and so does whk\'s parser)', (_what, instance) => {
    const clean = JSON.parse(JSON.stringify(instance)) as unknown;
    expect(validate(schema, clean).length).toBeGreaterThan(0);
    const list = Array.isArray(clean) ? clean : [clean];
    expect(() => (list.length === 0 ? (() => { throw new Error('empty'); })() : list.forEach((d) => parseDefinition(d, 'x.json')))).toThrow();
  });

  it.runIf(python)('agrees with Python\'s jsonschema (Draft7Validator), the schema checked against the meta-schema', () => {
    const instances = [...good, ...bad].map(([, i]) => JSON.parse(JSON.stringify(i)) as unknown);
    const counts = pythonErrors(instances);
    expect(counts.map((n) => n > 0)).toEqual([...good.map(() => false), ...bad.map(() => true)]);
  });
});
