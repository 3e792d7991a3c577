/**
 * Parses `k=v<sep>k=v` signature headers (Stripe `t=..,v1=..`, WealthKernel, Paddle `ts=..;h1=..`)
 * into key -> values. Never throws: junk entries are skipped.
 */
export function parseParams(header: string, sep: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  // One pass of index searches (the listener's hot path): no array of parts, a trim only where needed.
  for (let at = 0; at <= header.length; ) {
    let end = header.indexOf(sep, at);
    if (end === -1) end = header.length;
    const eq = header.indexOf('=', at);
    if (eq > at && eq < end) {
      const k = trimmed(header.slice(at, eq));
      const v = trimmed(header.slice(eq + 1, end));
      if (k && v) {
        const list = out.get(k);
        if (list) list.push(v);
        else out.set(k, [v]);
      }
    }
    at = end + 1;
  }
  return out;
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
const trimmed = (s: string) => (s.length > 0 && (isSpace(s.charCodeAt(0)) || isSpace(s.charCodeAt(s.length - 1))) ? s.trim() : s);
