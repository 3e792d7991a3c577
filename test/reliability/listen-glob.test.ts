/**
 * Trust at the edges: the sender chooses the event type, so an --events glob must be matched in
 * linear time. A backtracking regex took 8-15 s of the event loop for `*.*.*.confirmed` against a
 * 3 KB type, and a 24-star glob hung the listener (Ctrl-C ignored).
 */
import { describe, expect, it } from 'vitest';
import { startWhk } from '../helpers/cli.js';
import { dfns, post, SECRET } from './_listen.js';

describe('--events globs against a hostile event type', () => {
  it('a 24-star glob and a 3 KB event type: the delivery is answered, the next one too, and SIGTERM ends the run (was: the listener hung)', async () => {
    const glob = `${'*.'.repeat(24)}confirmed`;
    const whk = startWhk(['listen', '--port', '0', '--json', '--no-history', '--scheme', 'dfns', '--secret', SECRET, '--events', glob]);
    const { url } = JSON.parse(await whk.waitFor(/"type":"ready"/, 'stdout')) as { url: string };
    const hostile = dfns();
    const body = JSON.parse(hostile.body) as Record<string, unknown>;
    body.kind = `${'a.'.repeat(1500)}x`;
    const { sign } = await import('../../src/index.js');
    const text = JSON.stringify(body);
    expect((await post(url, { body: text, headers: { 'content-type': 'application/json', ...sign('dfns', { body: text, secrets: [SECRET] }) } })).status).toBe(200);
    expect((await post(url, dfns())).status).toBe(200);
    whk.child.kill('SIGTERM');
    const r = await whk.exited;
    expect(r.code).toBe(143);
    const events = whk.stdoutLines.filter((l) => l.includes('"type":"event"')).map((l) => JSON.parse(l) as { filtered: boolean });
    expect(events.map((e) => e.filtered)).toEqual([true, true]);
  }, 15_000);
});
