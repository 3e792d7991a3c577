/**
 * The library API (dist/index.js, what `import 'whk'` gives) must load only node: built-ins, the
 * schema library of the definition format (@sinclair/typebox, for defineScheme's checks) and
 * its own files: none of the CLI's dependencies. Walks the built import graph.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

function importGraph(file: string, seen = new Set<string>(), external = new Set<string>()) {
  if (seen.has(file)) return { seen, external };
  seen.add(file);
  const src = readFileSync(file, 'utf8');
  for (const m of src.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    const spec = (m[1] ?? m[2])!;
    if (spec.startsWith('.')) importGraph(resolve(dirname(file), spec), seen, external);
    else external.add(spec);
  }
  return { seen, external };
}

describe('library API', () => {
  it('imports nothing but node: built-ins and the definition format\'s schema library: none of the CLI\'s dependencies', () => {
    const { seen, external } = importGraph(entry);
    expect(seen.size).toBeGreaterThan(10);
    expect([...external].filter((s) => !s.startsWith('node:') && !s.startsWith('@sinclair/typebox'))).toEqual([]);
  });

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
