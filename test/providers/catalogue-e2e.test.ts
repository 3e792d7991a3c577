/**
 * Every provider written as a definition, end to end as a user runs it: `whk listen --scheme
 * <name> --record`, then `whk send` (a valid sample event: 2xx), `whk send --wrong-secret`
 * (refused), `whk probe` (every check passes), and `whk replay --resign` of the recorded
 * delivery (2xx). The providers written as code have the same in their own test files.
 * In-process (main()), over real sockets on 127.0.0.1: the built CLI's own run is in test/e2e.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogueSchemes } from '../../src/providers/index.js';
import { listenInProcess, stop, whk } from '../helpers/in-process.js';

const KEY = Buffer.from('whk catalogue e2e key, 32 bytes!').toString('base64');
const SECRETS: Record<string, string> = {
  text: 'whk-e2e-s3cret-0123456789',
  whsec: `whsec_${KEY}`,
  base64: KEY,
  hex: Buffer.from(KEY, 'base64').toString('hex'),
};
const providers = catalogueSchemes().filter((s) => s.definition);

/** Runs one step; its output is the failure message when its exit code is not 0. */
async function step(name: string, args: string[]) {
  const r = await whk(args);
  expect(r.code, `${name} failed:\n${r.stdout}${r.stderr}`).toBe(0);
}

describe.concurrent('every definition provider through listen, send, probe and replay --resign', () => {
  it.each(providers.map((s) => [s.name, SECRETS[s.keyKind ?? 'text']!] as const))('%s', async (name, secret) => {
    const dir = mkdtempSync(join(tmpdir(), 'whk-catalogue-e2e-'));
    const record = join(dir, 'rec.ndjson');
    const { l, url } = await listenInProcess(['--scheme', name, '--secret', secret, '--record', record, '--no-history']);
    try {
      const flags = ['--scheme', name, '--secret', secret];
      await step('send', ['send', url, ...flags]);
      await step('wrong-secret', ['send', url, ...flags, '--wrong-secret']);
      await step('probe', ['probe', url, ...flags]);
      const valid = readFileSync(record, 'utf8').split('\n').find((line) => line.includes('"reason":"ok"'));
      expect(valid, 'record: no valid delivery recorded').toBeDefined();
      writeFileSync(join(dir, 'one.ndjson'), `${valid}\n`);
      await step('replay', ['replay', join(dir, 'one.ndjson'), '--to', url, '--resign', ...flags]);
    } finally {
      await stop(l);
    }
    expect(l.stdoutLines.filter((line) => line.startsWith('{"type":"event"')).length, name).toBeGreaterThan(0);
  }, 60_000);
});
