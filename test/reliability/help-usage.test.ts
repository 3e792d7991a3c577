/**
 * Defects: `history show --help` lacked --json, `history export --help` showed no option, `whk
 * replay` with no argument named the missing --to but not the missing file, usage errors pointed
 * to `whk --help` rather than the command's own help, `history --since 2` (no unit) was taken as
 * 2 seconds, and history said "unverified" where listen says "not verified". In-process (main()).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startInProcess, whk } from '../helpers/in-process.js';

const oneLine = (s: string) => s.trim().split('\n');

describe('help of the history subcommands', () => {
  it('history show --help lists --json', async () => {
    const r = await whk(['history', 'show', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}--json +print its NDJSON line/m);
  });

  it('history export --help lists the filters', async () => {
    const r = await whk(['history', 'export', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--limit <n>', '--since <duration>', '--scheme <name>', '--type <types>', '--invalid']) expect(r.stdout).toContain(`  ${flag}`);
  });

  it('history export --since and --limit still filter (the values reach the subcommand)', async () => {
    const h = mkdtempSync(join(tmpdir(), 'whk-help-'));
    const r = await whk(['history', 'export', '--since', '1h', '--limit', '2'], { env: { WHK_HOME: h } });
    expect([r.code, r.stderr]).toEqual([0, 'whk: no delivery in the history matches\n']);
  });
});

describe('usage errors point to the help of their command', () => {
  it.each([
    [['replay'], /^whk: missing the recording \(a file, or - for stdin\) and --to <url>: whk replay <file> --to <url> \(see whk replay --help\)$/],
    [['replay', 'events.ndjson'], /^whk: missing --to <url>: whk replay <file> --to <url> \(see whk replay --help\)$/],
    [['replay', '--to', 'http://127.0.0.1:9/'], /^whk: missing the recording \(a file, or - for stdin\): whk replay <file> --to <url> \(see whk replay --help\)$/],
    [['sign', '--schem', 'dfns'], /^whk: unknown option '--schem' \(Did you mean --scheme\?\) \(see whk sign --help\)$/],
    [['history', 'show', '1', '--bogus'], /^whk: unknown option '--bogus' \(see whk history show --help\)$/],
    [['listen', '--port', '99999'], /^whk: --port 99999 is not a port; 0 picks a free one \(0-65535\) \(see whk listen --help\)$/],
    [['--no-color', 'sign', '--secret', 'k', '--body', 'x'], /^whk: missing --scheme <name>: whk schemes lists them \(see whk sign --help\)$/],
    [['bogus'], /^whk: unknown command 'bogus' \(see whk --help\)$/],
    [['history', '--since', '2'], /^whk: --since "2" has no unit: give e\.g\. 30m, 2h or 7d \(units: ms, s, m, h, d\) \(see whk history --help\)$/],
  ])('whk %j: one line, exit 2', async (args, message) => {
    const r = await whk(args, { env: { WHK_HOME: mkdtempSync(join(tmpdir(), 'whk-help-')) } });
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(message);
  });

  it('--since takes days: 7d', async () => {
    const r = await whk(['history', '--since', '7d'], { env: { WHK_HOME: mkdtempSync(join(tmpdir(), 'whk-help-')) } });
    expect(r.code).toBe(0);
  });
});

describe('one word for a delivery checked against no secret', () => {
  it('whk history says "not verified", as whk listen does', async () => {
    const h = mkdtempSync(join(tmpdir(), 'whk-help-'));
    const w = startInProcess(['listen', '--port', '0', '--json'], { env: { WHK_HOME: h } });
    const url = (await w.waitFor(/^whk listening on /, 'stderr')).replace('whk listening on ', '');
    await (await fetch(url, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).text();
    await w.waitFor(/"seq":1/, 'stdout');
    w.signal('SIGINT');
    await w.exited;
    const r = await whk(['history'], { env: { WHK_HOME: h } });
    expect(r.stdout).toMatch(/ {2}· not verified {2}→ 200$/m);
    expect(r.stdout).not.toContain('unverified');
  });
});
