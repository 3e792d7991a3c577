/**
 * The inspector's ports (issue 15, item 5): the page is an extra. When 4040-4050 are all taken,
 * `whk listen` (and `whk inspect`) serve it on any free port and say so, with no runtime warning
 * from Node (a 'listening' handler used to be left behind per port tried); only an explicit
 * --inspect-port that is taken is a usage error (exit 2). The built CLI, real sockets.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWhk, startWhk } from '../helpers/cli.js';
import { historyWith, home, githubRecord } from '../inspector/_inspector.js';

/** Takes every port of 4040-4050 that is free (the others are taken by something else already: as good). */
const held: Server[] = [];
beforeAll(async () => {
  for (let p = 4040; p <= 4050; p++) {
    const s = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      s.once('error', () => resolve(false));
      s.listen(p, '127.0.0.1', () => resolve(true));
    });
    if (ok) held.push(s);
  }
});
afterAll(async () => {
  await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
});

describe('the inspector when 4040-4050 are all taken', () => {
  it('whk listen serves it on another port, says so on one line, and Node warns of nothing', async () => {
    const whk = startWhk(['listen', '--port', '0', '--json', '--inspect'], { env: { WHK_HOME: home() } });
    const ready = JSON.parse(await whk.waitFor(/"type":"ready"/, 'stdout')) as { inspectUrl: string | null };
    whk.child.kill('SIGINT');
    const r = await whk.exited;
    expect(r.code).toBe(130);
    const port = Number(new URL(ready.inspectUrl!).port);
    expect(port < 4040 || port > 4050).toBe(true);
    expect(r.stderr).toContain(`whk: the inspector's ports 4040-4050 are all taken: it is on port ${port} instead (--inspect-port chooses one)`);
    expect(r.stderr).toContain(`whk inspector on ${ready.inspectUrl}`);
    expect(r.stderr).not.toMatch(/Warning|MaxListeners|\(node:\d+\)/);
  });

  it('whk inspect does the same', async () => {
    const whk = startWhk(['inspect'], { env: { WHK_HOME: historyWith([githubRecord(1, 'opened')]) } });
    const line = await whk.waitFor(/^whk inspector on /, 'stderr');
    whk.child.kill('SIGINT');
    const r = await whk.exited;
    const port = Number(new URL(line.replace('whk inspector on ', '')).port);
    expect(port < 4040 || port > 4050).toBe(true);
    expect(r.stderr).toContain(`it is on port ${port} instead`);
    expect(r.stderr).not.toMatch(/Warning|MaxListeners|\(node:\d+\)/);
  });

  it('an explicit --inspect-port that is taken is still a usage error, one line, exit 2', async () => {
    const r = await runWhk(['listen', '--port', '0', '--inspect', '--inspect-port', '4045'], { env: { WHK_HOME: home() } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('whk: inspector port 4045 is already in use: pick another (--inspect-port 0 picks a free one), or --no-inspect (see whk listen --help)');
  });
});
