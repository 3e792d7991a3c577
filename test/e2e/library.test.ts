/**
 * The library API (dist/index.js, what `import 'whk'` gives) must load only node: built-ins and
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
  it('imports nothing but node: built-ins', () => {
    const { seen, external } = importGraph(entry);
    expect(seen.size).toBeGreaterThan(10);
    expect([...external].filter((s) => !s.startsWith('node:'))).toEqual([]);
  });

  it('exports sign, verify, detectScheme and schemes', async () => {
    const lib = await import(entry);
    expect(typeof lib.sign).toBe('function');
    expect(typeof lib.verify).toBe('function');
    expect(lib.detectScheme({ 'Stripe-Signature': 't=1,v1=00' })).toEqual(['stripe']);
    expect(lib.schemes.length).toBe(16);
  });
});
