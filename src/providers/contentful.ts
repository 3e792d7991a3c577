import { createHmac } from 'node:crypto';
import { hmacKey } from '../schemes/hmac.js';
import { usage } from '../errors.js';
import { requireUrl } from '../schemes/fields.js';
import type { Delivery, Scheme, Secret } from '../schemes/types.js';
import { checkTimestamp, invalid, malformed, matchSecret, noMatch, valid } from '../schemes/verdict.js';
import { hexChars } from './ids.js';
import type { Sample, SampleContext, Samples } from '../schemes/samples.js';

/**
 * Contentful webhook request verification: https://www.contentful.com/developers/docs/webhooks/request-verification/
 * and the official toolkit (@contentful/node-apps-toolkit, src/requests/sign-request.ts, utils.ts,
 * verify-request.ts: `signRequest`, `verifyRequest`):
 * - Signing is enabled per space by creating a WebhookSigningSecret: exactly 64 characters of
 *   `[0-9a-zA-Z+/=_-]`, used as text.
 * - Headers: `x-contentful-signature` (hex HMAC-SHA256), `x-contentful-signed-headers` (the
 *   comma-separated names of the headers signed) and `x-contentful-timestamp` (epoch
 *   milliseconds).
 * - What is signed is the canonical request, four parts joined with "\n": the method; the path
 *   with its query, normalized (the query escaped as `querystring.escape` / encodeURIComponent
 *   does, then `encodeURI` over the whole, so a `%` of the query is escaped twice: only the text
 *   between the first and a second `?` counts); `name:value` pairs joined with ";" for the headers
 *   listed in x-contentful-signed-headers (names lower-cased and values trimmed, sorted by name,
 *   always including x-contentful-signed-headers itself, with the sorted list as its value, and
 *   x-contentful-timestamp, with the number as it parses); and the body.
 * - `verifyRequest` refuses a request whose timestamp is 30 s old or more (its default TTL; too
 *   old only: a timestamp in the future passes). whk does the same (`--tolerance` changes it).
 * - The path is the request path + query at the receiver, no host: whk takes it from the URL the
 *   delivery was sent to (listen: the request's own; sign/verify: `--url`, a full URL or a path).
 *   The method is POST for webhooks unless told otherwise.
 * - whk signs the headers given with the delivery (`--header`) besides its own two; Contentful
 *   also sends Content-Type (application/vnd.contentful.management.v1+json), X-Contentful-Topic
 *   (ContentManagement.<Type>.<action>) and X-Contentful-Webhook-Name, which a receiver checks
 *   only where they are listed.
 */
const SIGNATURE = 'x-contentful-signature';
const SIGNED = 'x-contentful-signed-headers';
const TIMESTAMP = 'x-contentful-timestamp';

/** The path of a URL (or a path) as received: no scheme, host or fragment, nothing re-encoded. */
export const pathOf = (url: string): string => {
  const rest = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').replace(/#.*$/s, '');
  return rest === '' ? '/' : rest;
};

/** The toolkit's normalized path; undefined when it cannot be encoded (a lone surrogate). */
export function normalizedPath(path: string): string | undefined {
  const [pathname, search] = path.split('?');
  try {
    const escaped = search ? encodeURIComponent(search) : '';
    return encodeURI(escaped ? `${pathname}?${escaped}` : pathname!);
  } catch {
    return undefined;
  }
}

/** The hex HMAC of the canonical request; `headers` are already picked, lower-cased and trimmed. */
function canonicalHmac(secret: Secret, method: string, path: string, headers: Map<string, string>, body: Uint8Array | string): string {
  const names = [...headers.keys()].sort();
  const h = createHmac('sha256', hmacKey(secret));
  h.update(`${method}\n${path}\n${names.map((n) => `${n}:${headers.get(n)}`).join(';')}\n`);
  h.update(body);
  return h.digest('hex');
}

/** The signed headers as the toolkit arranges them: the list and the timestamp added and rewritten. */
function arrange(headers: Map<string, string>, ms: number): { headers: Map<string, string>; list: string } {
  const out = new Map(headers);
  out.set(TIMESTAMP, String(ms));
  out.set(SIGNED, '');
  const list = [...out.keys()].sort().join(',');
  out.set(SIGNED, list);
  return { headers: out, list };
}

const methodOf = (m: string | undefined) => (m ?? 'POST').toUpperCase();

const sample = (topic: string, description: string, body: (ctx: SampleContext) => Record<string, unknown>): Sample => ({
  event: topic,
  description,
  topic,
  // Contentful posts compact JSON.
  body: (ctx) => JSON.stringify(body(ctx)),
});

const SPACE = { sys: { type: 'Link', linkType: 'Space', id: 'yadj1kx9rmg0' } };
const ENV = { sys: { id: 'master', type: 'Link', linkType: 'Environment' } };
const USER = { sys: { type: 'Link', linkType: 'User', id: '4FLrUHftHW3v2BLi9fzfjU' } };

const entrySys = (ctx: SampleContext, version: number, extra: Record<string, unknown> = {}) => ({
  type: 'Entry', id: ctx.id, space: SPACE, environment: ENV,
  contentType: { sys: { type: 'Link', linkType: 'ContentType', id: 'blogPost' } },
  createdBy: USER, updatedBy: USER, revision: 1, version, createdAt: ctx.created, updatedAt: ctx.created, ...extra,
});
const FIELDS = { title: { 'en-US': 'Hello, Contentful', 'de-DE': 'Schöne Grüße' }, slug: { 'en-US': 'hello-contentful' } };

const samples: Samples = {
  scheme: 'contentful',
  contentType: 'application/vnd.contentful.management.v1+json',
  // Contentful ids: 22 characters (base62).
  newId: () => hexChars(22),
  headers: (ctx, s) => ({
    'X-Contentful-Topic': s.topic!,
    'X-Contentful-Webhook-Name': 'Build site',
    'X-Contentful-Webhook-Request-Attempt': String(ctx.attempt),
    'X-Contentful-CRN': `crn:contentful:::content:spaces/yadj1kx9rmg0/environments/master/entries/${ctx.id}`,
  }),
  events: [
    sample('ContentManagement.Entry.publish', 'an entry was published', (ctx) => ({
      metadata: { tags: [] },
      sys: entrySys(ctx, 3, { publishedVersion: 2, publishedCounter: 1, firstPublishedAt: ctx.created, publishedAt: ctx.created, publishedBy: USER }),
      fields: FIELDS,
    })),
    sample('ContentManagement.Entry.save', 'an entry was saved (a draft change)', (ctx) => ({
      metadata: { tags: [] },
      sys: entrySys(ctx, 4),
      fields: FIELDS,
    })),
    sample('ContentManagement.Entry.unpublish', 'an entry was unpublished', (ctx) => ({
      sys: { type: 'DeletedEntry', id: ctx.id, space: SPACE, environment: ENV, contentType: { sys: { type: 'Link', linkType: 'ContentType', id: 'blogPost' } }, revision: 2, createdAt: ctx.created, updatedAt: ctx.created, deletedAt: ctx.created },
    })),
  ],
};

/**
 * Contentful: `x-contentful-signature` = hex HMAC-SHA256 of the canonical request (method, path,
 * the headers listed in `x-contentful-signed-headers`, body); `x-contentful-timestamp` in ms.
 */
export const contentful: Scheme = {
  name: 'contentful',
  provider: 'Contentful (webhook request verification)',
  docs: 'https://www.contentful.com/developers/docs/webhooks/request-verification/',
  checkedBy: 'SDK @contentful/node-apps-toolkit (signRequest, verifyRequest)',
  headers: ['x-contentful-signature', 'x-contentful-signed-headers', 'x-contentful-timestamp', 'X-Contentful-Topic', 'X-Contentful-Webhook-Name', 'Content-Type'],
  detect: ['x-contentful-signature'],
  algorithm: 'HMAC-SHA256 hex of the canonical request: method, path, signed headers, body',
  timestamp: { where: 'x-contentful-timestamp header (milliseconds)', tolerance: 30, direction: 'past', strict: true },
  secretFormat: "the space's webhook signing secret (64 characters) as text",
  keyKind: 'text',
  placeholderSecret: 'whkPlaceholderContentfulSigningSecret0123456789abcdefghijklmnopq',
  multipleSecrets: false,
  needsUrl: true,
  contentType: 'application/vnd.contentful.management.v1+json',
  samples,
  compactJson: true,

  sign({ body, secrets, timestamp, url, method, headers }) {
    const path = normalizedPath(pathOf(requireUrl('contentful', url, 'the request path and query')));
    if (path === undefined) throw usage('bad_url', 'contentful: the URL cannot be percent-encoded (it holds a lone surrogate)');
    const ms = timestamp !== undefined ? Math.round(timestamp * 1000) : Date.now();
    const given = new Map(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase().trim(), v.trim()]));
    const signed = arrange(given, ms);
    return {
      'x-contentful-signature': canonicalHmac(secrets[0]!, methodOf(method), path, signed.headers, body),
      'x-contentful-signed-headers': signed.list,
      'x-contentful-timestamp': String(ms),
    };
  },

  verify(d: Delivery) {
    const signature = d.headers[SIGNATURE]?.trim();
    if (signature === undefined) return invalid('contentful', 'missing_header', 'no x-contentful-signature header');
    if (!/^[0-9a-fA-F]{64}$/.test(signature)) return malformed('contentful', 'x-contentful-signature is not 64 hex digits', signature, 'hex');
    const list = d.headers[SIGNED];
    if (list === undefined) return invalid('contentful', 'missing_header', 'no x-contentful-signed-headers header (the names of the signed headers)');
    const names = list.trim().split(',');
    if (names.length < 2) return invalid('contentful', 'malformed_header', `x-contentful-signed-headers lists ${names.length} header: it always lists x-contentful-signed-headers and x-contentful-timestamp`);
    const tsText = d.headers[TIMESTAMP];
    if (tsText === undefined) return invalid('contentful', 'missing_timestamp', 'no x-contentful-timestamp header');
    if (!/^\d{1,16}$/.test(tsText.trim()) || Number(tsText.trim()) <= 1_577_836_800_000) {
      return invalid('contentful', 'malformed_header', `x-contentful-timestamp is not milliseconds since 1970 (after 2020): "${tsText.slice(0, 40)}"`);
    }
    const ms = Number(tsText.trim());
    const path = normalizedPath(pathOf(requireUrl('contentful', d.url, 'the request path and query')));
    if (path === undefined) return invalid('contentful', 'no_match', 'the request path cannot be percent-encoded (a lone surrogate), so no signature can match it');

    // The listed headers that the request has, as the toolkit picks them (names as listed).
    const picked = new Map<string, string>();
    for (const name of names) {
      const value = d.headers[name];
      if (value !== undefined) picked.set(name, value.trim());
    }
    const method = methodOf(d.method);
    const signed = arrange(picked, ms);
    const index = matchSecret('contentful', [signature], d.secrets, (secret) => canonicalHmac(secret, method, path, signed.headers, d.body));
    if (typeof index !== 'number') return index;
    if (index === -1) {
      const v = noMatch('contentful', `${method} ${path}, the headers ${signed.list} and the raw body`, d.secrets.length);
      if (d.secrets.some((s) => typeof s === 'string' && s.length !== 64)) v.message += ' (Contentful signing secrets are 64 characters long)';
      return v;
    }
    const ts = Math.floor(ms / 1000);
    return checkTimestamp(contentful, ts, d) ?? valid('contentful', `canonical request (${method} ${path}, ${signed.list.split(',').length} headers, raw body)`, index, d.now - ts);
  },

  eventInfo: (h, json) => {
    const sys = ((json ?? {}) as { sys?: { id?: unknown } }).sys;
    return { type: h['x-contentful-topic'], id: typeof sys?.id === 'string' ? sys.id : undefined };
  },
};
