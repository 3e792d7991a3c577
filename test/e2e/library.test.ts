/**
 * The library API (dist/index.js, what `import 'whk'` gives) must load only node: built-ins and
 * its own files (chunks it shares with the CLI): none of the CLI's dependencies. The built import
 * graph is read by esbuild (a parser, not a pattern: the build is minified), dynamic imports too.
 * dist/index.d.ts must type what dist/index.js exports, for a user's `import ... from 'whk'`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const entry = join(ROOT, 'dist/index.js');

/** The files dist/index.js reaches, and the modules outside them it imports (statically or not). */
async function importGraph(file: string) {
  const { metafile } = await build({ entryPoints: [file], bundle: true, write: false, metafile: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'silent' });
  const files = Object.keys(metafile.inputs);
  const external = new Set(Object.values(metafile.inputs).flatMap((i) => i.imports.filter((m) => m.external).map((m) => m.path)));
  return { files, external: [...external] };
}

const scratch = (() => {
  mkdirSync(join(ROOT, 'test/artifacts'), { recursive: true });
  return mkdtempSync(join(ROOT, 'test/artifacts/library-'));
})();
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Type-checks `source` as a user's file of this package would be (`import ... from 'whk'`): its
 * errors, and the names dist/index.d.ts exports.
 */
function typeCheck(source: string): { errors: string[]; declared: string[] } {
  const file = join(scratch, 'use.ts');
  writeFileSync(file, source);
  const program = ts.createProgram([file], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true, skipLibCheck: true, types: ['node'] });
  const errors = ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  const dts = program.getSourceFile(join(ROOT, 'dist/index.d.ts'));
  const checker = program.getTypeChecker();
  const module = dts && checker.getSymbolAtLocation(dts);
  return { errors, declared: module ? checker.getExportsOfModule(module).map((s) => s.name) : [] };
}

describe('library API', () => {
  it('imports nothing but node: built-ins (the CLI chunks it shares hold no commander, undici, chalk)', async () => {
    const { files, external } = await importGraph(entry);
    expect(files.length).toBeGreaterThan(5);
    expect(files.every((f) => f.startsWith('dist/'))).toBe(true);
    expect(external.filter((s) => !s.startsWith('node:'))).toEqual([]);
  });

  it('the same reading sees what a bundle imports: the CLI its chunks, the sender undici', async () => {
    const { files } = await importGraph(join(ROOT, 'dist/bin/cli.js'));
    expect(files.some((f) => f.startsWith('dist/bin/commands/chunk-'))).toBe(true);
    expect((await importGraph(join(ROOT, 'dist/bin/commands/send.js'))).external).toContain('undici');
  });

  it('dist/index.d.ts types every export of dist/index.js, through the package name', async () => {
    const lib = await import(entry);
    const { errors, declared } = typeCheck([
      "import { sign, verify, schemes, WhkError, type Verdict } from 'whk';",
      "const headers: Record<string, string> = sign('github', { body: '{}', secrets: ['s'] });",
      "const verdict: Verdict = verify('auto', { body: '{}', headers, secrets: ['s'] });",
      'const names: string[] = schemes.map((s) => s.name);',
      "export const seen = [verdict.valid, names, new WhkError('x', 'y').exitCode];",
      '// The types say something (an untyped import would make this line an error): a number is not a body.',
      '// @ts-expect-error',
      "sign('github', { body: 42, secrets: ['s'] });",
    ].join('\n'));
    expect(errors).toEqual([]);
    expect(Object.keys(lib).filter((name) => !declared.includes(name))).toEqual([]);
  }, 60_000);

  it('exports sign, verify, detectScheme and schemes, over every provider (was: the 16 of the core)', async () => {
    const lib = await import(entry);
    expect(typeof lib.sign).toBe('function');
    expect(typeof lib.verify).toBe('function');
    expect(lib.detectScheme({ 'Stripe-Signature': 't=1,v1=00' })).toEqual(['stripe']);
    expect(lib.schemes.length).toBeGreaterThan(90);
    expect(lib.schemes.map((s: { name: string }) => s.name)).toContain('sentry');
    // A catalogue provider by name, and detected by 'auto' (checked against node:crypto by hand).
    const body = '{"action":"created"}';
    const headers = lib.sign('sentry', { body, secrets: ['sentry-s3cret'] });
    const { createHmac } = await import('node:crypto');
    expect(headers['Sentry-Hook-Signature']).toBe(createHmac('sha256', 'sentry-s3cret').update(body).digest('hex'));
    expect(lib.verify('auto', { body, headers, secrets: ['sentry-s3cret'] })).toMatchObject({ valid: true, scheme: 'sentry' });
    // Custom schemes: a registry of one's own.
    const acme = lib.defineScheme({ name: 'acme', hmac: 'sha256', header: 'X-Acme-Signature', encoding: 'hex' });
    const mine = lib.createRegistry([acme]);
    expect(mine.verify('auto', { body, headers: mine.sign('acme', { body, secrets: ['k'] }), secrets: ['k'] })).toMatchObject({ valid: true, scheme: 'acme' });
  });
});

describe('one module graph', () => {
  /** The built .js files (dist/) that define the class `name` (`class X` or, minified, `X=class`). */
  const definingFiles = (name: string) => readdirSync(join(ROOT, 'dist'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js') && new RegExp(`\\bclass ${name}\\b|\\b${name}\\s*=\\s*class\\b`).test(readFileSync(join(ROOT, 'dist', f), 'utf8')));

  // instanceof WhkError then holds across the CLI's chunks and the library with no brand.
  it('WhkError and Registry are each defined once, shared by the library, the CLI and its commands (was: three copies)', () => {
    expect(definingFiles('WhkError')).toHaveLength(1);
    expect(definingFiles('Registry')).toHaveLength(1);
  });
});

describe('the package (npm pack)', () => {
  it('holds what users need: the launcher, the build, the library\'s types, the schema; no test fake, no internal types', () => {
    const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' })) as Array<{ files: Array<{ path: string }> }>;
    const files = pack!.files.map((f) => f.path);
    for (const f of ['bin/whk.js', 'bin/package.json', 'dist/bin/cli.js', 'dist/index.js', 'dist/index.d.ts', 'schemes.schema.json', 'whk.schema.json', 'README.md', 'package.json']) expect(files).toContain(f);
    expect(files.filter((f) => !/^(bin\/|dist\/|(schemes|whk)\.schema\.json$|README\.md$|LICENSE|package\.json$)/.test(f))).toEqual([]);
    expect(files.filter((f) => /fake|test/i.test(f))).toEqual([]);
    // Declarations only for the library (was: every module's, dist/cli.d.ts and dist/tunnel/fake.d.ts too).
    expect(files.filter((f) => f.endsWith('.d.ts') && !/^dist\/(index|errors|schemes\/(definition\/)?[a-z-]+)\.d\.ts$/.test(f))).toEqual([]);
  });

  it('installing builds nothing (npm 11 warns of a package with a prepare script): the build runs when packing, and npm test builds once', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.prepare).toBeUndefined();
    expect(pkg.scripts.prepack).toBe('npm run build');
    expect(pkg.scripts.test).toMatch(/^npm run build && /);
    // CI installs (no build), then runs the README's test command (one build).
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8').split('\n').filter((l) => /^\s*[^#\s]/.test(l));
    expect(ci.filter((l) => /npm (run build|ci|install|test)/.test(l))).toEqual(['npm ci --no-audit --no-fund', 'npm install --no-audit --no-fund && npm test']);
  });

  it('in a clone, the README\'s npm install && npx whk listen works: the first run builds dist/, once', () => {
    const clone = mkdtempSync(join(tmpdir(), 'whk-clone-'));
    for (const f of ['bin', 'src', 'scripts', 'package.json', 'tsconfig.json']) cpSync(join(ROOT, f), join(clone, f), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
    const run = () => spawnSync(process.execPath, [join(clone, 'bin', 'whk.js'), '--version'], { encoding: 'utf8' });
    const first = run();
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    expect(first.stderr).toMatch(/^whk: building this clone first \(npm run build: once, a few seconds\)\n/);
    const second = run();
    expect([second.status, second.stderr]).toEqual([0, '']);
    rmSync(clone, { recursive: true, force: true });
  }, 120_000);

  it('a copy that was never built says so in one line, for the quick path and the program alike: exit 2', () => {
    const copy = mkdtempSync(join(tmpdir(), 'whk-unbuilt-'));
    cpSync(join(ROOT, 'bin'), join(copy, 'bin'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(copy, 'package.json'));
    for (const args of [['listen'], ['sign', '--scheme', 'github', '--secret', 's', '--body', 'x']]) {
      const r = spawnSync(process.execPath, [join(copy, 'bin', 'whk.js'), ...args], { encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`whk: this copy of whk is not built (no ${copy}/dist): run npm install, then npm run build, in ${copy}\n`);
    }
    rmSync(copy, { recursive: true, force: true });
  });
});
