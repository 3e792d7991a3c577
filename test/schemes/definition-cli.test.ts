/**
 * Custom schemes in the CLI, in-process (main() with injected streams), and the rules of which
 * files a run reads (src/run-schemes.ts): the config folder only when a name or auto needs it,
 * never for a built-in name; $XDG_CONFIG_HOME honoured when absolute; a --scheme-file overrides
 * the folder. Expected signatures come from node:crypto by hand.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { configFiles, configFolder, registryFor } from '../../src/run-schemes.js';
import { ACME, ACME_JSON, acmeHeader } from './_acme.js';

const dir = mkdtempSync(join(tmpdir(), 'whk-defcli-'));
const ACME_FILE = join(dir, 'acme.json');
writeFileSync(ACME_FILE, ACME_JSON);
const folder = (name: string, files: Record<string, string>) => {
  const f = join(dir, name);
  mkdirSync(f, { recursive: true });
  for (const [n, text] of Object.entries(files)) writeFileSync(join(f, n), text);
  return f;
};

async function whk(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'whk', ...args], { io: { out: (t) => void out.push(t), err: (t) => void err.push(t) } });
  return { code, out: out.join(''), err: err.join('') };
}


/** The run's registry, as what matters here: the resolved name and the custom schemes read. */
const chosen = async (o: Parameters<typeof registryFor>[0]) => {
  const r = await registryFor(o);
  return { scheme: r.scheme, custom: [...r.registry.custom()] };
};

describe('main() with --scheme-file', () => {
  it('sign and verify round-trip; --scheme may come before or after --scheme-file', async () => {
    const s = await whk('sign', '--scheme', 'acme', '--scheme-file', ACME_FILE, '--secret', 'k', '--timestamp', '1700000000', '--body', '{}');
    expect(s).toMatchObject({ code: 0, err: '' });
    expect(s.out.trim()).toBe(`X-Acme-Signature: ${acmeHeader('k', 1700000000, '{}')}`);
    const v = await whk('verify', '--scheme-file', ACME_FILE, '--scheme', 'acme', '--secret', 'k', '--header', s.out.trim(), '--body', '{}', '--now', '1700000001');
    expect(v.code).toBe(0);
  });

  it('a bad file: exit 2 and one line', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...ACME, encoding: 'hexadecimal' }));
    const r = await whk('verify', '--scheme-file', bad, '--secret', 'k', '--body', 'x');
    expect(r).toEqual({ code: 2, out: '', err: `whk: ${bad}: "encoding": "hexadecimal" is not one of hex, base64, base64url (see whk verify --help)` });
  });

  it('--scheme auto is refused where a command needs a name', async () => {
    const r = await whk('sign', '--scheme', 'auto', '--secret', 'k', '--body', 'x');
    expect(r.code).toBe(2);
    expect(r.err).toBe('whk: --scheme auto detects the scheme of a delivery, which only verify and listen do: name the scheme (whk schemes lists them) (see whk sign --help)');
  });
});

describe('which definitions a run reads', () => {
  const broken = folder('broken', { 'a.json': '{ not json' });
  const good = folder('good', { 'acme.json': ACME_JSON, 'notes.txt': 'not a definition' });

  it('the folder is $XDG_CONFIG_HOME/whk/schemes, or ~/.config/whk/schemes (a relative XDG_CONFIG_HOME is ignored)', () => {
    expect(configFolder({ XDG_CONFIG_HOME: '/etc/xdg-home' }, '/home/ada')).toBe('/etc/xdg-home/whk/schemes');
    expect(configFolder({ XDG_CONFIG_HOME: 'relative/dir' }, '/home/ada')).toBe('/home/ada/.config/whk/schemes');
    expect(configFolder({}, '/home/ada')).toBe('/home/ada/.config/whk/schemes');
  });

  it('only *.json files, in name order; none when the folder does not exist', () => {
    expect(configFiles(good)).toEqual([join(good, 'acme.json')]);
    expect(configFiles(join(dir, 'missing'))).toEqual([]);
  });

  it('a built-in name never reads the folder (a broken file there does not matter)', async () => {
    await expect(chosen({ scheme: 'dfns', folder: broken })).resolves.toEqual({ scheme: 'dfns', custom: [] });
    await expect(chosen({ scheme: 'GitHub', folder: broken })).resolves.toEqual({ scheme: 'github', custom: [] });
  });

  it('an unknown name and auto read it', async () => {
    await expect(chosen({ scheme: 'acme', folder: broken })).rejects.toThrow(/a\.json: not JSON/);
    await expect(chosen({ scheme: 'auto', folder: broken })).rejects.toThrow(/a\.json: not JSON/);
    const r = await chosen({ scheme: 'acme', folder: good });
    expect(r.scheme).toBe('acme');
    expect(r.custom.map((s) => [s.name, s.source])).toEqual([['acme', join(good, 'acme.json')]]);
  });

  it('a name a --scheme-file defines needs nothing from the folder, which the file overrides', async () => {
    const r = await chosen({ scheme: 'acme', files: [ACME_FILE], folder: broken });
    expect(r.custom.map((s) => s.source)).toEqual([ACME_FILE]);
    const both = await chosen({ scheme: 'auto', files: [ACME_FILE], folder: good });
    expect(both.custom.map((s) => s.source)).toEqual([ACME_FILE]);
  });

  it('an unknown name that no file defines: the usage error suggests the closest', async () => {
    await expect(chosen({ scheme: 'acmee', folder: good })).rejects.toThrow('unknown scheme "acmee": did you mean "acme"? (whk schemes lists them all)');
  });

  it('the same name twice in the folder is an error naming both files', async () => {
    const twice = folder('twice', { 'a.json': ACME_JSON, 'b.json': ACME_JSON });
    await expect(chosen({ scheme: 'auto', folder: twice })).rejects.toThrow(`${join(twice, 'b.json')}: "name": "acme" is already defined by ${join(twice, 'a.json')}`);
  });
});
