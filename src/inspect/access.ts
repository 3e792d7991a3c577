import { randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Who may use the inspector: whoever holds the run's key. The key is printed only to the
 * listener's own terminal and ready record (`inspectUrl`: http://127.0.0.1:<port>/?key=<key>);
 * opening that address trades it for an HttpOnly, SameSite=Strict cookie and sends the browser
 * on to `/`, so the key leaves the address bar and the browser's history. Scripts on the same
 * machine send it as `Authorization: Bearer <key>`. Pure functions, but for `newKey`.
 */

/** 32 random bytes, base64url: 43 characters that fit in a URL as they are. */
export const newKey = (): string => randomBytes(32).toString('base64url');

/** Whether `given` is the key, in constant time (the length is no secret). */
export function isKey(given: string | undefined, key: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** One cookie per port: two inspectors on one machine (listen and inspect) do not overwrite each other's. */
export const cookieName = (port: number): string => `whk_inspector_${port}`;

/** The Set-Cookie value that holds the key for the page (no Max-Age: gone when the browser closes). */
export const keyCookie = (port: number, key: string): string => `${cookieName(port)}=${key}; HttpOnly; SameSite=Strict; Path=/`;

/** The key in a request's `Authorization: Bearer <key>` header (scripts). */
export const bearerKey = (authorization: string | undefined): string | undefined => /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];

/** The key in a request's inspector cookie (the page). */
export function cookieKey(cookie: string | undefined, port: number): string | undefined {
  const name = `${cookieName(port)}=`;
  for (const part of (cookie ?? '').split(';')) {
    const p = part.trim();
    if (p.startsWith(name)) return p.slice(name.length);
  }
  return undefined;
}

/** What a request without the key is told: where the key is, never the key. */
export const noKey = (port: number): string =>
  `the inspector needs its key: open the address whk printed when it started (http://127.0.0.1:${port}/?key=..., on its terminal and in its ready record as inspectUrl)`;

export const noKeyPage = (port: number): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>whk inspector: key needed</title></head>
<body><h1>whk inspector: key needed</h1>
<p>This inspector answers only to the address whk printed when it started:
<code>http://127.0.0.1:${port}/?key=...</code>, on the terminal where whk runs (and in its NDJSON ready
record, as <code>inspectUrl</code>). Open that address: it lets this browser in.</p>
<p>The inspector of an earlier run? Each run has a key of its own.</p></body></html>
`;
