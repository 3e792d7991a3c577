// The README's provider table, from `whk schemes --json` (the built CLI): every provider with its
// docs page, its signature header and what it is checked against. `node scripts/providers-table.mjs`
// rewrites the table in README.md; `--check` exits 1 when the README's table is not the current one
// (the test suite runs that).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const schemes = JSON.parse(execFileSync(process.execPath, [root('bin/whk.js'), 'schemes', '--json'], { encoding: 'utf8', env: { ...process.env, XDG_CONFIG_HOME: '/nonexistent' } }));
const cell = (s) => String(s ?? '').replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
const short = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const rows = schemes.filter((s) => s.builtIn).map((s) => {
  const provider = s.docs ? `[${cell(s.provider)}](${s.docs})` : cell(s.provider);
  const names = [s.name, ...s.aliases].map((n) => `\`${n}\``).join(', ');
  return `| ${names} | ${provider} | \`${cell(s.headers[0])}\` | ${cell(short(s.checkedBy ?? '', 90))} |`;
});
const table = [
  `${rows.length} providers. The scheme name is what \`--scheme\` takes; "checked by" is the independent implementation its tests compare whk with.`,
  '',
  '| scheme | provider (docs) | signature | checked by |',
  '|---|---|---|---|',
  ...rows,
].join('\n');

const START = '<!-- providers:start -->';
const END = '<!-- providers:end -->';
const readme = readFileSync(root('README.md'), 'utf8');
const at = readme.indexOf(START);
const end = readme.indexOf(END);
if (at === -1 || end === -1) throw new Error(`README.md has no ${START} ... ${END} markers`);
const next = `${readme.slice(0, at + START.length)}\n${table}\n${readme.slice(end)}`;
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('README.md: the provider table is not the current one: run node scripts/providers-table.mjs');
    process.exit(1);
  }
} else writeFileSync(root('README.md'), next);
