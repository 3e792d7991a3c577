/** Nearest-rank percentile of ascending `sorted` (p in 0..100); NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.ceil((p / 100) * n);
  return sorted[Math.min(n, Math.max(1, rank)) - 1]!;
}

export interface LatencySummary {
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Latency figures in ms, rounded to 0.01 ms; null when nothing was answered. */
export function latencySummary(samples: ArrayLike<number>): LatencySummary | null {
  const n = samples.length;
  if (n === 0) return null;
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  const r = (x: number) => Math.round(x * 100) / 100;
  return { min: r(sorted[0]!), mean: r(sum / n), p50: r(percentile(sorted, 50)), p90: r(percentile(sorted, 90)), p99: r(percentile(sorted, 99)), max: r(sorted[n - 1]!) };
}

/** Counts by key, keys in ascending order. */
export function histogram(keys: Iterable<string | number>): Record<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(String(k), (m.get(String(k)) ?? 0) + 1);
  return Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })));
}
