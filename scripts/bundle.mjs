// Bundles the CLI into dist/bin/ (one file per lazily loaded command) so `whk sign` starts in a
// few module loads instead of ~30: start-up is part of the product (npm run bench measures it).
// The library API (dist/index.js) stays tsc's plain output. Heavy runtime dependencies stay
// external and are imported only by the commands that need them.
import { build } from 'esbuild';

// commander requires node:child_process at load time for "executable" subcommands, which whk
// never uses; loading it pulls in net, dgram and more (~3 ms of a ~50 ms start). Give commander
// a stub that fails loudly if it is ever called.
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

await build({
  entryPoints: ['src/cli.ts'],
  outdir: 'dist/bin',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['undici', 'ora', '@ngrok/ngrok', 'autocannon'],
  // commander is CommonJS: give the ESM bundle a `require` for its node: built-ins.
  banner: { js: "import { createRequire as __whkRequire } from 'node:module'; const require = __whkRequire(import.meta.url);" },
  plugins: [noChildProcess],
  logLevel: 'warning',
});
