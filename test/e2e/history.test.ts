/**
 * The history, end to end: whk in-process (main()), real HTTP on 127.0.0.1, real signatures (whk
 * send and the library's sign); the built CLI where only processes show it (two listeners at once,
 * a pipe, a terminal). Every test has its own WHK_HOME.
 */
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 60_000 });
import { sign } from '../../src/index.js';
import { startWhk, type Running } from '../helpers/cli.js';
import { startInProcess, whk, type InProcess } from '../helpers/in-process.js';
import { sessionId } from '../../src/history/store.js';
import { SessionJournal } from '../../src/history/journal.js';

const SECRET = 'hist-s3cret-4f1c9a';
const STD_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const DAY = 86_400_000;

const home = () => mkdtempSync(join(tmpdir(), 'whk-history-e2e-'));
const histFiles = (h: string) => (existsSync(join(h, 'history')) ? readdirSync(join(h, 'history')).filter((f) => f.endsWith('.ndjson')).map((f) => join(h, 'history', f)) : []);
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

async function listen(h: string, args: string[] = [], env: Record<string, string> = {}): Promise<{ w: InProcess; url: string }> {
  const w = startInProcess(['listen', '--port', '0', ...args], { env: { WHK_HOME: h, ...env } });
  const ready = await w.waitFor(/^whk listening on /, 'stderr');
  return { w, url: ready.replace('whk listening on ', '') };
}

const stop = async (w: InProcess) => {
  w.signal('SIGINT');
  return w.exited;
};

/** A listener of its own process: two at once write two files. */
async function listenProcess(h: string, args: string[]): Promise<{ w: Running; url: string }> {
  const w = startWhk(['listen', '--port', '0', ...args], { env: { WHK_HOME: h } });
  const ready = await w.waitFor(/^whk listening on /, 'stderr');
  return { w, url: ready.replace('whk listening on ', '') };
}

const send = (url: string, ...args: string[]) => whk(['send', url, ...args]);

/** Three deliveries: a valid dfns one, a forged one, a valid github push; then the listener stopped. */
async function threeDeliveries(h: string, extra: string[] = []) {
  const { w, url } = await listen(h, ['--scheme', 'auto', '--secret', SECRET, ...extra]);
  expect((await send(url, '--scheme', 'dfns', '--secret', SECRET, '--event', 'wallet.created')).code).toBe(0);
  expect((await send(url, '--scheme', 'dfns', '--secret', SECRET, '--tamper', 'body')).code).toBe(0);
  const r = await stop(w);
  expect(r.code).toBe(130);
  return { r, url };
}

const run = (h: string, args: string[]) => whk(args, { env: { WHK_HOME: h } });

describe('whk listen keeps the history', () => {
  it('one file per session: a session line, then exactly the --record lines; 0700 folder, 0600 file, no secret', async () => {
    const h = home();
    const rec = join(h, 'rec.ndjson');
    const { url } = await threeDeliveries(h, ['--record', rec]);
    const [file, ...more] = histFiles(h);
    expect(more).toEqual([]);
    expect(statSync(join(h, 'history')).mode & 0o777).toBe(0o700);
    expect(statSync(file!).mode & 0o777).toBe(0o600);
    const text = readFileSync(file!, 'utf8');
    const [first, ...events] = text.trimEnd().split('\n');
    const session = JSON.parse(first!);
    expect(session).toMatchObject({ type: 'session', port: Number(new URL(url).port), path: '/', host: '127.0.0.1', forwardTo: null });
    expect(file!.endsWith(`${session.session}.ndjson`)).toBe(true);
    expect(session.pid).toBeGreaterThan(0);
    expect(Date.parse(session.startedAt)).toBeGreaterThan(0);
    expect(events.map((l) => `${l}\n`).join('')).toBe(readFileSync(rec, 'utf8'));
    expect(events).toHaveLength(2);
    expect(text).not.toContain(SECRET);
  });

  it('never writes a secret, even one sent in a header (whsec_ secrets redacted as in --record)', async () => {
    const h = home();
    const { w, url } = await listen(h, ['--scheme', 'standard', '--secret', STD_SECRET]);
    expect((await send(url, '--scheme', 'standard', '--secret', STD_SECRET, '--header', `X-Leak: ${STD_SECRET}`)).code).toBe(0);
    await stop(w);
    for (const f of histFiles(h)) {
      const t = readFileSync(f, 'utf8');
      expect(t).toContain('x-leak');
      expect(t).not.toContain(STD_SECRET);
      expect(t).not.toContain(STD_SECRET.slice('whsec_'.length));
    }
  });

  it('--no-history keeps nothing', async () => {
    const h = home();
    await threeDeliveries(h, ['--no-history']);
    expect(histFiles(h)).toEqual([]);
  });

  it('two listeners at once: each its own file, no line split or mixed', async () => {
    const h = home();
    const a = await listenProcess(h, ['--scheme', 'github', '--secret', SECRET]);
    const b = await listenProcess(h, ['--scheme', 'github', '--secret', SECRET]);
    const body = (i: number) => JSON.stringify({ n: i, pad: 'x'.repeat(3000) });
    await Promise.all(Array.from({ length: 40 }, (_, i) => {
      const d = body(i);
      return fetch(i % 2 ? a.url : b.url, { method: 'POST', body: d, headers: { 'content-type': 'application/json', 'x-github-event': 'push', ...sign('github', { body: d, secrets: [SECRET] }) } }).then((r) => r.text());
    }));
    for (const w of [a.w, b.w]) w.child.kill('SIGINT');
    await Promise.all([a.w.exited, b.w.exited]);
    const files = histFiles(h);
    expect(files).toHaveLength(2);
    for (const f of files) {
      const [session, ...events] = lines(f);
      expect(session!.type).toBe('session');
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(new Set(events.map((e) => JSON.parse(e.body as string).n % 2)).size).toBe(1);
    }
    const list = await run(h, ['history', '--limit', '100', '--json']);
    expect(list.stdout.trim().split('\n')).toHaveLength(40);
    expect(new Set(list.stdout.trim().split('\n').map((l) => JSON.parse(l).session)).size).toBe(2);
  });

  it('deletes old sessions when a listener starts: by age (30 days, WHK_HISTORY_DAYS) and by size (WHK_HISTORY_MAX)', async () => {
    const h = home();
    mkdirSync(join(h, 'history'), { recursive: true });
    const fake = (daysAgo: number, pid: number, bytes = 100) => {
      const t = Date.now() - daysAgo * DAY;
      const f = join(h, 'history', `${sessionId(new Date(t), pid)}.ndjson`);
      writeFileSync(f, `${JSON.stringify({ type: 'session' })}\n`.padEnd(bytes, ' '));
      utimesSync(f, t / 1000, t / 1000);
      return f;
    };
    const old = fake(40, 1);
    const twoDays = fake(2, 2);
    const recent = fake(0.5, 3);
    const quit = ['--timeout', '10ms'];
    const ended = async (env: Record<string, string> = {}) => (await (await listen(h, quit, env)).w.exited).code;
    expect(await ended()).toBe(0);
    expect([existsSync(old), existsSync(twoDays), existsSync(recent)]).toEqual([false, true, true]);
    expect(await ended({ WHK_HISTORY_DAYS: '1' })).toBe(0);
    expect([existsSync(twoDays), existsSync(recent)]).toEqual([false, true]);

    // By size: the newest files up to the limit stay.
    const sized = [fake(0.4, 4, 400 * 1024), fake(0.3, 5, 400 * 1024), fake(0.2, 6, 400 * 1024)];
    // Newest first: the two earlier listeners' own files (~220 bytes each), 0.2 and 0.3 days old fit in 1mb.
    expect(await ended({ WHK_HISTORY_MAX: '1mb' })).toBe(0);
    expect(sized.map((f) => existsSync(f))).toEqual([false, true, true]);
    expect(existsSync(recent)).toBe(false);
  });

  it('bad WHK_HISTORY_MAX / WHK_HISTORY_DAYS: one line, exit 2 (ignored with --no-history)', async () => {
    const h = home();
    for (const [k, v, msg] of [['WHK_HISTORY_MAX', 'lots', /^whk: WHK_HISTORY_MAX "lots" is not a size: set it to e.g. 500mb or 1gb/], ['WHK_HISTORY_DAYS', '0', /^whk: WHK_HISTORY_DAYS "0" is not a number of days/], ['WHK_HISTORY_DAYS', '1.5', /is not a number of days/]] as const) {
      const r = await whk(['listen', '--port', '0', '--timeout', '10ms'], { env: { WHK_HOME: h, [k]: v } });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
      expect((await whk(['listen', '--port', '0', '--timeout', '10ms', '--no-history'], { env: { WHK_HOME: h, [k]: v } })).code).toBe(0);
    }
  });

  it('a history that cannot be written is said, and fails a run whose result matters (--expect)', async () => {
    const h = home();
    const blocker = join(h, 'not-a-folder');
    writeFileSync(blocker, '');
    const { w, url } = await listen(blocker, ['--scheme', 'dfns', '--secret', SECRET, '--expect', '1']);
    expect((await send(url, '--scheme', 'dfns', '--secret', SECRET)).code).toBe(0);
    const r = await w.exited;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/whk: cannot write the history in .*not-a-folder\/history: .* \(set WHK_HOME to a writable folder, or pass --no-history\)/);
    // Shown in a terminal (--compact), the run goes on, but a history that failed is a failed write: exit 1 however the run ends.
    const c = await listen(blocker, ['--scheme', 'dfns', '--secret', SECRET, '--compact', '--timeout', '10ms']);
    expect((await c.w.exited).code).toBe(1);
    expect(c.w.stderrLines.some((l) => l.startsWith('whk: cannot write the history'))).toBe(true);
  });

  it('a write that fails mid-session stops the journal and is told once', () => {
    const h = home();
    const j = new SessionJournal(join(h, 'history'), { startedAt: new Date().toISOString(), url: 'http://127.0.0.1:1/', host: '127.0.0.1', port: 1, path: '/', pid: process.pid, forwardTo: null, version: 'test' });
    expect(j.write('{"type":"event"}\n')).toBe(true);
    closeSync((j as unknown as { fd: number }).fd); // the descriptor goes bad under it
    // Lines go out at the end of the event loop's turn (one write for the deliveries of a turn).
    expect(j.write('{"type":"event"}\n')).toBe(true);
    j.flush();
    expect(j.failed).toBe(true);
    expect(j.failure).toMatch(/^history stopped: cannot write .*\.ndjson: /);
    expect(j.write('{"type":"event"}\n')).toBe(false);
    void openSync;
  });
});

describe('whk history', () => {
  /** A history of three deliveries: #1 dfns wallet.created valid, #2 dfns forged, #3 github push valid. */
  async function seeded() {
    const h = home();
    const { w, url } = await listen(h, ['--scheme', 'auto', '--secret', SECRET]);
    expect((await send(url, '--scheme', 'dfns', '--secret', SECRET, '--event', 'wallet.created', '--id', 'wh-hist-1')).code).toBe(0);
    expect((await send(url, '--scheme', 'dfns', '--secret', SECRET, '--tamper', 'body')).code).toBe(0);
    const w2 = await listen(h, ['--scheme', 'github', '--secret', SECRET]);
    expect((await send(w2.url, '--scheme', 'github', '--secret', SECRET, '--event', 'push')).code).toBe(0);
    await Promise.all([stop(w), stop(w2.w)]);
    return h;
  }

  it('lists newest first, one line each; filters; --limit; --json is the record plus "session"', async () => {
    const h = await seeded();
    const all = await run(h, ['history']);
    expect(all.code).toBe(0);
    const rows = all.stdout.trim().split('\n');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^\d{8}T\d{9}Z-\d+:1 {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}POST \/ {2}github {2}push {2}✓ valid {2}→ 200$/);
    expect(rows[1]).toMatch(/:2 .* POST \/ {2}dfns {2}\S+ {2}✗ no_match {2}→ 401$/);
    expect(rows[2]).toMatch(/:1 .* POST \/ {2}dfns {2}wallet\.created {2}✓ valid {2}→ 200$/);

    const count = async (...args: string[]) => (await run(h, ['history', ...args])).stdout.trim().split('\n').filter(Boolean).length;
    expect(await count('--limit', '2')).toBe(2);
    expect(await count('--invalid')).toBe(1);
    expect(await count('--scheme', 'dfns')).toBe(2);
    expect(await count('--type', 'push')).toBe(1);
    expect(await count('--type', 'wallet.*')).toBe(2); // the forged one's body is a wallet event too
    expect(await count('--since', '1h')).toBe(3);
    const none = await run(h, ['history', '--since', '0ms']);
    expect([none.code, none.stdout, none.stderr.trim()]).toEqual([0, '', 'whk: no delivery in the history matches']);

    const json = (await run(h, ['history', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(json.map((e) => [e.type, e.scheme, e.seq])).toEqual([['event', 'github', 1], ['event', 'dfns', 2], ['event', 'dfns', 1]]);
    const stored = lines(histFiles(h).find((f) => readFileSync(f, 'utf8').includes('"github"'))!)[1]!;
    expect(json[0]).toEqual({ ...stored, session: expect.stringMatching(/^\d{8}T\d{9}Z-\d+$/) });
  });

  it('an empty history, bad flags: clear words and exit codes', async () => {
    const h = home();
    const r = await run(h, ['history']);
    expect([r.code, r.stdout]).toEqual([0, '']);
    expect(r.stderr).toBe(`whk: the history is empty (${join(h, 'history')})\n`);
    for (const args of [['--limit', '0'], ['--since', 'yesterday'], ['--type', ',']]) {
      const bad = await run(h, ['history', ...args]);
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('skips a torn last line with one warning line', async () => {
    const h = await seeded();
    const file = histFiles(h).find((f) => readFileSync(f, 'utf8').includes('"github"'))!;
    writeFileSync(file, `${readFileSync(file, 'utf8')}{"type":"event","seq":2,"receivedAt":"20`);
    for (const args of [['history'], ['history', 'export']]) {
      const r = await run(h, args);
      expect(r.code).toBe(0);
      expect(r.stdout.trim().split('\n')).toHaveLength(3);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^whk: skipped a line of .*\.ndjson that is not a record \(torn by a crash mid-write\?\)$/)]);
    }
  });

  it('show: by seq, event id or session:seq, as the listener printed it; --json; unknown is exit 2', async () => {
    const h = await seeded();
    const bySeq = await run(h, ['history', 'show', '1']);
    expect(bySeq.code).toBe(0);
    expect(bySeq.stdout).toMatch(/^\d\d:\d\d:\d\d {2}#1 {2}POST \/ {2}github {2}push \[[^\]]+\] {2}→ 200\n {2}✓ valid \(github, raw body\)\n/);
    expect(bySeq.stdout).toContain('x-github-event: push');
    const byId = await run(h, ['history', 'show', 'wh-hist-1']);
    expect(byId.stdout).toMatch(/#1 {2}POST \/ {2}dfns {2}wallet\.created \[wh-hist-1\]/);
    expect(byId.stdout).toMatch(/^ +"kind": "wallet\.created",$/m);
    const json = JSON.parse((await run(h, ['history', 'show', 'wh-hist-1', '--json'])).stdout);
    expect(json).toMatchObject({ type: 'event', eventId: 'wh-hist-1', seq: 1 });
    const byRef = await run(h, ['history', 'show', `${json.session}:2`]);
    expect(byRef.stdout).toMatch(/#2 {2}POST \/ {2}dfns .*→ 401\n {2}✗ invalid: no_match/);
    const missing = await run(h, ['history', 'show', 'nope']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`whk: no delivery "nope" in the history (${join(h, 'history')}): give a number, an event id or <session>:<seq> from whk history (see whk history show --help)\n`);
  });

  it('export → whk replay: a receiver gets every delivery, byte for byte; filters and --limit apply', async () => {
    const h = await seeded();
    const exp = await run(h, ['history', 'export']);
    expect(exp.code).toBe(0);
    const exported = exp.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(exported.map((e) => [e.scheme, e.seq])).toEqual([['dfns', 1], ['dfns', 2], ['github', 1]]);
    expect((await run(h, ['history', 'export', '--scheme', 'dfns', '--limit', '1'])).stdout.trim().split('\n').map((l) => JSON.parse(l).seq)).toEqual([2]);
    expect((await run(h, ['history', 'export', '--invalid'])).stdout.trim().split('\n')).toHaveLength(1);

    // A real receiver, recording what it got.
    const rh = home();
    const rec = join(rh, 'got.ndjson');
    const { w, url } = await listen(rh, ['--record', rec]);
    const part = join(rh, 'part.ndjson');
    writeFileSync(part, exp.stdout);
    const replay = await whk(['replay', part, '--to', url, '--json']);
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout.trim().split('\n').at(-1)!)).toMatchObject({ type: 'summary', events: 3, ok: 3 });
    await stop(w);
    const got = lines(rec);
    expect(got.map((g) => g.body)).toEqual(exported.map((e) => e.body));
    expect(got.map((g) => (g.headers as Record<string, string>)['x-dfns-webhook-signature'] ?? (g.headers as Record<string, string>)['x-hub-signature-256'])).toEqual(
      exported.map((e) => e.headers['x-dfns-webhook-signature'] ?? e.headers['x-hub-signature-256']),
    );
  });

  it('export | head: stops, no stack trace', async () => {
    const h = await seeded();
    const { spawnSync } = await import('node:child_process');
    const { WHK } = await import('../helpers/cli.js');
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${WHK}" history export | head -c 10 > /dev/null; echo "\${PIPESTATUS[0]}"`], { env: { ...process.env, WHK_HOME: h }, encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/at |Error/);
    expect(['0', '1']).toContain(r.stdout.trim());
  });

  it('clear: --yes deletes, no terminal and no --yes is exit 2, a terminal is asked', async () => {
    const h = await seeded();
    const refused = await run(h, ['history', 'clear']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^whk: history clear would delete 2 sessions \(\d+ KB\) in .*: pass --yes to confirm \(there is no terminal to ask on\) \(see whk history clear --help\)\n$/);
    expect(histFiles(h)).toHaveLength(2);

    // On a terminal (script(1) gives it one): "n" keeps everything, "y" deletes.
    const { spawnSync } = await import('node:child_process');
    const { WHK } = await import('../helpers/cli.js');
    const onTty = (answer: string) => spawnSync('script', ['-qec', `"${process.execPath}" "${WHK}" history clear`, '/dev/null'], { env: { ...process.env, WHK_HOME: h }, input: `${answer}\n`, encoding: 'utf8' });
    const no = onTty('n');
    expect(no.stdout).toMatch(/delete 2 sessions \(\d+ KB\) in .*\? \[y\/N\]/);
    expect(no.stdout).toContain('whk: nothing deleted');
    expect(histFiles(h)).toHaveLength(2);
    const yes = onTty('y');
    expect(yes.stdout).toContain('whk: deleted 2 sessions');
    expect(histFiles(h)).toHaveLength(0);

    const h2 = await seeded();
    const r = await run(h2, ['history', 'clear', '--yes']);
    expect([r.code, histFiles(h2).length]).toEqual([0, 0]);
    expect(r.stderr).toMatch(/^whk: deleted 2 sessions/);
    expect((await run(h2, ['history', 'clear', '--yes'])).stderr).toMatch(/^whk: the history is empty/);
  });
});

describe('whk listen --compact', () => {
  it('one line per delivery, terminal-safe; not with --json', async () => {
    const h = home();
    const { w, url } = await listen(h, ['--compact', '--scheme', 'dfns', '--secret', SECRET, '--forward-to', 'http://127.0.0.1:9/app']);
    const body = JSON.stringify({ id: 'wh-c1', kind: 'wallet.\u001b[31mred', data: {}, timestampSent: Math.floor(Date.now() / 1000) });
    const r = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...sign('dfns', { body, secrets: [SECRET] }) } });
    expect(r.status).toBe(502);
    expect((await send(url, '--scheme', 'dfns', '--secret', SECRET, '--tamper', 'signature')).code).toBe(0);
    const line1 = await w.waitFor(/#1 /, 'stdout');
    const line2 = await w.waitFor(/#2 /, 'stdout');
    await stop(w);
    expect(line1).toMatch(/^\d\d:\d\d:\d\d {2}#1 {2}POST \/ {2}dfns {2}wallet\.\\x1b\[31mred \[wh-c1\] {2}✓ valid {2}→ 502 {2}fwd failed$/);
    expect(line2).toMatch(/^\d\d:\d\d:\d\d {2}#2 {2}POST \/ {2}dfns {2}\S+ \[\S+\] {2}✗ (no_match|malformed_header) {2}→ 401$/);
    expect(w.stdoutLines.filter((l) => l.trim() !== '')).toHaveLength(2);

    const both = await whk(['listen', '--compact', '--json'], { env: { WHK_HOME: h } });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^whk: option '--compact' cannot be used with option '--json'/);
  });
});
