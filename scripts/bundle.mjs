// `npm run build`: ONE module graph (esbuild, ES modules, code splitting) for the program and the
// library, so each of their modules exists once in dist/, whoever loads it:
//  - dist/index.js: the library (`import 'whk'`), typed by dist/index.d.ts (tsc, declarations only);
//  - dist/bin/cli.js: the program, with the offline commands (sign, verify, schemes), loaded by
//    bin/whk.js; it loads the few chunks it shares with the library, and each command's own later;
//  - dist/bin/quick.cjs: the one exception, the quick path of `whk sign` / `whk verify` with a core
//    scheme (src/quick.ts): a CommonJS script of its own, without commander (see quickBuild below);
//  - dist/bin/commands/: what loads later, each only when a run needs it: the network commands
//    (listen, history, inspect, send, replay, probe), the diagnosis worker, the providers'
//    catalogue, the reading of scheme definitions (catalogue.js), and the chunks they all share.
// Heavy runtime dependencies (undici, ora, ngrok, chalk) stay external and load only where used.
//
// The build is written to dist.tmp-<pid>/, then moved into dist/ file by file (a rename over the
// old file), and the files of the old build that the new one lacks (chunks of another content)
// are deleted last. A whk running from the checkout meanwhile (a test run, a listener) finds the
// old file or the new one, never none; a build that fails leaves dist/ as it was.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { build } from 'esbuild';

const OUT = `dist.tmp-${process.pid}`;
rmSync(OUT, { recursive: true, force: true });
process.on('exit', () => rmSync(OUT, { recursive: true, force: true }));

/** The files under `dir`, relative to it. */
const filesIn = (dir) => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => !e.isDirectory()).map((e) => relative(dir, join(e.parentPath ?? e.path, e.name)));

/** tsc type-checks every file and writes the declarations (dist/index.d.ts and what it imports), meanwhile. */
function declarations() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const child = spawn(process.execPath, [tsc, '-p', 'tsconfig.json', '--emitDeclarationOnly', '--outDir', OUT], { stdio: 'inherit' });
  // A build that fails stops tsc too: left running, it would go on writing into OUT after the
  // exit handler removed it (found: a dist.tmp-<pid> left behind by a syntax error).
  process.on('exit', () => child.kill());
  return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
}

// commander is CommonJS: it require()s node: built-ins, which in an ES module would need esbuild's
// require shim and a `require` made with node:module. Its requires are answered at build time
// instead: node:events, node:path and node:fs by ES module re-exports, node:process by the global.
// node:child_process (for "executable" subcommands, which whk never uses; loading it pulls in net,
// dgram and more) by a stub that fails loudly if it is ever called.
const COMMANDER_BUILTINS = {
  'node:events': "export * from 'node:events';",
  'node:path': "export * from 'node:path';",
  'node:fs': "export * from 'node:fs';",
  'node:process': 'module.exports = process;',
  'node:child_process': "const no = () => { throw new Error('whk does not run executable subcommands'); }; module.exports = { spawn: no, execFileSync: no };",
};
const commanderBuiltins = {
  name: 'commander-builtins',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.importer.includes('/node_modules/commander/') ? { path: args.path, namespace: 'commander-builtin' } : undefined);
    b.onLoad({ filter: /.*/, namespace: 'commander-builtin' }, (args) => {
      if (!(args.path in COMMANDER_BUILTINS)) return { errors: [{ text: `commander requires ${args.path}: add it to COMMANDER_BUILTINS in scripts/bundle.mjs` }] };
      return { contents: COMMANDER_BUILTINS[args.path], loader: 'js' };
    });
  },
};

// The inspector's page (src/inspect/page/): its script and style sheet built here, and the three
// files put in place of src/inspect/page-assets.ts as strings, so the CLI serves them from memory.
// Only the inspector's chunk holds them: `whk sign`, and `whk listen` without the inspector, never load it.
const pageFile = async (entry, loader) => (await build({ entryPoints: [entry], bundle: true, minify: true, write: false, format: 'iife', target: 'chrome110', loader, logLevel: 'warning' })).outputFiles[0].text;
const inspectorPage = {
  name: 'inspector-page',
  setup(b) {
    b.onResolve({ filter: /\/page-assets\.js$/ }, () => ({ path: 'page-assets', namespace: 'inspector-page' }));
    b.onLoad({ filter: /.*/, namespace: 'inspector-page' }, async () => {
      const page = { html: readFileSync('src/inspect/page/index.html', 'utf8'), js: await pageFile('src/inspect/page/main.ts'), css: await pageFile('src/inspect/page/style.css') };
      return { contents: `export const PAGE = ${JSON.stringify(page)};`, loader: 'js' };
    });
  },
};

// The parts loaded when a run needs them, by the name of their file in dist/bin/commands/. The
// diagnosis worker sits beside the chunks: src/listen/diagnosis.ts finds it at ./diagnose-worker.js
// from the chunk that holds it (checked below).
const LATER = {
  sign: 'src/commands/sign.ts',
  verify: 'src/commands/verify.ts',
  schemes: 'src/commands/schemes.ts',
  listen: 'src/commands/listen.ts',
  history: 'src/commands/history.ts',
  inspect: 'src/commands/inspect.ts',
  send: 'src/commands/send.ts',
  replay: 'src/commands/replay.ts',
  probe: 'src/commands/probe.ts',
  'diagnose-worker': 'src/listen/diagnose-worker.ts',
  catalogue: 'src/catalogue.ts',
  providers: 'src/providers/index.ts',
};

const bundled = build({
  entryPoints: {
    index: 'src/index.ts',
    'bin/cli': 'src/cli.ts',
    ...Object.fromEntries(Object.entries(LATER).map(([name, src]) => [`bin/commands/${name}`, src])),
  },
  chunkNames: 'bin/commands/chunk-[hash]',
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['undici', 'ora', '@ngrok/ngrok', 'chalk'],
  // Not minified: measured, it saves no start-up time (what costs is the number of files), and
  // the output stays readable (--debug's stacks, a reader of dist/).
  write: false,
  logLevel: 'warning',
  plugins: [commanderBuiltins, inspectorPage],
});

// The quick path of `whk sign` and `whk verify` (src/quick.ts): one CommonJS script, no commander,
// which bin/whk.js tries first (start-up is measured: on Node 20 an ES module entry alone costs
// about 0.1× of `node -e ''`). It handles core schemes only, so what the program loads later
// (the catalogue, definitions, the config folder's reader) stays out of it: such an import()
// here fails loudly if it is ever reached, instead of carrying a second copy of those modules.
const notQuick = {
  name: 'not-in-the-quick-path',
  setup(b) {
    b.onResolve({ filter: /^\./ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, namespace: 'not-quick' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'not-quick' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`the quick path of sign and verify loaded ${args.path}: leave such runs to the program (src/quick.ts)`)});`,
      loader: 'js',
    }));
  },
};
// In the quick path, a provider's code loads only when its scheme is asked for: src/providers/core.ts
// is replaced by one that require()s each provider's file when first asked for (esbuild then
// compiles it as a function that runs on first use). Its imports say which files: one provider
// a file, named as its scheme (checked by test/quick/quick.test.ts).
const lazyCore = {
  name: 'lazy-core',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]providers[\\/]core\.ts$/ }, (args) => {
      const files = [...readFileSync(args.path, 'utf8').matchAll(/^import \{ (\w+) \} from '\.\/([\w-]+)\.js';$/gm)];
      if (files.length === 0) return { errors: [{ text: 'lazy-core: src/providers/core.ts imports no provider: see scripts/bundle.mjs' }] };
      const load = files.map(([, id, file]) => `  ${JSON.stringify(file)}: () => require('./${file}.ts').${id},`).join('\n');
      return {
        loader: 'js',
        resolveDir: dirname(args.path),
        contents: `const load = {\n${load}\n};\nexport const coreScheme = (name) => { const l = name.toLowerCase(); return Object.hasOwn(load, l) ? load[l]() : undefined; };\nexport const isCore = (name) => coreScheme(name) !== undefined;\n`,
      };
    });
  },
};
const quickBuild = build({
  // Entered through require(), so that esbuild makes every module a function run on first use:
  // V8 then compiles only what the run calls (measured: ~0.5 ms less to compile).
  stdin: { contents: "module.exports = require('./src/quick.ts');", resolveDir: process.cwd(), sourcefile: 'quick-entry.cjs', loader: 'js' },
  outfile: join(OUT, 'bin/quick.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['undici', 'ora', '@ngrok/ngrok', 'chalk', 'commander'],
  write: false,
  logLevel: 'warning',
  plugins: [notQuick, lazyCore],
});

const [tscCode, { outputFiles: graph }, { outputFiles: quickFiles }] = await Promise.all([declarations(), bundled, quickBuild]);
const outputFiles = [...graph, ...quickFiles];
if (tscCode !== 0) process.exit(tscCode);

// Of the declarations, only the library's are kept: dist/index.d.ts and what it imports.
const typed = new Set();
const keep = (file) => {
  if (typed.has(file)) return;
  typed.add(file);
  for (const m of readFileSync(file, 'utf8').matchAll(/(?:from |import\()['"](\.[^'"]+)\.js['"]/g)) keep(join(dirname(file), `${m[1]}.d.ts`));
};
keep(join(OUT, 'index.d.ts'));
for (const f of filesIn(OUT)) if (!typed.has(join(OUT, f))) rmSync(join(OUT, f));

for (const f of outputFiles) {
  mkdirSync(dirname(f.path), { recursive: true });
  writeFileSync(f.path, f.text);
}

// A CommonJS dependency that require()s at run time would fail there ("Dynamic require of ... is
// not supported"): said now.
const requiring = outputFiles.find((f) => f.text.includes('Dynamic require of "'));
if (requiring) {
  console.error(`build: ${basename(requiring.path)} calls require() at run time: answer it at build time, as COMMANDER_BUILTINS does`);
  process.exit(1);
}

// The quick path must not load commander (it would cost what it saves).
if (quickFiles.some((f) => /require\(["']commander["']\)/.test(f.text))) {
  console.error('build: dist/bin/quick.cjs requires commander: src/quick.ts must reach only commander-free modules');
  process.exit(1);
}

// The worker must sit beside the file that holds src/listen/diagnosis.ts.
const worker = outputFiles.find((f) => f.text.includes('"./diagnose-worker.js"'));
if (!worker || dirname(worker.path) !== join(process.cwd(), OUT, 'bin/commands')) {
  console.error(`build: the diagnosis worker is not beside ${worker ? basename(worker.path) : 'the listener'}: see LATER in scripts/bundle.mjs`);
  process.exit(1);
}

// Into place: the chunks first (named by their content: new names, or the same bytes), then the
// files that import them, each over its old self; last, what the new build no longer has.
const fresh = new Set(filesIn(OUT));
const chunk = (f) => basename(f).startsWith('chunk-');
for (const f of [...fresh].sort((a, b) => chunk(b) - chunk(a))) {
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
