/**
 * The package as users get it: `npm pack` (what `npm publish` uploads), then `npm install` of the
 * tarball into a fresh project, then the installed `node_modules/.bin/whk`. No network: the
 * project starts with a lockfile that pins whk's runtime dependencies as ours does, so npm takes
 * them from its cache (filled by `npm ci`) and resolves nothing. (`npm test` builds dist/ first;
 * packing here skips prepack's second build.)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; dependencies: Record<string, string> };
const scratch = mkdtempSync(join(tmpdir(), 'whk-package-'));
const project = join(scratch, 'project');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// npm run by the test, not by the npm that runs the tests: none of its settings, no update check.
const npmEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || /^npm_config_cache$/i.test(k)));
const npm = (args: string[], cwd: string) => spawnSync('npm', args, { cwd, encoding: 'utf8', env: { ...npmEnv, npm_config_update_notifier: 'false', NO_COLOR: '1' } });

let packed: { filename: string; files: Array<{ path: string }> };
let install: ReturnType<typeof npm>;

beforeAll(() => {
  [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], { cwd: ROOT, encoding: 'utf8', env: npmEnv })) as [typeof packed];
  // A new project whose lockfile holds whk's runtime dependencies, pinned as in ours.
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const runtime = Object.entries(lock.packages).filter(([path, p]) => path !== '' && !p.dev);
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-app', version: '1.0.0', private: true }));
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify({ name: 'my-app', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'my-app', version: '1.0.0' }, ...Object.fromEntries(runtime) } }));
  install = npm(['install', join(scratch, packed.filename), '--offline'], project);
}, 120_000);

const installedWhk = (args: string[]) => spawnSync(join(project, 'node_modules/.bin/whk'), args, { cwd: project, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', WHK_SECRET: undefined } });

describe('npm pack', () => {
  it('holds the launcher, the build, the schemas, README, LICENSE and package.json: no tests, benches, sources or fakes', () => {
    const files = packed.files.map((f) => f.path);
    for (const f of ['LICENSE', 'README.md', 'package.json', 'bin/whk.js', 'dist/bin/cli.js', 'dist/index.js', 'dist/index.d.ts']) expect(files).toContain(f);
    expect(files.filter((f) => !/^(bin|dist)\/|^(LICENSE|README\.md|package\.json|schemes\.schema\.json|whk\.schema\.json)$/.test(f))).toEqual([]);
    expect(files.filter((f) => /^(test|bench|src|scripts|docs|examples)\//.test(f) || /fake|\.test\./i.test(f))).toEqual([]);
  });

  it('the built code holds no test helper (the fake tunnel, the test registry)', () => {
    const dist = join(project, 'node_modules/whk/dist');
    const text = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(dist, f), 'utf8')).join('\n');
    expect(text).not.toMatch(/fakeTunnel|test\/helpers|vitest/);
  });

  it('LICENSE is MIT; package.json says where the project lives', () => {
    const license = readFileSync(join(project, 'node_modules/whk/LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 whk contributors\n/);
    const meta = JSON.parse(readFileSync(join(project, 'node_modules/whk/package.json'), 'utf8'));
    expect(meta).toMatchObject({
      license: 'MIT',
      repository: { type: 'git', url: 'git+https://github.com/whk-cli/whk.git' },
      homepage: 'https://github.com/whk-cli/whk#readme',
      bugs: { url: 'https://github.com/whk-cli/whk/issues' },
    });
    expect(meta.keywords).toEqual(expect.arrayContaining(['webhook', 'cli', 'signature']));
  });

  it("the README's images show on the registry's page: each one in the package or linked absolutely", () => {
    const readme = readFileSync(join(project, 'node_modules/whk/README.md'), 'utf8');
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)/g), ...readme.matchAll(/<img\s[^>]*src="([^"]+)"/g)].map((m) => m[1]!);
    expect(images.length).toBeGreaterThan(0);
    const files = packed.files.map((f) => f.path);
    expect(images.filter((src) => !/^https:\/\//.test(src) && !files.includes(src.replace(/^\.\//, '')))).toEqual([]);
  });
});

describe('npm install <tarball> in a project', () => {
  it('installs with no warning, offline', () => {
    expect(install.status, install.stderr).toBe(0);
    expect(install.stderr).not.toMatch(/npm warn/i);
    expect(install.stdout).toMatch(/added \d+ packages/);
    expect(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).dependencies.whk).toMatch(/^file:/);
  });

  it('node_modules/.bin/whk runs: --version, sign (checked against node:crypto), and send loads its network code', () => {
    const version = installedWhk(['--version']);
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);
    const body = '{"action":"opened"}';
    const signed = installedWhk(['sign', '--scheme', 'github', '--secret', 'pkg-s3cret', '--body', body]);
    expect(signed.status, signed.stderr).toBe(0);
    expect(signed.stdout).toContain(`X-Hub-Signature-256: sha256=${createHmac('sha256', 'pkg-s3cret').update(body).digest('hex')}`);
    // Nothing listens on port 9: exit 3 with one line, from undici, installed as a dependency.
    const sent = installedWhk(['send', 'http://127.0.0.1:9/', '--scheme', 'github', '--secret', 'pkg-s3cret', '--timeout', '5s']);
    expect(sent.status, sent.stderr).toBe(3);
    expect(sent.stderr).toMatch(/connection refused/);
  });
});
