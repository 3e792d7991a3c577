// Bundles the CLI for start-up (npm run bench measures it): the library API (dist/index.js)
// stays tsc's plain output.
//  - dist/bin/cli.cjs: the program and the offline commands (sign, verify, schemes) in ONE
//    CommonJS file, loaded by the CommonJS launcher bin/whk.js: `whk sign` then loads two files
//    and never starts the ES module loader (~5 ms of a ~45 ms `node -e ''`).
//  - dist/bin/commands/*.js: the network commands (listen, send, replay, probe), split into shared
//    chunks, imported by cli.js only when one of them runs.
// Heavy runtime dependencies (undici, ora, ngrok, chalk) stay external and load only where used.
//
// `npm run build` is this script: tsc's output and the bundles are written to dist.tmp-<pid>/, then
// moved into dist/ file by file (a rename over the old file), and the files of the old build that
// the new one lacks (chunks of another content) are deleted last. A whk running from the checkout
// meanwhile (a test run, a listener) finds the old file or the new one, never none; a build that
// fails leaves dist/ as it was.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';

const OUT = `dist.tmp-${process.pid}`;
rmSync(OUT, { recursive: true, force: true });
process.on('exit', () => rmSync(OUT, { recursive: true, force: true }));

const tsc = spawnSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', 'tsconfig.json', '--outDir', OUT], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

// commander requires node:child_process at load time for "executable" subcommands, which whk
// never uses; loading it pulls in net, dgram and more. Give commander a stub that fails loudly if
// it is ever called.
const noChildProcess = {
  name: 'commander-without-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes('/node_modules/commander/') ? { path: 'child_process', namespace: 'stub' } : undefined);
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: "const no = () => { throw new Error('whk does not run executable subcommands'); }; module.exports = { spawn: no, execFileSync: no };",
      loader: 'js',
    }));
  },
};

// In cli.js, the network commands are imported from their own bundle at run time.
const networkCommands = {
  name: 'network-commands-external',
  setup(b) {
    b.onResolve({ filter: /^\.\/commands\/(listen|send|replay|probe|history|inspect)\.js$/ }, (args) => ({ path: args.path, external: true }));
  },
};

// The definition engine and the reading of definition files (src/catalogue.ts) load only when a
// run has custom schemes: in cli.js they are imported from their own file at run time.
const catalogueApart = {
  name: 'catalogue-external',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\/catalogue\.js$/ }, () => ({ path: './commands/catalogue.js', external: true }));
    // The providers' catalogue too: loaded when a run needs a provider the core does not have.
    b.onResolve({ filter: /^\.\.?\/providers\/index\.js$/ }, () => ({ path: './commands/providers.js', external: true }));
  },
};

// The inspector's page (src/inspect/page/): its script and style sheet built here, and the three
// files put in place of src/inspect/page-assets.ts as strings, so the CLI serves them from memory.
// Only the inspector's chunk holds them: `whk sign`, and `whk listen` without the inspector, never load it.
const pageFile = async (entry, loader) => (await build({ entryPoints: [entry], bundle: true, minify: true, write: false, format: 'iife', target: 'chrome110', loader, logLevel: 'warning' })).outputFiles[0].text;
const PAGE = {
  html: readFileSync('src/inspect/page/index.html', 'utf8'),
  js: await pageFile('src/inspect/page/main.ts'),
  css: await pageFile('src/inspect/page/style.css'),
};
const pageAssets = {
  name: 'inspector-page',
  setup(b) {
    b.onResolve({ filter: /\/page-assets\.js$/ }, () => ({ path: 'page-assets', namespace: 'inspector-page' }));
    b.onLoad({ filter: /.*/, namespace: 'inspector-page' }, () => ({ contents: `export const PAGE = ${JSON.stringify(PAGE)};`, loader: 'js' }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  external: ['undici', 'ora', '@ngrok/ngrok', 'chalk'],
  logLevel: 'warning',
};

await build({ ...common, format: 'cjs', entryPoints: ['src/cli.ts'], outfile: `${OUT}/bin/cli.cjs`, minifyWhitespace: true, minifySyntax: true, plugins: [noChildProcess, networkCommands, catalogueApart] });
await build({
  ...common,
  format: 'esm',
  // Some dependencies bundled here are CommonJS: give the ESM chunks a `require`.
  banner: { js: "import { createRequire as __whkRequire } from 'node:module'; const require = __whkRequire(import.meta.url);" },
  // The diagnosis worker sits beside the chunks, where src/listen/diagnosis.ts looks for it.
  entryPoints: {
    listen: 'src/commands/listen.ts', history: 'src/commands/history.ts', inspect: 'src/commands/inspect.ts', send: 'src/commands/send.ts', replay: 'src/commands/replay.ts', probe: 'src/commands/probe.ts',
    'diagnose-worker': 'src/listen/diagnose-worker.ts',
    catalogue: 'src/catalogue.ts',
    providers: 'src/providers/index.ts',
  },
  outdir: `${OUT}/bin/commands`,
  splitting: true,
  plugins: [pageAssets],
});

/** The files under `dir`, relative to it. */
const filesIn = (dir) => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => !e.isDirectory()).map((e) => relative(dir, join(e.parentPath ?? e.path, e.name)));

// Into place: every new file over its old self, then what the new build no longer has.
const fresh = new Set(filesIn(OUT));
for (const f of fresh) {
  mkdirSync(dirname(join('dist', f)), { recursive: true });
  renameSync(join(OUT, f), join('dist', f));
}
for (const f of filesIn('dist')) if (!fresh.has(f)) rmSync(join('dist', f), { force: true });
// Folders the new build left empty.
const folders = readdirSync('dist', { recursive: true, withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(e.parentPath ?? e.path, e.name));
for (const d of folders.sort((a, b) => b.length - a.length)) {
  try {
    rmdirSync(d);
  } catch {
    // not empty
  }
}
