#!/usr/bin/env node
// The launcher: runs the built CLI and exits with its code (the only process.exit in whk), once
// everything written to stdout and stderr has been handed to the reader: a slow pipe gets every
// line, and a closed one (| head -n 1) ends the wait instead of the process.
// CommonJS on purpose (bin/package.json): Node runs it at once, right after what NODE_OPTIONS
// preloads, so the handlers below are in place before anything else can emit (a warning emitted
// then would reach the user first while an ES module entry waited for its loader). The CLI
// itself is ES modules, one module graph with the library (scripts/bundle.mjs).
'use strict';

// Node's runtime warnings (MaxListenersExceededWarning, ExperimentalWarning, deprecations) speak
// to whk's developers, not to its users: shown only with --debug or WHK_DEBUG=1.
const debug = process.argv.includes('--debug') || process.env.WHK_DEBUG === '1';
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (debug) process.stderr.write(`whk: (debug) ${w.stack || `${w.name}: ${w.message}`}\n`);
});

// A reader that went away (EPIPE) or a full disk must never crash whk with an unhandled 'error'.
// Commands that stream (listen, send, replay) learn of failed writes through their own callbacks
// and decide what it means; for the others, a write that failed for any reason but a reader that
// stopped reading (| head) turns a success into exit 1, said on stderr.
const failed = {};
const watch = (name) => (e) => {
  if (e && e.code !== 'EPIPE' && !failed[name]) failed[name] = e.code || e.message;
};
// Node makes process.stdout and process.stderr when first used, and making one costs start-up
// time (a pipe's ~4 ms, measured: 0.05× of `node -e ''`): each is watched as it is made, and a
// run that never writes to stderr never makes it.
const made = {};
for (const name of ['stdout', 'stderr']) {
  const { get } = Object.getOwnPropertyDescriptor(process, name);
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: true,
    get() {
      if (!made[name]) {
        made[name] = get.call(process);
        made[name].on('error', watch(name));
      }
      return made[name];
    },
  });
}

// The last resort: an error nothing else handled (a bug of ours) is one line and exit 1, never a
// stack trace unless --debug. `whk listen` has its own, which also writes the summary: this one
// then stands aside.
// whk's own folder (the package, or a clone): dist/ is built there.
const root = require('node:path').join(__dirname, '..');

const lastResort = (e) => {
  if (process.listenerCount('uncaughtException') > 1) return;
  const err = e instanceof Error ? e : new Error(String(e));
  // A copy with no dist/ and no sources to build it from (a clone builds itself: below): said as such, exit 2.
  const unbuilt = /^(ERR_)?MODULE_NOT_FOUND$/.test(err.code) && /[\\/]dist[\\/]bin[\\/](cli\.js|quick\.cjs)\b/.test(err.message);
  const code = unbuilt ? 2 : 1;
  if (unbuilt) process.stderr.write(`whk: this copy of whk is not built (no ${root}/dist): run npm install, then npm run build, in ${root}\n`);
  else process.stderr.write(`whk: internal error: ${err.message}${debug ? `\n${err.stack}` : ' (run with --debug for the stack)'}\n`);
  process.exitCode = code;
  drained(process.stderr).then(() => process.exit(code));
};
process.on('uncaughtException', lastResort);
process.on('unhandledRejection', lastResort);

function drained(stream) {
  return new Promise((resolve) => {
    if (!stream || stream.destroyed || !stream.writable || stream.writableLength === 0) return resolve();
    stream.write('', () => resolve());
    stream.once('close', resolve);
  });
}

// Node 22.1+ keeps the compiled code of whk's modules on disk (os.tmpdir()/node-compile-cache), so
// every run after the first skips compiling them; Node 20 has no such cache and runs as before
// (without loading node:module, which costs it start-up for nothing).
if (Number(process.versions.node.split('.')[0]) >= 22) require('node:module').enableCompileCache?.();

// A clone of whk's repository before its first build (npm install builds nothing: the package is
// built when packed, so that installing it from the registry runs no script): built now, once,
// before anything loads from dist/. A copy without the sources is told how to build (lastResort).
if (!require('node:fs').existsSync(`${root}/dist/bin/cli.js`) && require('node:fs').existsSync(`${root}/scripts/bundle.mjs`)) {
  process.stderr.write('whk: building this clone first (npm run build: once, a few seconds)\n');
  const built = require('node:child_process').spawnSync(process.execPath, ['scripts/bundle.mjs'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (built.status !== 0) {
    process.stderr.write(`whk: the build failed (said above): run npm install, then npm run build, in ${root}\n`);
    process.exit(2);
  }
}

// `whk sign` and `whk verify` with a core scheme: the quick path (src/quick.ts), one CommonJS
// script without commander. It declines anything it cannot answer exactly as the program would,
// and a run that names no scheme (verify's auto-detection) is not even shown to it.
const command = process.argv[2];
const named = process.argv.some((a) => a === '--scheme' || a.startsWith('--scheme='));
const quick = (command === 'sign' || command === 'verify') && named ? require('../dist/bin/quick.cjs').quick(process.argv) : undefined;

(quick ?? import('../dist/bin/cli.js').then(({ main }) => main(process.argv)))
  // A failed write is reported on the next tick: one turn of the event loop lets it arrive.
  .then((code) => Promise.all([drained(made.stdout), drained(made.stderr), new Promise((r) => setImmediate(r))]).then(() => {
    if (code === 0 && (failed.stdout || failed.stderr)) {
      if (failed.stdout && !failed.stderr) process.stderr.write(`whk: cannot write to stdout (${failed.stdout})\n`);
      code = 1;
    }
    process.exitCode = code;
    return drained(made.stderr).then(() => process.exit(code));
  }));
