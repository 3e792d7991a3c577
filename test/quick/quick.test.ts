/**
 * The quick path of `whk sign` and `whk verify` (src/quick.ts, built as dist/bin/quick.cjs):
 * it must answer exactly as the program does, or leave the run to it. Each case runs the built
 * quick path and the program (main()) in-process on the same arguments and compares exit
 * code, stdout and stderr; what it declines is listed; a spawned run shows which one answered.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { coreSchemes } from '../../src/providers/core.js';
import type { Deps } from '../../src/commands/spec.js';
import { whk } from '../helpers/in-process.js';
import { runWhk } from '../helpers/cli.js';
import { secretFor } from '../send/_fixtures.js';

const ROOT = new URL('../../', import.meta.url);
const { quick } = createRequire(import.meta.url)('../../dist/bin/quick.cjs') as {
  quick: (argv: string[], deps?: Deps) => Promise<number> | undefined;
};

/** The quick path's answer; a test fails when it declines a run it should take. */
const viaQuick = (argv: string[], deps?: Deps) => {
  const answer = quick(argv, deps);
  if (!answer) throw new Error(`the quick path declined: ${argv.slice(2).join(' ')}`);
  return answer;
};

/** Both answers to `args`: the quick path's and the program's. */
async function both(args: string[]) {
  const env = { WHK_SECRET: undefined, NO_COLOR: undefined, FORCE_COLOR: undefined };
  return { quick: await whk(args, { env, run: viaQuick }), program: await whk(args, { env }) };
}

const URL_ = 'https://example.com/webhooks?tenant=7';
// Dfns and Linear sign their timestamp inside the body (timestampSent, s; webhookTimestamp, ms).
const BODY = '{"id":"evt_1","type":"invoice.paid","timestampSent":1700000000,"webhookTimestamp":1700000000000,"data":{"amount":4200}}';
const signArgs = (scheme: string) => ['sign', '--scheme', scheme, '--secret', secretFor(scheme).sign, '--body', BODY, '--timestamp', '1700000000', '--id', 'msg_quick_1', '--url', URL_];

describe('the quick path answers as the program does', () => {
  describe.each(coreSchemes.map((s) => s.name))('%s', (scheme) => {
    it('sign, as lines and as --json', async () => {
      for (const extra of [[], ['--json']]) {
        const r = await both([...signArgs(scheme), ...extra]);
        expect(r.quick.code, r.quick.stderr).toBe(0);
        expect(r.quick).toEqual(r.program);
      }
    });

    it('verify: valid, a wrong secret, a changed body, stale, --json', async () => {
      const signed = await whk(signArgs(scheme), { run: viaQuick });
      const headers = signed.stdout.trim().split('\n').filter((l) => l.includes(': ')).flatMap((l) => ['--header', l]);
      const verify = ['verify', '--scheme', scheme, ...headers, '--now', '1700000001', '--url', URL_];
      const valid = await both([...verify, '--secret', secretFor(scheme).verify, '--body', BODY]);
      expect(valid.quick.code, valid.quick.stdout + valid.quick.stderr).toBe(0);
      expect(valid.quick).toEqual(valid.program);
      const wrongSecret = await both([...verify, '--secret', secretFor('other').verify, '--body', BODY, '--json']);
      expect(wrongSecret.quick.code).not.toBe(0); // 2 where the scheme cannot use it (whsec_, an Ed25519 key)
      expect(wrongSecret.quick).toEqual(wrongSecret.program);
      const changed = await both([...verify, '--secret', secretFor(scheme).verify, '--body', BODY.replace('4200', '4201')]);
      // Twilio signs the URL and form fields: a JSON body only through a bodySHA256 in the URL, not given here.
      if (scheme !== 'twilio') expect(changed.quick.code).toBe(1);
      expect(changed.quick).toEqual(changed.program);
      // A stale delivery, for the schemes with a timestamp.
      const stale = await both([...verify, '--secret', secretFor(scheme).verify, '--body', BODY, '--json', '--tolerance', '0', '--now', '1800000000']);
      expect(stale.quick).toEqual(stale.program);
    });
  });

  it.each([
    ['--flag=value, repeated flags (the last --timestamp wins)', ['sign', '--scheme=github', '--secret=k', '--body={"a":1}', '--timestamp', '5', '--timestamp', '6']],
    ['several secrets where one is allowed', ['sign', '--scheme', 'github', '--secret', 'a', '--secret', 'b', '--body', 'x']],
    ['a scheme in capitals (--json names it)', ['sign', '--scheme', 'GitHub', '--secret', 'k', '--body', 'x', '--json']],
    ['--no-color and --debug after the command', ['verify', '--scheme', 'github', '--secret', 'k', '--body', 'x', '--header', 'X-Hub-Signature-256: sha256=00', '--no-color', '--debug']],
    ['no secret', ['sign', '--scheme', 'dfns', '--body', 'x']],
    ['an empty secret', ['sign', '--scheme', 'dfns', '--secret', '', '--body', 'x']],
    ['a secret the scheme cannot use', ['verify', '--scheme', 'standard', '--secret', 'whsec_!!', '--body', 'x', '--header', 'webhook-id: m']],
    ['a secret with a trailing space (a warning)', ['sign', '--scheme', 'dfns', '--secret', 'k ', '--body', 'x']],
    ['a header the scheme does not sign', ['sign', '--scheme', 'dfns', '--secret', 'k', '--body', 'x', '--header', 'X-Other: 1']],
    ['a missing --url for a scheme that signs it', ['sign', '--scheme', 'square', '--secret', 'k', '--body', 'x']],
    ['no signature header', ['verify', '--scheme', 'stripe', '--secret', 'whsec_abc', '--body', 'x']],
    ['a headers file that is not there', ['verify', '--scheme', 'github', '--secret', 'k', '--body', 'x', '--headers-file', '/nonexistent/h.txt']],
    ['a body file that is not there', ['sign', '--scheme', 'github', '--secret', 'k', '--body-file', '/nonexistent/b.json']],
    ['a body over --max-body', ['sign', '--scheme', 'github', '--secret', 'k', '--body-file', new URL('package.json', ROOT).pathname, '--max-body', '10b']],
    ['--method', ['sign', '--scheme', 'twilio', '--secret', 'k', '--body', 'a=1', '--url', URL_, '--method', 'get']],
  ])('%s', async (_, args) => {
    const r = await both(args);
    expect(r.quick).toEqual(r.program);
  });
});

describe('what the quick path leaves to the program', () => {
  it.each([
    ['help', ['sign', '--help']],
    ['-h', ['verify', '-h']],
    ['an unknown flag', ['sign', '--schem', 'dfns']],
    ['a flag of the other command', ['verify', '--scheme', 'dfns', '--timestamp', '5', '--body', 'x']],
    ['an argument', ['sign', '--scheme', 'dfns', '--secret', 'k', '--body', 'x', 'extra']],
    ['a value that looks like a flag', ['sign', '--scheme', 'dfns', '--secret', 'k', '--body', '-x']],
    ['a value its parser refuses', ['sign', '--scheme', 'dfns', '--secret', 'k', '--body', 'x', '--timestamp', '1700000000000']],
    ['a flag without its value', ['sign', '--secret', 'k', '--body', 'x', '--scheme']],
    ['--', ['sign', '--scheme', 'dfns', '--secret', 'k', '--', '--body']],
    ['no --scheme (verify: auto-detection)', ['verify', '--secret', 'k', '--body', 'x']],
    ['--scheme auto', ['verify', '--scheme', 'auto', '--secret', 'k', '--body', 'x']],
    ['a catalogue scheme', ['sign', '--scheme', 'sentry', '--secret', 'k', '--body', 'x']],
    ['an unknown scheme (the program suggests one)', ['sign', '--scheme', 'stirpe', '--secret', 'k', '--body', 'x']],
    ['--scheme-file', ['sign', '--scheme', 'dfns', '--scheme-file', 'acme.json', '--secret', 'k', '--body', 'x']],
    ['a global flag before the command', ['--no-color', 'sign', '--scheme', 'dfns', '--secret', 'k', '--body', 'x']],
    ['another command', ['schemes']],
  ])('%s', (_, args) => {
    expect(quick(['node', 'whk', ...args])).toBeUndefined();
  });

  it('a declined run gets the program\'s answer (commander\'s error)', async () => {
    const r = await whk(['sign', '--scheme', 'dfns', '--secret', 'k', '--body', 'x', 'extra'], { run: (argv, deps) => quick(argv, deps) ?? main(argv, deps) });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("whk: too many arguments for 'sign'. Expected 0 arguments but got 1. (see whk sign --help)\n");
  });
});

describe('the quick path as built', () => {
  it('loads a provider by its file: each core provider is one file named as its scheme, without aliases (scripts/bundle.mjs, lazyCore)', () => {
    const imports = [...readFileSync(new URL('src/providers/core.ts', ROOT), 'utf8').matchAll(/^import \{ (\w+) \} from '\.\/([\w-]+)\.js';$/gm)];
    expect(imports.map(([, id, file]) => [id, file])).toEqual(expect.arrayContaining(coreSchemes.map((s) => [expect.any(String), s.name])));
    expect(imports).toHaveLength(coreSchemes.length);
    expect(coreSchemes.filter((s) => s.aliases?.length)).toEqual([]);
  });

  it('holds neither commander nor the catalogue', () => {
    const text = readFileSync(new URL('dist/bin/quick.cjs', ROOT), 'utf8');
    expect(text).not.toMatch(/node_modules\/commander/);
    expect(text).not.toMatch(/src\/providers\/(sentry|hubspot|index)\.ts/);
    expect(text).toMatch(/src\/providers\/dfns\.ts/);
  });

  it('is what whk runs for a core scheme, and not for a catalogue one (the stack of --debug says which)', async () => {
    const core = await runWhk(['sign', '--scheme', 'dfns', '--secret', '', '--body', 'x', '--debug']);
    expect(core.code).toBe(2);
    expect(core.stderr).toMatch(/dist\/bin\/quick\.cjs:\d+/);
    const catalogue = await runWhk(['sign', '--scheme', 'sentry', '--secret', '', '--body', 'x', '--debug']);
    expect(catalogue.code).toBe(2);
    expect(catalogue.stderr).toMatch(/dist\/bin\/[\w/-]+\.js:\d+/);
    expect(catalogue.stderr).not.toMatch(/quick\.cjs/);
    // A run that names no scheme (verify's auto-detection) is the program's.
    const auto = await runWhk(['verify', '--secret', '', '--body', 'x', '--header', 'X-Hub-Signature-256: sha256=00', '--debug']);
    expect(auto.code).toBe(2);
    expect(auto.stderr).not.toMatch(/quick\.cjs/);
    // The same first line either way.
    expect(core.stderr.split('\n')[0]).toBe(catalogue.stderr.split('\n')[0]!.replace('Sentry', 'Dfns').replace('sentry', 'dfns'));
  });
});
