import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Every whk the tests run (in-process or spawned) keeps its history in a folder of this run, never in
// the user's ~/.local/state/whk, and finds no custom scheme but the tests' own (an empty config
// folder, never the user's ~/.config/whk). Tests of the history itself give each run its own WHK_HOME.
const home = mkdtempSync(join(tmpdir(), 'whk-test-home-'));
// And every temporary folder a test (or a whk it runs) makes goes in one of this run, removed with
// it: a run leaves nothing in the system's temporary folder (it left ~240 folders before).
const tmp = mkdtempSync(join(tmpdir(), 'whk-test-tmp-'));
process.on('exit', () => {
  rmSync(home, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

// Tests that run whk in-process (test/helpers/in-process.ts) see this environment: none of the
// developer's colour or whk settings reach them (the spawned ones set their own).
for (const name of ['FORCE_COLOR', 'NO_COLOR', 'WHK_SECRET', 'WHK_DEBUG']) delete process.env[name];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Most test time is waiting on sockets and child processes: two files at a time even on two
    // cores (vitest's default there is one); as many as cores - 1 on larger machines.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // expect.poll waits for something to happen (a page updates, a request arrives): on a loaded
    // machine that can take longer than vitest's default second.
    expect: { poll: { timeout: 10_000 } },
    env: { WHK_HOME: home, XDG_CONFIG_HOME: join(home, 'config'), TMPDIR: tmp },
    // A measurement: which tests start processes (test/helpers/count-processes.ts).
    setupFiles: process.env.WHK_COUNT_PROCESSES ? ['test/helpers/count-processes.ts'] : [],
  },
});
