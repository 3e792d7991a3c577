/**
 * A careless (or hostile) definition file: what its author wrote comes back in the error, so it
 * must come back short, on one line, with no control character a terminal would act on. Found by
 * trying: a file with one unknown key of a million characters took 17 s and 560 MB to check, then
 * printed the whole key; a key holding an escape sequence reached the terminal as it was; a line
 * break inside a placeholder of "signs" split the error over two lines.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWhk } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'whk-deftext-'));
const ACME = { name: 'acme', hmac: 'sha256', header: 'X-Acme-Signature', encoding: 'hex' };

/** `whk sign` with a definition file holding `json`: its exit code and the error line. */
async function signWith(json: unknown) {
  const file = join(dir, 'acme.json');
  writeFileSync(file, JSON.stringify(json));
  const r = await runWhk(['sign', '--scheme-file', file, '--scheme', 'acme', '--secret', 'k', '--body', 'x']);
  return { code: r.code, stderr: r.stderr, line: r.stderr.replace(/^whk: .*acme\.json: /, '').replace(/ \(see whk sign --help\)\n$/, '') };
}

describe('what a definition file says comes back short, on one line, without control characters', () => {
  it('an unknown key of a million characters: a short line (a file under 1 MB is checked at once)', async () => {
    const r = await signWith({ ...ACME, ['k'.repeat(1_000_000)]: 1 });
    expect(r.code).toBe(2);
    expect(r.line).toMatch(/^unknown key "k{50,}…" \(the keys are name, provider, /);
    expect(r.stderr.length).toBeLessThan(600);
  });

  it('an unknown key holding an escape sequence: written escaped', async () => {
    const r = await signWith({ ...ACME, '\u001b[2Jcolour': 'red' });
    expect(r.code).toBe(2);
    expect(r.line).toMatch(/^unknown key "\\u001b\[2Jcolour" \(the keys are /);
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  it('a line break inside a placeholder of "signs": one line', async () => {
    const r = await signWith({ ...ACME, signs: '{time\nstamp}.{body}' });
    expect(r.code).toBe(2);
    expect(r.line).toBe('"signs": unknown placeholder {time\\nstamp} (did you mean {timestamp}?): the placeholders are {body}, {timestamp}, {id}, {url}, {method} and {header:Name}');
    expect(r.stderr.trimEnd()).not.toContain('\n');
  });
});
