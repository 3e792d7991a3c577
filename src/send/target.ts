/**
 * Where a request goes: the --forward-to URL with the request's path below --path appended,
 * and the query strings of both. `/` below --path adds nothing, so `--forward-to
 * http://localhost:3000/webhooks` receives a POST to `/` at `/webhooks`.
 */
export function forwardUrl(base: string, listenPath: string, requestPath: string): string {
  const target = new URL(base);
  const q = requestPath.indexOf('?');
  let rest = q === -1 ? requestPath : requestPath.slice(0, q);
  const query = q === -1 ? '' : requestPath.slice(q + 1);
  const prefix = listenPath.replace(/\/+$/, '');
  if (prefix && rest.startsWith(prefix)) rest = rest.slice(prefix.length);
  if (rest !== '' && rest !== '/') target.pathname = target.pathname.replace(/\/+$/, '') + (rest.startsWith('/') ? rest : `/${rest}`);
  if (query) target.search = target.search ? `${target.search}&${query}` : `?${query}`;
  return target.toString();
}
