#!/usr/bin/env node
// The launcher: runs the built CLI and exits with its code (the only process.exit in whk).
// CommonJS on purpose (bin/package.json): an ES module entry point starts Node's ES module loader,
// ~5 ms of start-up that `whk sign` does not need. The network commands load as ES modules later.
'use strict';

require('../dist/bin/cli.cjs')
  .main(process.argv)
  .then((code) => process.exit(code));
