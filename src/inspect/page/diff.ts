/** Line and header differences between two deliveries, for "Compare". Pure. */

export type Line = { op: ' ' | '-' | '+'; text: string };

/** A line diff (longest common subsequence); null when the bodies are too large to diff this way. */
export function diffLines(a: string[], b: string[], maxCells = 4_000_000): Line[] | null {
  // Common head and tail first: a retry usually differs in a few lines.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) endA--, endB--;
  const x = a.slice(start, endA);
  const y = b.slice(start, endB);
  if (x.length * y.length > maxCells) return null;
  const w = y.length + 1;
  const t = new Uint32Array((x.length + 1) * w);
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) {
      t[i * w + j] = x[i] === y[j] ? t[(i + 1) * w + j + 1]! + 1 : Math.max(t[(i + 1) * w + j]!, t[i * w + j + 1]!);
    }
  }
  const out: Line[] = a.slice(0, start).map((text) => ({ op: ' ', text }));
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) out.push({ op: ' ', text: x[i++]! }), j++;
    else if (j < y.length && (i >= x.length || t[i * w + j + 1]! >= t[(i + 1) * w + j]!)) out.push({ op: '+', text: y[j++]! });
    else out.push({ op: '-', text: x[i++]! });
  }
  for (const text of a.slice(endA)) out.push({ op: ' ', text });
  return out;
}

export type HeaderChange = { name: string; left: string | null; right: string | null };

/** Headers that differ: changed, only on the left, only on the right (names compared lower-cased). */
export function diffHeaders(a: Record<string, string>, b: Record<string, string>): HeaderChange[] {
  const out: HeaderChange[] = [];
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)].map((k) => k.toLowerCase()))].sort();
  const get = (h: Record<string, string>, n: string) => {
    for (const k in h) if (k.toLowerCase() === n) return h[k]!;
    return null;
  };
  for (const n of names) {
    const [l, r] = [get(a, n), get(b, n)];
    if (l !== r) out.push({ name: n, left: l, right: r });
  }
  return out;
}

/** A body as lines to compare: JSON re-indented (so a key that changed is one line), other text as it is. */
export function bodyLines(body: string, encoding: 'utf8' | 'base64'): string[] {
  if (encoding === 'base64') return body.match(/.{1,76}/g) ?? [];
  try {
    return JSON.stringify(JSON.parse(body), null, 2).split('\n');
  } catch {
    return body.split('\n');
  }
}
