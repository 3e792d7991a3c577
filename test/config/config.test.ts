/**
 * whk.json: its published JSON Schema is generated from the one schema whk checks it with; the
 * issue's example file works as written; a bad file is one line naming the file, the key and the
 * fix (exit 2); flags win over the file.
 */
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyConfig } from '../../src/config/apply.js';
import { findConfig, loadConfig } from '../../src/config/load.js';
import { publishedConfigSchema } from '../../src/config/schema.js';
import { runWhk } from '../helpers/cli.js';

const SCHEMA_FILE = new URL('../../whk.schema.json', import.meta.url);

/** The example, exactly. */
const EXAMPLE = `{
  "mounts": {
    "/stripe": { "scheme": "stripe", "secret": "env:STRIPE_WEBHOOK_SECRET" },
    "/gh": { "scheme": "github", "secretFile": "./github.secret" }
  },
  "routes": [
    { "match": "stripe:invoice.*", "to": "http://127.0.0.1:3000/billing" },
    { "match": "github:push", "to": ["http://127.0.0.1:5000/ci", "http://127.0.0.1:5001/bot"] }
  ],
  "forwardTo": "http://127.0.0.1:3000/webhooks",
  "queue": true
}
`;

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'whk-config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('whk.schema.json', () => {
  it('is generated from the schema whk checks whk.json with (UPDATE_SCHEMA=1 writes it)', () => {
    const generated = `${JSON.stringify(publishedConfigSchema(), null, 2)}\n`;
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(SCHEMA_FILE, generated);
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(generated);
  });

  it('ships with the package', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('whk.schema.json');
  });
});

describe('loading whk.json', () => {
  it('the example works as written: secrets by reference, one target or several', () => {
    const dir = project({ 'whk.json': EXAMPLE, 'github.secret': 'gh-s3cret\n' });
    const { values, warnings } = loadConfig(join(dir, 'whk.json'), { STRIPE_WEBHOOK_SECRET: 'whsec_from_env' });
    expect(warnings).toEqual([]);
    expect(values.mount?.map((m) => [m.path, m.scheme, m.secrets])).toEqual([['/stripe', 'stripe', ['whsec_from_env']], ['/gh', 'github', ['gh-s3cret']]]);
    expect(values.route).toEqual([
      { match: 'stripe:invoice.*', to: ['http://127.0.0.1:3000/billing'] },
      { match: 'github:push', to: ['http://127.0.0.1:5000/ci', 'http://127.0.0.1:5001/bot'] },
    ]);
    expect(values).toMatchObject({ forwardTo: 'http://127.0.0.1:3000/webhooks', queue: true });
  });

  it('is found in the working folder or a parent', () => {
    const dir = project({ 'whk.json': '{}' });
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    expect(findConfig(join(dir, 'a', 'b'))).toBe(join(dir, 'whk.json'));
  });

  it.each([
    ['an unknown key', '{"fowardTo": "http://x/"}', /whk\.json: unknown key "fowardTo": did you mean "forwardTo"\?/],
    ['a wrong type', '{"port": "4000"}', /whk\.json: "port": "4000" is not a port, e\.g\. 4000/],
    ['a missing environment variable', '{"secret": "env:NOPE_NOT_SET"}', /whk\.json: "secret": the environment variable NOPE_NOT_SET is not set: export NOPE_NOT_SET=<the secret>/],
    ['a mount without a scheme', '{"mounts": {"/x": {}}}', /whk\.json: "mounts\.\/x\.scheme" is missing/],
    ['not JSON', '{"port": 1,}', /whk\.json: not JSON/],
  ])('%s: one line, naming the file and the key', (_what, text, message) => {
    const dir = project({ 'whk.json': text });
    expect(() => loadConfig(join(dir, 'whk.json'), {})).toThrow(message);
  });

  it('a literal secret works, with a warning', () => {
    const dir = project({ 'whk.json': '{"secret": "literal-s3cret"}' });
    const { values, warnings } = loadConfig(join(dir, 'whk.json'), {});
    expect(values.configSecrets).toEqual(['literal-s3cret']);
    expect(warnings).toEqual([expect.stringMatching(/"secret" holds the secret itself: anyone who reads the file has it/)]);
  });

  it('flags win; --mount of the same path wins; --route comes before the file\'s routes', () => {
    const opts: Record<string, unknown> = { port: 5000, mount: [{ path: '/gh', scheme: 'gitlab' }], route: [{ match: 'a', to: ['http://cli/'] }] };
    const given = new Set(['port']);
    applyConfig({ port: 4000, host: '0.0.0.0', mount: [{ path: '/gh', scheme: 'github' }, { path: '/s', scheme: 'stripe' }], route: [{ match: 'b', to: ['http://file/'] }] },
      { given: (k) => given.has(k), get: (k) => opts[k], set: (k, v) => (opts[k] = v) });
    expect(opts).toEqual({
      port: 5000, host: '0.0.0.0',
      mount: [{ path: '/gh', scheme: 'gitlab' }, { path: '/s', scheme: 'stripe' }],
      route: [{ match: 'a', to: ['http://cli/'] }, { match: 'b', to: ['http://file/'] }],
    });
  });
});

describe('whk config', () => {
  it('prints the effective settings, secrets masked; a bad file is exit 2 with one line', async () => {
    const dir = project({ 'whk.json': EXAMPLE, 'github.secret': 'gh-s3cret-0123456789\n' });
    const ok = await runWhk(['config', '--config', join(dir, 'whk.json'), '--json'], { env: { STRIPE_WEBHOOK_SECRET: 'whsec_verysecretvalue' } });
    expect(ok.code).toBe(0);
    const printed = JSON.parse(ok.stdout) as { file: string; settings: { mounts: Record<string, { secrets: string[] }> } };
    expect(printed.settings.mounts['/stripe']!.secrets[0]).not.toContain('verysecretvalue');
    expect(ok.stdout).not.toContain('gh-s3cret-0123456789');
    const bad = await runWhk(['config', '--config', join(dir, 'whk.json')], { env: { STRIPE_WEBHOOK_SECRET: undefined } });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/"mounts\.\/stripe\.secret": the environment variable STRIPE_WEBHOOK_SECRET is not set/);
  });
});

describe('a scheme whk.json names that does not exist', () => {
  const cases = [
    ['whk config', ['config']],
    ['whk listen', ['listen', '--port', '0', '--no-history']],
  ] as const;
  it.each(cases)('%s: one line naming the file, the key, and the closest scheme; exit 2', async (_name, args) => {
    const mount = project({ 'whk.json': '{ "mounts": { "/pay": { "scheme": "strpie", "secret": "env:PAY_SECRET" } } }' });
    const a = await runWhk([...args], { cwd: mount, env: { WHK_HOME: join(mount, 'state'), PAY_SECRET: 's3cret' } });
    expect(a.code).toBe(2);
    expect(a.stderr.trim().split('\n')).toEqual([`whk: whk.json: "mounts./pay.scheme": unknown scheme "strpie": did you mean "stripe"? (whk schemes lists them all) (see whk ${args[0]} --help)`]);
    const top = project({ 'whk.json': '{ "scheme": "githb", "secret": "env:PAY_SECRET" }' });
    const b = await runWhk([...args], { cwd: top, env: { WHK_HOME: join(top, 'state'), PAY_SECRET: 's3cret' } });
    expect(b.code).toBe(2);
    expect(b.stderr.trim().split('\n')).toEqual([`whk: whk.json: "scheme": unknown scheme "githb": did you mean "github"? (whk schemes lists them all) (see whk ${args[0]} --help)`]);
  });
  it('a bad file says which help to read once', async () => {
    const dir = project({ 'whk.json': '{ "prot": 1 }' });
    const r = await runWhk(['listen', '--port', '0'], { cwd: dir, env: { WHK_HOME: join(dir, 'state') } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('whk: whk.json: unknown key "prot": did you mean "port"? (see whk config --help)');
  });
});

describe('what whk.json turns on, a flag turns off (and the reverse)', () => {
  const listen = (dir: string, args: string[]) => runWhk(['listen', '--port', '0', '--timeout', '300ms', ...args], { cwd: dir, env: { WHK_HOME: join(dir, 'state'), PATH: '/nonexistent' } });
  it('"queue": true, --no-queue; "tunnel", --no-tunnel', async () => {
    const queue = project({ 'whk.json': '{ "queue": true }' });
    expect((await listen(queue, [])).stderr).toMatch(/--queue delivers to your app/);
    expect((await listen(queue, ['--no-queue'])).code).toBe(0);
    const tunnel = project({ 'whk.json': '{ "tunnel": "cloudflared" }' });
    expect((await listen(tunnel, [])).stderr).toMatch(/--tunnel cloudflared needs the cloudflared program/);
    expect((await listen(tunnel, ['--no-tunnel'])).code).toBe(0);
  });
  it('"history": false, --history', async () => {
    const dir = project({ 'whk.json': '{ "history": false }' });
    expect((await listen(dir, [])).code).toBe(0);
    expect(existsSync(join(dir, 'state', 'history'))).toBe(false);
    expect((await listen(dir, ['--history'])).code).toBe(0);
    expect(readdirSync(join(dir, 'state', 'history'))).toHaveLength(1);
  });
});
