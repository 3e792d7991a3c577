/**
 * Parses `k=v<sep>k=v` signature headers (Stripe `t=..,v1=..`, WealthKernel, Paddle `ts=..;h1=..`)
 * into key -> values. Never throws: junk entries are skipped.
 */
export function parseParams(header: string, sep: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of header.split(sep)) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (!v) continue;
    const list = out.get(k);
    if (list) list.push(v);
    else out.set(k, [v]);
  }
  return out;
}
