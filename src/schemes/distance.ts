/**
 * How far apart two names are, for "did you mean": the edit distance where swapping two
 * neighbours counts as one edit ("hamc" -> "hmac"), bounded: past `max` it stops and answers
 * max + 1, so that names a sender chooses cost little however long they are.
 */
export function distance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let least = i;
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      cur[j] = d;
      if (d < least) least = d;
    }
    if (least > max) return max + 1;
    before = prev;
    prev = cur;
  }
  return Math.min(prev[b.length]!, max + 1);
}

/** The name of `names` nearest to `word`, when it is near enough to be a typo (a prefix counts as 1). */
export function closest(word: string, names: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestD = Infinity;
  for (const n of names) {
    const d = n.startsWith(word) || word.startsWith(n) ? 1 : distance(word, n, limit);
    if (d < bestD) [best, bestD] = [n, d];
  }
  return bestD <= limit ? best : undefined;
}
