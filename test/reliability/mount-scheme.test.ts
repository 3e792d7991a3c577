/**
 * Defect: `whk listen --scheme dfns --mount /dfns=dfns --mount /gh=github` started and ignored
 * --scheme in silence (each mount verifies its own scheme). Now: a usage error naming the fix.
 */
import { describe, expect, it } from 'vitest';
import { runWhk } from '../helpers/cli.js';

describe('--scheme beside --mount', () => {
  it('is refused in one line, exit 2, naming --mount /path=<scheme>', async () => {
    const r = await runWhk(['listen', '--port', '0', '--scheme', 'dfns', '--secret', 'abcdefgh', '--mount', '/dfns=dfns', '--mount', '/gh=github']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^whk: --scheme dfns is for a listener without mounts: name each mount's scheme instead \(--mount \/path=dfns\)( \(see whk listen --help\))?\n$/);
    expect(r.stderr.split('\n')).toHaveLength(2);
  });
});
