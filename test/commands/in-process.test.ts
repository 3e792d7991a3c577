/**
 * whk in-process: main() with the streams and dependencies it is given (no child process), as
 * DESIGN asks of command tests. The spawned end-to-end tests stay (test/e2e): these are fast and
 * see the exit code main() decides.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';

async function whk(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['node', 'whk', ...args], { io: { out: (t) => void out.push(t), err: (t) => void err.push(t) } });
  return { code, out: out.join(''), err: err.join('') };
}

describe('main() in-process', () => {
  it('sign prints the headers (checked against node:crypto by hand)', async () => {
    const r = await whk('sign', '--scheme', 'github', '--secret', 'in-process', '--body', '{"a":1}');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`X-Hub-Signature-256: sha256=${createHmac('sha256', 'in-process').update('{"a":1}').digest('hex')}`);
  });

  it('verify: 0 valid, 1 invalid, with --json', async () => {
    const sig = `sha256=${createHmac('sha256', 'k').update('x').digest('hex')}`;
    expect((await whk('verify', '--scheme', 'github', '--secret', 'k', '--header', `X-Hub-Signature-256: ${sig}`, '--body', 'x')).code).toBe(0);
    const bad = await whk('verify', '--scheme', 'github', '--secret', 'other', '--header', `X-Hub-Signature-256: ${sig}`, '--body', 'x', '--json');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out)).toMatchObject({ valid: false, reason: 'no_match' });
  });

  it('a bad flag value: exit 2 and one line naming the flag, from the parser where the flag is declared', async () => {
    const r = await whk('listen', '--port', '99999');
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe('whk: --port 99999 is not a port; 0 picks a free one (0-65535) (see whk listen --help)');
  });

  it('an unknown option: exit 2 with commander\'s suggestion on one line', async () => {
    const r = await whk('sign', '--schem', 'dfns');
    expect(r.code).toBe(2);
    expect(r.err.trim()).toMatch(/^whk: unknown option '--schem'.*Did you mean --scheme\?.*\(see whk sign --help\)$/);
  });

  it('declares only the command argv starts with, yet help and suggestions still see every command', async () => {
    const root = await whk('--help');
    for (const name of ['sign', 'verify', 'schemes', 'listen', 'history', 'inspect', 'send', 'replay', 'probe']) expect(root.out).toMatch(new RegExp(`^  ${name} `, 'm'));
    // A global flag first: the program's own help, the whole list.
    expect((await whk('--help', 'sign')).out).toBe(root.out);
    expect((await whk('help', 'sign')).out).toBe((await whk('sign', '--help')).out);
    const typo = await whk('sgn');
    expect([typo.code, typo.err.trim()]).toEqual([2, "whk: unknown command 'sgn' (Did you mean sign?) (see whk --help)"]);
  });

  it('help goes to the given stream, exit 0', async () => {
    const r = await whk('verify', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Usage: whk verify/);
  });
});
