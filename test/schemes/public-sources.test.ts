/**
 * What `whk schemes` and the README's provider table tell users names public sources only: the
 * provider's docs page, an official SDK, published vectors; never a path of whk's own repository
 * (its tests, its research notes). Every built-in scheme has a docs link.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { whk } from '../helpers/in-process.js';

/**
 * A path into whk's own repository: ../shared/seeds, its test and source folders, its Python
 * signers, its research notes. (Paths in a provider's public repository, named with it, are fine.)
 */
const REPO_PATH = /\.\.\/|\bshared\/|\bseeds\b|\btest\/(schemes|providers|e2e|helpers|reliability|listen)\b|\bsrc\/(schemes|providers|commands|listen|render)\b|python\.test\.ts|\/python\/[\w-]+\.py|NOTES-/;

interface Row { name: string; builtIn: boolean; docs: string | null; checkedBy: string | null; provider: string; secretWhere: string | null; secretFormat: string; algorithm: string }

describe('public sources only', () => {
  it('whk schemes --json: every built-in scheme has a docs link, and no field names a repository path', async () => {
    const r = await whk(['schemes', '--json']);
    const rows = (JSON.parse(r.stdout) as Row[]).filter((s) => s.builtIn);
    expect(rows.length).toBeGreaterThan(90);
    for (const s of rows) {
      expect([s.name, s.docs]).toEqual([s.name, expect.stringMatching(/^https:\/\/[^\s]+$/)]);
      for (const field of ['checkedBy', 'provider', 'secretWhere', 'secretFormat', 'algorithm'] as const) {
        expect([s.name, field, s[field] ?? '']).toEqual([s.name, field, expect.not.stringMatching(REPO_PATH)]);
      }
    }
    const freepik = rows.find((s) => s.name === 'freepik')!;
    const wealthkernel = rows.find((s) => s.name === 'wealthkernel')!;
    expect([freepik.docs, wealthkernel.docs]).toEqual(['https://docs.freepik.com/webhooks', 'https://docs.wealthkernel.com/']);
  });

  it('the text of whk schemes and the README\'s provider table name no repository path', async () => {
    const text = (await whk(['schemes'])).stdout;
    for (const line of text.split('\n')) expect(line).not.toMatch(REPO_PATH);
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    const table = readme.slice(readme.indexOf('<!-- providers:start -->'), readme.indexOf('<!-- providers:end -->'));
    expect(table.split('\n').filter((l) => l.startsWith('| `')).length).toBeGreaterThan(90);
    for (const line of table.split('\n')) expect(line).not.toMatch(REPO_PATH);
  });
});
