#!/usr/bin/env node
// The launcher: runs the built CLI and exits with its code (the only process.exit in whk).
import { main } from '../dist/bin/cli.js';

process.exit(await main(process.argv));
