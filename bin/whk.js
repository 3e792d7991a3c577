#!/usr/bin/env node
// The launcher: runs the built CLI and exits with its code (the only process.exit in whk), once
// everything written to stdout and stderr has been handed to the reader: a slow pipe gets every
// line, and a closed one (| head -n 1) ends the wait instead of the process.
// CommonJS on purpose (bin/package.json): an ES module entry point starts Node's ES module loader,
// ~5 ms of start-up that `whk sign` does not need. The network commands load as ES modules later.
'use strict';

// A reader that went away (EPIPE) or a full disk must never crash whk with an unhandled 'error':
// commands learn of failed writes through their own callbacks and decide what it means.
const ignore = () => undefined;
process.stdout.on('error', ignore);
process.stderr.on('error', ignore);

function drained(stream) {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable || stream.writableLength === 0) return resolve();
    stream.write('', () => resolve());
    stream.once('close', resolve);
  });
}

require('../dist/bin/cli.cjs')
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
    return Promise.all([drained(process.stdout), drained(process.stderr)]).then(() => process.exit(code));
  });
