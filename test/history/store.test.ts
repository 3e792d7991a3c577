import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEventFilter } from '../../src/filter.js';
import { entries, findEntry, historyDir, listSessions, sessionId, stateDir } from '../../src/history/store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A history folder with session files written as the listener writes them. */
function history(): { dir: string; session: (start: number, pid: number, events: Array<Partial<Record<string, unknown>> & { t: number }>, tail?: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'whk-store-test-'));
  dirs.push(dir);
  return {
    dir,
    session(start, pid, events, tail = '') {
      const id = sessionId(new Date(start), pid);
      const lines = [JSON.stringify({ type: 'session', session: id, startedAt: new Date(start).toISOString() })];
      events.forEach(({ t, ...rest }, i) => lines.push(JSON.stringify({ type: 'event', seq: i + 1, receivedAt: new Date(t).toISOString(), eventId: `e${pid}-${i + 1}`, eventType: 'wallet.created', scheme: 'dfns', verdict: { valid: true }, ...rest })));
      const file = join(dir, `${id}.ndjson`);
      writeFileSync(file, `${lines.join('\n')}\n${tail}`);
      const last = events.at(-1)?.t ?? start;
      utimesSync(file, last / 1000, last / 1000);
      return id;
    },
  };
}

const collect = async (it: AsyncIterable<{ session: string; seq: number; receivedAt: string }>) => {
  const out: string[] = [];
  for await (const e of it) out.push(`${e.session.split('-')[1]}#${e.seq}@${Date.parse(e.receivedAt) / 1000}`);
  return out;
};

describe('stateDir', () => {
  it('is $WHK_HOME, else $XDG_STATE_HOME/whk, else ~/.local/state/whk', () => {
    expect(stateDir({ WHK_HOME: '/a', XDG_STATE_HOME: '/b' }, '/h')).toBe('/a');
    expect(stateDir({ XDG_STATE_HOME: '/b' }, '/h')).toBe('/b/whk');
    expect(stateDir({}, '/h')).toBe('/h/.local/state/whk');
    expect(historyDir({ WHK_HOME: '/a' })).toBe('/a/history');
  });
});

describe('entries', () => {
  it('merges concurrent sessions newest first, and oldest first', async () => {
    const h = history();
    h.session(1000_000, 1, [{ t: 1000_000 }, { t: 1003_000 }, { t: 1005_000 }]);
    h.session(1002_000, 2, [{ t: 1002_000 }, { t: 1004_000 }, { t: 1006_000 }]);
    h.session(900_000, 3, [{ t: 900_000 }]);
    expect(await collect(entries({ dir: h.dir }))).toEqual(['2#3@1006', '1#3@1005', '2#2@1004', '1#2@1003', '2#1@1002', '1#1@1000', '3#1@900']);
    expect(await collect(entries({ dir: h.dir, order: 'oldest' }))).toEqual(['3#1@900', '1#1@1000', '2#1@1002', '1#2@1003', '2#2@1004', '1#3@1005', '2#3@1006']);
    expect((await listSessions(h.dir)).map((s) => s.id.split('-')[1])).toEqual(['2', '1', '3']);
  });

  it('filters by time, scheme, type and verdict', async () => {
    const h = history();
    h.session(1000_000, 1, [
      { t: 1000_000 },
      { t: 1001_000, scheme: 'github', eventType: 'push' },
      { t: 1002_000, verdict: { valid: false, reason: 'no_match' } },
      { t: 1003_000, verdict: null, eventType: 'policy.triggered' },
    ]);
    expect(await collect(entries({ dir: h.dir, filter: { since: 1001_500 } }))).toEqual(['1#4@1003', '1#3@1002']);
    expect(await collect(entries({ dir: h.dir, order: 'oldest', filter: { since: 1001_500 } }))).toEqual(['1#3@1002', '1#4@1003']);
    expect(await collect(entries({ dir: h.dir, filter: { scheme: 'GitHub' } }))).toEqual(['1#2@1001']);
    expect(await collect(entries({ dir: h.dir, filter: { type: parseEventFilter('wallet.*,policy.triggered') } }))).toEqual(['1#4@1003', '1#3@1002', '1#1@1000']);
    expect(await collect(entries({ dir: h.dir, filter: { invalid: true } }))).toEqual(['1#3@1002']);
  });

  it('skips a torn last line with one warning, in both orders', async () => {
    const h = history();
    h.session(1000_000, 1, [{ t: 1000_000 }, { t: 1001_000 }], '{"type":"event","seq":3,"rece');
    for (const order of ['newest', 'oldest'] as const) {
      const warnings: string[] = [];
      expect(await collect(entries({ dir: h.dir, order, onWarning: (m) => warnings.push(m) }))).toHaveLength(2);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^skipped a line of .*\.ndjson that is not a record/);
    }
  });

  it('reads lines longer than its read size, multi-byte text whole', async () => {
    const h = history();
    const body = 'é'.repeat(100_000);
    h.session(1000_000, 1, [{ t: 1000_000, body }, { t: 1001_000, body: 'x' }]);
    const got: string[] = [];
    for await (const e of entries({ dir: h.dir })) got.push(e.body);
    expect(got).toEqual(['x', body]);
  });

  it('is empty without a folder', async () => {
    expect(await collect(entries({ dir: join(tmpdir(), 'whk-store-test-none', 'history') }))).toEqual([]);
  });
});

describe('findEntry', () => {
  it('finds by seq (newest match), event id, and session:seq', async () => {
    const h = history();
    const a = h.session(1000_000, 1, [{ t: 1000_000 }, { t: 1001_000 }]);
    h.session(1002_000, 2, [{ t: 1002_000 }, { t: 1003_000, eventId: '77' }]);
    expect((await findEntry('2', { dir: h.dir }))?.eventId).toBe('77');
    expect((await findEntry('e1-1', { dir: h.dir }))?.session).toBe(a);
    expect((await findEntry(`${a}:2`, { dir: h.dir }))?.eventId).toBe('e1-2');
    expect((await findEntry('77', { dir: h.dir }))?.seq).toBe(2);
    expect(await findEntry('nope', { dir: h.dir })).toBeUndefined();
  });
});
