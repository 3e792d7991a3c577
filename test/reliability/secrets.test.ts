/**
 * Secrets a scheme cannot use are refused up front, with one line that names the problem and
 * the fix and never prints the secret: `secretProblem` in the core, and sign / verify / send /
 * probe at start (exit 2), before reading a body or touching the network (in-process; the built
 * CLI where stdin matters).
 */
import { describe, expect, it } from 'vitest';
import { coreSchemes as schemes } from '../../src/providers/core.js';
import { secretProblem, sign, type Secret } from '../../src/index.js';
import { getScheme } from '../../src/index.js';
import { startWhk, type Result } from '../helpers/cli.js';
import { whk } from '../helpers/in-process.js';
import { ED, STD_KEY } from '../schemes/_helpers.js';

const problem = (scheme: string, secret: Secret, use?: 'sign' | 'verify') => secretProblem(getScheme(scheme), secret, use);
const BAD_PEM = '-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----';

describe('secretProblem', () => {
  describe.each(schemes.map((s) => [s.name]))('%s', (name) => {
    it.each([[''], ['   '], ['\n']])('refuses an empty secret (%j) for signing and verifying', (secret) => {
      expect(problem(name, secret, 'sign')).toMatch(/^the secret is empty: /);
      expect(problem(name, secret, 'verify')).toMatch(/^the secret is empty: /);
    });

    it('refuses an empty key (0 bytes)', () => {
      expect(problem(name, new Uint8Array(0))).toMatch(/empty/);
    });
  });

  describe.each([['standard'], ['svix']])('%s: the key is the base64 after whsec_', (name) => {
    it.each([
      ['whsec_abc!defghijkl', /is not base64: Standard Webhooks secrets look like whsec_<base64> \(the freepik scheme takes the secret as plain text/],
      ['whsec_abcde', /is not base64/], // 5 characters: not a whole number of base64 bytes
      ['whsec_abcd efgh', /is not base64/],
      ['plain text secret', /is not base64/],
      ['whsec_', /has nothing after its whsec_ prefix: copy the whole secret/],
      ['whsec_   ', /has nothing after its whsec_ prefix/],
    ])('%j: refused', (secret, re) => {
      expect(problem(name, secret, 'sign')).toMatch(re);
      expect(problem(name, secret, 'verify')).toMatch(re);
    });

    it.each([[STD_KEY], [STD_KEY.slice(6)], [`${STD_KEY}\n`], [Buffer.alloc(24, 1)]])('%j: usable', (secret) => {
      expect(problem(name, secret, 'sign')).toBeUndefined();
      expect(problem(name, secret, 'verify')).toBeUndefined();
    });
  });

  describe('Ed25519 keys (discord; standard for v1a)', () => {
    it.each([['discord'], ['standard']])('%s: a private key (whsk_, PEM) signs and verifies', (name) => {
      for (const key of name === 'discord' ? [ED.seedHex, ED.privatePem] : [ED.whsk, ED.privatePem]) {
        expect(problem(name, key, 'sign')).toBeUndefined();
        expect(problem(name, key, 'verify')).toBeUndefined();
      }
    });

    it.each([['discord'], ['standard']])('%s: a PEM public key verifies but cannot sign', (name) => {
      expect(problem(name, ED.publicPem, 'verify')).toBeUndefined();
      expect(problem(name, ED.publicPem, 'sign')).toMatch(/signing needs the Ed25519 private key, not the public key/);
    });

    it('discord: the application public key (64 hex digits) verifies', () => {
      expect(problem('discord', ED.pubHex, 'verify')).toBeUndefined();
    });

    it.each([
      ['discord', 'not-a-key', /is not an Ed25519 key: give 32 bytes/],
      ['discord', 'abcd', /is not an Ed25519 key/],
      ['discord', BAD_PEM, /is PEM that Node cannot read as an Ed25519 key/],
      ['standard', 'whsk_AAAA', /is not an Ed25519 key/],
      ['standard', BAD_PEM, /is PEM that Node cannot read/],
    ])('%s %j: refused for signing and verifying', (name, secret, re) => {
      expect(problem(name, secret, 'sign')).toMatch(re);
      expect(problem(name, secret, 'verify')).toMatch(re);
    });
  });

  // (freepik, in the Standard Webhooks family, still reads whsk_/whpk_/PEM values as Ed25519 keys.)
  it('schemes that use the secret as text take any text, whsec_ or not', () => {
    const text = schemes.filter((s) => !['standard', 'svix', 'discord'].includes(s.name));
    expect(text.map((s) => s.name)).toContain('freepik');
    for (const s of text) {
      for (const secret of ['s3cret', 'whsec_abc!defghijkl', 'whsec_', 'ünïcødé: ,;!', 'not-a-key']) {
        expect(secretProblem(s, secret, 'sign'), `${s.name} ${secret}`).toBeUndefined();
        expect(secretProblem(s, secret, 'verify'), `${s.name} ${secret}`).toBeUndefined();
      }
    }
  });

  it('defaults to verifying', () => {
    expect(problem('discord', ED.publicPem)).toBeUndefined();
  });

  it('never prints the secret', () => {
    const secrets = ['whsec_abc!defghijklmnopqrstuvwxyz', 'plain text secret that is long', 'whsk_AAAAthisisnotakeyatall', `x${BAD_PEM}`];
    for (const name of ['standard', 'svix', 'discord']) {
      for (const secret of secrets) {
        const p = problem(name, secret);
        expect(p, `${name} ${secret}`).toBeDefined();
        expect(p).not.toContain(secret.slice(10, 20));
      }
    }
  });

  it('agrees with sign: every secret it accepts for signing signs, every one it refuses throws', () => {
    const candidates: Secret[] = ['s3cret', STD_KEY, 'whsec_abc!', 'whsec_', ED.seedHex, ED.whsk, ED.publicPem, ED.privatePem, 'not-a-key', Buffer.alloc(32, 3)];
    for (const s of schemes) {
      for (const secret of candidates) {
        const run = () => sign(s, { body: 'x', secrets: [secret], timestamp: 1, id: 'msg_1', url: 'https://example.com/' });
        if (secretProblem(s, secret, 'sign') === undefined) expect(run, `${s.name} ${String(secret)}`).not.toThrow();
        else expect(run, `${s.name} ${String(secret)}`).toThrow();
      }
    }
  });
});

/** A usage error: exit 2, nothing on stdout, one `whk: ...` line on stderr. */
function expectRefused(r: Result, re: RegExp, secret?: string) {
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^whk: [^\n]+\n$/);
  expect(r.stderr).toMatch(re);
  if (secret) expect(r.stderr).not.toContain(secret);
  expect(r.code).toBe(2);
}

describe('the commands refuse an unusable secret at start', () => {
  const BAD = 'whsec_abc!defghijklmnop';

  it('whk sign --scheme standard with a secret that is not base64', async () => {
    expectRefused(await whk(['sign', '--scheme', 'standard', '--secret', BAD, '--body', 'x']), /is not base64: .*--scheme freepik/, BAD);
  });

  it('whk sign with an empty secret (an unset variable): refused rather than signing with an empty key', async () => {
    expectRefused(await whk(['sign', '--scheme', 'github', '--secret', '', '--body', 'x']), /the secret is empty/);
  });

  it('whk sign --scheme svix with whsec_ alone', async () => {
    expectRefused(await whk(['sign', '--scheme', 'svix', '--secret', 'whsec_', '--body', 'x']), /nothing after its whsec_ prefix/);
  });

  it('whk sign --scheme discord with the public key: signing needs the private key', async () => {
    expectRefused(await whk(['sign', '--scheme', 'discord', '--secret', ED.publicPem, '--body', 'x']), /signing needs the Ed25519 private key/);
  });

  it('a bad secret among several: refused', async () => {
    const r = await whk(['sign', '--scheme', 'standard', '--secret', STD_KEY, '--secret', BAD, '--body', 'x']);
    expectRefused(r, /is not base64/, BAD);
  });

  it('whk verify refuses before reading the body (stdin left open, never written)', async () => {
    const w = startWhk(['verify', '--scheme', 'standard', '--secret', BAD]);
    const r = await w.exited;
    expect(r.code).toBe(2);
    expect(w.stdoutLines).toEqual([]);
    expect(w.stderrLines).toEqual([expect.stringMatching(/^whk: .*is not base64/)]);
    expect(r.stderr).not.toContain(BAD);
  });

  it('whk verify --scheme auto: refused when no detected scheme can use the secret', async () => {
    const r = await whk(['verify', '--secret', BAD, '--header', 'svix-id: msg_1', '--header', 'svix-timestamp: 1', '--header', 'svix-signature: v1,AAAA', '--body', 'x']);
    expectRefused(r, /is not base64/, BAD);
  });

  it('whk verify --scheme auto: a text secret passes when one candidate (freepik) can use it', async () => {
    const body = '{"type":"x"}';
    const headers = sign('freepik', { body, secrets: [BAD], timestamp: 1_700_000_000, id: 'msg_1' });
    const r = await whk(['verify', '--secret', BAD, '--now', '1700000000', ...Object.entries(headers).flatMap(([k, v]) => ['--header', `${k}: ${v}`]), '--body', body]);
    expect(r.stdout).toMatch(/^✓ valid \(freepik/);
    expect(r.code).toBe(0);
  });

  it('whk verify --scheme discord with the public key (PEM): accepted, and the delivery is valid', async () => {
    const headers = sign('discord', { body: 'x', secrets: [ED.seedHex], timestamp: 1_700_000_000 });
    const r = await whk(['verify', '--scheme', 'discord', '--secret', ED.publicPem, ...Object.entries(headers).flatMap(([k, v]) => ['--header', `${k}: ${v}`]), '--body', 'x']);
    expect(r.stdout).toMatch(/^✓ valid \(discord/);
    expect(r.code).toBe(0);
  });

  // 127.0.0.1 port 9 (discard): nothing listens; a command that got as far as the network would exit 3.
  it('whk send refuses before building or sending anything', async () => {
    expectRefused(await whk(['send', 'http://127.0.0.1:9/', '--scheme', 'standard', '--secret', BAD]), /is not base64/, BAD);
  });

  it('whk send --wrong-secret with an unusable secret given: refused too', async () => {
    expectRefused(await whk(['send', 'http://127.0.0.1:9/', '--scheme', 'svix', '--secret', 'whsec_', '--wrong-secret']), /nothing after its whsec_ prefix/);
  });

  it('whk probe refuses before probing', async () => {
    expectRefused(await whk(['probe', 'http://127.0.0.1:9/', '--scheme', 'discord', '--secret', 'not-a-key']), /is not an Ed25519 key/);
  });
});
