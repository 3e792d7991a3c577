// `npm run sea`: whk as ONE executable for people without Node, for the platform this runs on:
// Node's single-executable application (https://nodejs.org/api/single-executable-applications.html).
// Output: dist-sea/whk (dist-sea/whk.exe on Windows). Built from the npm package's own build
// (dist/, `npm run build` first: the "sea" script does it), in four steps:
//  1. esbuild bundles the launcher (bin/whk.js), the build it loads and the runtime dependencies
//     into one CommonJS script, which is what a single-executable application runs: no code
//     splitting, every dynamic import() inlined (a require() of the bundle's own modules).
//     The diagnosis worker cannot be a file beside the executable: the worker's code, bundled into
//     one ES module, goes in as a data: URL in place of its file's URL. Any other `import.meta.url`
//     means the executable itself. ngrok's agent is a native module: it stays out (the listener
//     says so for --tunnel ngrok in the executable).
//  2. `node --experimental-sea-config` writes the preparation blob from that script, with V8's code
//     cache (measured: start-up then as quick as the npm package's).
//  3. A copy of this node binary gets the blob injected by postject (pure JS, no download).
//  4. macOS: the copy's signature is removed before and an ad-hoc one made after, as Node's docs say.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, transform } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
process.chdir(ROOT);

const OUT = 'dist-sea';
const WIN = process.platform === 'win32';
const MAC = process.platform === 'darwin';
const EXE = join(OUT, WIN ? 'whk.exe' : 'whk');
const SCRIPT = join(OUT, 'whk.cjs');
const BLOB = join(OUT, 'whk.blob');
const CONFIG = join(OUT, 'sea-config.json');
// The fuse Node's binaries carry for this (the value from Node's docs).
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
// Where the listener's chunk names the diagnosis worker's file (src/listen/diagnosis.ts, built).
const WORKER_URL = 'new URL("./diagnose-worker.js", import.meta.url)';

const fail = (message) => {
  console.error(`sea: ${message}`);
  process.exit(1);
};

/** The diagnosis worker and what it imports, as one ES module in a data: URL. */
async function workerDataUrl() {
  const { outputFiles } = await build({ entryPoints: ['dist/bin/commands/diagnose-worker.js'], absWorkingDir: ROOT, bundle: true, write: false, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' });
  return `data:text/javascript;base64,${Buffer.from(outputFiles[0].text).toString('base64')}`;
}

/** Step 1: the one CommonJS script. */
async function bundle() {
  const workerUrl = await workerDataUrl();
  let workers = 0;
  const inlineWorker = {
    name: 'inline-diagnosis-worker',
    setup(b) {
      b.onLoad({ filter: /[\\/]dist[\\/]bin[\\/].+\.js$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes(WORKER_URL)) return undefined;
        workers++;
        return { contents: text.replaceAll(WORKER_URL, `new URL(${JSON.stringify(workerUrl)})`), loader: 'js' };
      });
    },
  };
  const { outputFiles, warnings } = await build({
    entryPoints: ['bin/whk.js'],
    absWorkingDir: ROOT,
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // A single-executable application's script cannot import(): esbuild turns each into a require().
    supported: { 'dynamic-import': false },
    external: ['@ngrok/ngrok'],
    define: { 'import.meta.url': '__whk_sea_url' },
    banner: { js: 'var __whk_sea_url = require("node:url").pathToFileURL(__filename).href;' },
    logLevel: 'silent',
    plugins: [inlineWorker],
  });
  if (warnings.length) fail(`esbuild: ${warnings.map((w) => w.text).join('; ')}`);
  if (workers !== 1) fail(`the diagnosis worker's URL (${WORKER_URL}) was found in ${workers} files of dist/bin, not 1: see src/listen/diagnosis.ts`);
  const text = outputFiles[0].text;
  // Read without its comments (undici's JSDoc says `import('net')`).
  const code = (await transform(text, { minifyWhitespace: true, logLevel: 'silent' })).code;
  if (/(?<![\w$.])import\(/.test(code)) fail('the bundle still calls import(): a single-executable application cannot');
  writeFileSync(SCRIPT, text);
}

/** Steps 2 to 4: the blob, the copy of node, the injection. */
async function executable() {
  writeFileSync(CONFIG, JSON.stringify({ main: SCRIPT, output: BLOB, disableExperimentalSEAWarning: true, useCodeCache: true }));
  try {
    execFileSync(process.execPath, ['--experimental-sea-config', CONFIG], { stdio: 'pipe' });
  } catch (e) {
    fail(`node --experimental-sea-config: ${String(e.stderr || e.message).trim()}`);
  }
  copyFileSync(process.execPath, EXE);
  chmodSync(EXE, 0o755);
  if (MAC) execFileSync('codesign', ['--remove-signature', EXE]);
  const { inject } = createRequire(import.meta.url)('postject');
  await inject(EXE, 'NODE_SEA_BLOB', readFileSync(BLOB), { sentinelFuse: FUSE, ...(MAC ? { machoSegmentName: 'NODE_SEA' } : {}) });
  if (MAC) execFileSync('codesign', ['--sign', '-', EXE]);
}

if (!existsSync('dist/bin/cli.js') || !existsSync('dist/bin/commands/diagnose-worker.js')) fail('no build in dist/: run `npm run sea` (it builds first)');
if (!readFileSync(process.execPath).includes(FUSE)) fail(`this node (${process.execPath}) has no single-executable fuse: use an official Node.js build`);
const started = Date.now();
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
await bundle();
await executable();
for (const f of [SCRIPT, BLOB, CONFIG]) rmSync(f);
console.log(`sea: ${EXE} (node ${process.version}, ${process.platform}-${process.arch}) in ${((Date.now() - started) / 1000).toFixed(1)}s`);
