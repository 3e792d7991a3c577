/**
 * Request paths against `--path`. A request target is normalized the way the app behind
 * `--forward-to` would resolve it (dot segments, percent-encoded ones, `//`) before it is matched,
 * so `/hooks/%2e%2e/admin` can never reach `/admin` through a listener that serves `/hooks`.
 */

/** `--path hooks//in/` -> `/hooks/in/`: a leading slash, no repeated ones. */
export function normalizePath(p: string): string {
  const withSlash = p.startsWith('/') ? p : `/${p}`;
  return withSlash.replace(/\/{2,}/g, '/');
}

export type PathCheck =
  /** `path`: the normalized path and the query as received, what is forwarded. */
  | { ok: true; path: string }
  | { ok: false; status: 400 | 404; why: string };

const DOT = /^(?:\.|%2e)$/i;
const DOTDOT = /^(?:\.|%2e){2}$/i;

/**
 * The request target (`req.url`) checked against the listener's prefix (`/hooks`, or '' for
 * `/`): 404 outside it, 400 for a target that would escape it or that an app could read as
 * another path (encoded slashes and backslashes, a dot segment above the root).
 */
export function checkRequestPath(target: string, prefix: string): PathCheck {
  let t = target;
  if (!t.startsWith('/')) {
    // absolute-form (`POST http://host/x HTTP/1.1`), as proxies send it; `*` and the rest are not paths
    if (!/^https?:\/\//i.test(t)) return { ok: false, status: 400, why: `"${t.slice(0, 80)}" is not a request path` };
    try {
      const u = new URL(t);
      t = u.pathname + u.search;
    } catch {
      return { ok: false, status: 400, why: `"${t.slice(0, 80)}" is not a request path` };
    }
  }
  const q = t.indexOf('?');
  const raw = q === -1 ? t : t.slice(0, q);
  const query = q === -1 ? '' : t.slice(q);
  if (/%2f|%5c|\\/i.test(raw)) return { ok: false, status: 400, why: 'an encoded slash or a backslash in the path' };
  // Tomcat and Spring drop a segment's `;parameters` before resolving it: `/hooks/..;/admin` is `/admin` to them.
  if (/(?:^|\/)(?:\.|%2e){1,2}(?:;|%3b)/i.test(raw)) return { ok: false, status: 400, why: 'a dot segment with parameters (..;), which Tomcat and Spring read as ..' };
  const out: string[] = [];
  const segments = raw.split('/');
  for (let i = 1; i < segments.length; i++) {
    const s = segments[i]!;
    if (s === '' && i < segments.length - 1) continue; // `//`
    if (DOT.test(s)) {
      if (i === segments.length - 1) out.push('');
      continue;
    }
    if (DOTDOT.test(s)) {
      if (out.length === 0) return { ok: false, status: 400, why: 'a ".." segment above the root' };
      out.pop();
      if (i === segments.length - 1) out.push('');
      continue;
    }
    out.push(s);
  }
  const path = `/${out.join('/')}`;
  if (prefix !== '' && !under(path, prefix)) {
    // A target that starts under the prefix and leaves it through dot segments is an attack, not a typo.
    return under(raw.replace(/\/{2,}/g, '/'), prefix)
      ? { ok: false, status: 400, why: `the path leaves ${prefix} through dot segments` }
      : { ok: false, status: 404, why: 'outside' };
  }
  return { ok: true, path: path + query };
}

/** `/hooks` covers /hooks, /hooks/ and /hooks/x, not /hooksx. */
function under(path: string, prefix: string): boolean {
  if (!path.startsWith(prefix)) return false;
  const next = path.charCodeAt(prefix.length);
  return Number.isNaN(next) || next === 47 /* / */;
}

/** The path without its query, for messages. */
export const pathOnly = (u: string) => {
  const q = u.indexOf('?');
  return q === -1 ? u : u.slice(0, q);
};
