/**
 * Defects: WHK_HISTORY_MAX held only when a listener started (a running session under 100kb wrote
 * 4.9 MB), a cap like `0.5` (no unit) or 100kb deleted every earlier session, and `whk history
 * clear --yes` while a listener ran left its later deliveries in no file. whk in-process, real
 * HTTP on 127.0.0.1, real GitHub signatures; every test has its own WHK_HOME.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { sign } from '../../src/index.js';
import { sessionId } from '../../src/history/store.js';
import { type InProcess, startInProcess, whk } from '../helpers/in-process.js';

vi.setConfig({ testTimeout: 60_000 });

const SECRET = 'cap-s3cret-81d2';
const home = () => mkdtempSync(join(tmpdir(), 'whk-history-cap-'));
const files = (h: string) => readdirSync(join(h, 'history')).filter((f) => f.endsWith('.ndjson')).map((f) => join(h, 'history', f));
const total = (h: string) => files(h).reduce((t, f) => t + statSync(f).size, 0);

async function listen(h: string, env: Record<string, string> = {}): Promise<{ w: InProcess; url: string }> {
  const w = startInProcess(['listen', '--port', '0', '--json', '--scheme', 'github', '--secret', SECRET], { env: { WHK_HOME: h, ...env } });
  const ready = await w.waitFor(/^whk listening on /, 'stderr');
  return { w, url: ready.replace('whk listening on ', '') };
}

/** One signed GitHub push of about `bytes` bytes; resolves with the status. */
async function post(url: string, bytes: number, n: number): Promise<number> {
  const body = JSON.stringify({ n, pad: 'x'.repeat(bytes) });
  const r = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-github-event': 'push', ...sign('github', { body, secrets: [SECRET] }) } });
  await r.text();
  return r.status;
}

/** An earlier session's file of `bytes` bytes. */
function earlier(h: string, bytes: number, pid: number): string {
  mkdirSync(join(h, 'history'), { recursive: true });
  const f = join(h, 'history', `${sessionId(new Date(Date.now() - 3_600_000), pid)}.ndjson`);
  writeFileSync(f, `${JSON.stringify({ type: 'session' })}\n`.padEnd(bytes, ' '));
  return f;
}

describe('WHK_HISTORY_MAX', () => {
  it.each([['0.5', /is not a size: set it to e\.g\. 500mb or 1gb, with its unit/], ['100kb', /is below 1mb, which would delete the whole history: set it to 1mb or more/], ['2', /with its unit/]])(
    '%s is refused with one line, exit 2, and deletes nothing', async (value, message) => {
      const h = home();
      const old = earlier(h, 2000, 1);
      const r = await whk(['listen', '--port', '0', '--timeout', '10ms'], { env: { WHK_HOME: h, WHK_HISTORY_MAX: value } });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(existsSync(old)).toBe(true);
    });

  it('holds while a session writes: older sessions go first, then the session stops its history with one warning', async () => {
    const h = home();
    const old = earlier(h, 600 * 1024, 1);
    const { w, url } = await listen(h, { WHK_HISTORY_MAX: '1mb' });
    expect(existsSync(old)).toBe(true); // 600 KB fits in 1 MB at start
    // 3 × ~200 KB: the session and the earlier one no longer fit together; the earlier one goes.
    for (let i = 0; i < 3; i++) expect(await post(url, 200 * 1024, i)).toBe(200);
    await w.waitFor(/"seq":3/, 'stdout');
    expect(existsSync(old)).toBe(false);
    // 4 more: the session alone passes 1 MB; every delivery is still answered and shown.
    for (let i = 3; i < 7; i++) expect(await post(url, 200 * 1024, i)).toBe(200);
    await w.waitFor(/"seq":7/, 'stdout');
    // Said when it happened, before the listener is stopped.
    const said = await w.waitFor(/history stopped for this session/, 'stderr');
    w.signal('SIGINT');
    const r = await w.exited;
    expect(r.signal).toBeNull(); // stopped cleanly (the exit code is the session's: 130, or 1 for lost history lines)
    expect(total(h)).toBeLessThanOrEqual(1024 * 1024 + 1024);
    expect(said).toMatch(/^whk: history stopped for this session: it reached WHK_HISTORY_MAX \(1mb\) on its own; later deliveries are not in the history/);
    const [file] = files(h);
    const lines = readFileSync(file!, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines[0].type).toBe('session');
    expect(lines.at(-1)).toMatchObject({ type: 'stopped', reason: expect.stringMatching(/WHK_HISTORY_MAX/) });
    expect(lines.filter((l) => l.type === 'event').map((l) => l.seq)).toEqual([1, 2, 3, 4, 5]); // 5 × 200 KB and their headers fit in 1 MB
    // `whk history` says so too.
    const list = await whk(['history'], { env: { WHK_HOME: h } });
    expect(list.code).toBe(0);
    expect(list.stdout.trim().split('\n')).toHaveLength(5);
    expect(list.stderr).toMatch(/^whk: session \S+ stopped keeping deliveries at \S+: it reached WHK_HISTORY_MAX \(1mb\) on its own/);
  });
});

describe('whk history clear --yes while a listener runs', () => {
  it("the running session's file comes back, session line first, with the deliveries after the clear", async () => {
    const h = home();
    const { w, url } = await listen(h);
    expect(await post(url, 10, 1)).toBe(200);
    await w.waitFor(/"seq":1/, 'stdout');
    // Deliveries less than 10 ms apart (as here, in-process) reach the file within 10 ms: the
    // history is read until it has the one the clear is to delete.
    const listed = async (): Promise<number[]> => {
      for (let i = 0; ; i++) {
        const r = await whk(['history', '--json'], { env: { WHK_HOME: h } });
        if (r.stdout.trim() !== '' || i === 100) return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l).seq as number);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    expect(await listed()).toEqual([1]);
    const cleared = await whk(['history', 'clear', '--yes'], { env: { WHK_HOME: h } });
    expect(cleared.stderr).toMatch(/^whk: deleted 1 session/);
    expect(files(h)).toEqual([]);
    expect(await post(url, 10, 2)).toBe(200);
    await w.waitFor(/"seq":2/, 'stdout');
    // The second delivery is in the history, in a file that starts with its session line.
    expect(await listed()).toEqual([2]);
    const [file, ...more] = files(h);
    expect(more).toEqual([]);
    expect(statSync(file!).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file!, 'utf8').split('\n')[0]!)).toMatchObject({ type: 'session', pid: process.pid });
    w.signal('SIGINT');
    expect((await w.exited).code).toBe(130);
  });
});
