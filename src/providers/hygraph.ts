import { hmacBase64 } from '../schemes/hmac.js';
import type { Delivery, Scheme, Secret } from '../schemes/types.js';
import { checkTimestamp, invalid, malformed, matchSecret, noMatch, valid } from '../schemes/verdict.js';
import { hexChars } from './ids.js';
import type { Sample, SampleContext, Samples } from '../schemes/samples.js';

/**
 * Hygraph (formerly GraphCMS) signed webhooks: https://hygraph.com/docs/api-reference/basics/webhooks#signed-webhooks
 * and the official utils (@hygraph/utils, hygraph/hygraph-utils index.js,
 * `generateWebhookSignature` / `verifyWebhookSignature`):
 * - Header `gcms-signature: sign=<base64>, env=<environment name>, t=<epoch ms>` (the utils split
 *   it on ", " and read the three parts in that order).
 * - What is signed is not the body but a JSON envelope around it, `JSON.stringify({Body: <raw
 *   body as a string>, EnvironmentName: <env>, TimeStamp: <t as a number>})`: compact, keys in
 *   that order, the body JSON-escaped as a string. HMAC-SHA256 keyed with the webhook's secret
 *   key (text), base64. The environment name comes from the header itself.
 * - Only webhooks given a secret key are signed. The utils check no age: the 300 s window, both
 *   ways, is whk's (`--tolerance` changes it).
 * - Open question: an unmerged branch of hygraph-utils (harish/webhook-char-fix, 2022) escapes
 *   `&`, `<` and `>` in the envelope, which suggests Hygraph's server writes the envelope
 *   Go-style (`\u0026`, `\u003c`, `\u003e`, and U+2028/U+2029 escaped). When the envelope as the
 *   utils build it does not match, whk tries that form too and says so in the verdict.
 *
 * Body: `{"operation": "create|update|delete|publish|unpublish", "data": {...}}`.
 */
const HEADER = 'gcms-signature';

/** The signed text, as the utils build it (JSON.stringify). */
export const envelope = (body: string, env: string, ms: number) => JSON.stringify({ Body: body, EnvironmentName: env, TimeStamp: ms });

/** The same text with the escapes of Go's encoding/json (HTML-safe by default). */
const goEscape = (json: string) =>
  json.replace(/[&<>\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const digest = (text: string) => (secret: Secret) => hmacBase64('sha256', secret, text);

/** The three parts of the header, in any order; undefined when it is not `sign=..., env=..., t=...`. */
export function parseSignature(value: string): { sign: string; env: string; t: number } | undefined {
  const parts = new Map<string, string>();
  for (const part of value.split(',')) {
    const at = part.indexOf('=');
    if (at < 0) return undefined;
    const key = part.slice(0, at).trim();
    if (parts.has(key)) return undefined;
    parts.set(key, part.slice(at + 1).trim());
  }
  const sign = parts.get('sign');
  const env = parts.get('env');
  const t = parts.get('t');
  if (parts.size !== 3 || sign === undefined || env === undefined || t === undefined) return undefined;
  if (!/^[A-Za-z0-9+/]{43}=$/.test(sign) || !/^\d{1,15}$/.test(t) || env === '') return undefined;
  return { sign, env, t: Number(t) };
}

const USER = { __typename: 'User', id: 'clx9r2k8d0001mz08h3p4c2ab', name: 'Renée Müller', kind: 'MEMBER' };

const entry = (operation: string, description: string, data: (ctx: SampleContext) => Record<string, unknown>): Sample => ({
  event: operation,
  description,
  // Hygraph posts compact JSON.
  body: (ctx) => JSON.stringify({ operation, data: data(ctx) }),
});

const post = (ctx: SampleContext, stage: string, extra: Record<string, unknown> = {}) => ({
  __typename: 'Post',
  id: ctx.id,
  title: 'Grüße aus Köln — a first look',
  slug: 'gruesse-aus-koeln',
  stage,
  locale: 'en',
  createdAt: ctx.created,
  updatedAt: ctx.created,
  createdBy: USER,
  updatedBy: USER,
  ...extra,
});

const samples: Samples = {
  scheme: 'hygraph',
  contentType: 'application/json',
  // Hygraph ids are cuids: 25 lower-case characters starting with c.
  newId: () => `c${hexChars(24)}`,
  events: [
    entry('publish', 'an entry was published to the PUBLISHED stage', (ctx) => post(ctx, 'PUBLISHED', { publishedAt: ctx.created, publishedBy: USER })),
    entry('update', 'an entry was updated (DRAFT stage)', (ctx) => post(ctx, 'DRAFT')),
    entry('create', 'an entry was created', (ctx) => post(ctx, 'DRAFT')),
  ],
};

/** Hygraph: `gcms-signature: sign=<base64 HMAC-SHA256 of a JSON envelope>, env=<env>, t=<ms>`. */
export const hygraph: Scheme = {
  name: 'hygraph',
  aliases: ['graphcms'],
  provider: 'Hygraph (formerly GraphCMS), signed webhooks',
  docs: 'https://hygraph.com/docs/api-reference/basics/webhooks#signed-webhooks',
  checkedBy: 'SDK @hygraph/utils (generateWebhookSignature, verifyWebhookSignature)',
  headers: ['gcms-signature'],
  algorithm: 'HMAC-SHA256 base64 of the JSON envelope {"Body":<body as a string>,"EnvironmentName":<env>,"TimeStamp":<ms>}',
  timestamp: { where: 't= in gcms-signature (milliseconds)', tolerance: 300, direction: 'both' },
  secretFormat: "the webhook's secret key as text (UTF-8)",
  keyKind: 'text',
  multipleSecrets: false,
  contentType: 'application/json',
  samples,
  compactJson: true,

  /** The environment is `master` unless `headers.env` names another (`whk sign --header 'env: staging'`). */
  sign({ body, secrets, timestamp, headers }) {
    const env = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'env')?.[1]?.trim() || 'master';
    const ms = timestamp !== undefined ? Math.round(timestamp * 1000) : Date.now();
    const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
    return { 'gcms-signature': `sign=${digest(envelope(text, env, ms))(secrets[0]!)}, env=${env}, t=${ms}` };
  },

  verify(d: Delivery) {
    const header = d.headers[HEADER];
    if (header === undefined) return invalid('hygraph', 'missing_header', 'no gcms-signature header');
    const p = parseSignature(header);
    if (!p) return malformed('hygraph', 'gcms-signature is not "sign=<base64>, env=<environment>, t=<milliseconds>"', header, 'base64');
    const text = envelope(d.body.toString('utf8'), p.env, p.t);
    let matched = 'JSON envelope of the raw body';
    let index = matchSecret('hygraph', [p.sign], d.secrets, digest(text));
    const go = index === -1 ? goEscape(text) : text;
    if (go !== text) {
      matched = 'JSON envelope of the raw body, with &, < and > escaped as \\u0026, \\u003c, \\u003e (Go-style)';
      index = matchSecret('hygraph', [p.sign], d.secrets, digest(go));
    }
    if (typeof index !== 'number') return index;
    if (index === -1) return noMatch('hygraph', `the JSON envelope of the raw body (environment ${JSON.stringify(p.env)}, t=${p.t})`, d.secrets.length);
    const ts = Math.floor(p.t / 1000);
    return checkTimestamp(hygraph, ts, d) ?? valid('hygraph', matched, index, d.now - ts);
  },

  eventInfo: (_h, json) => {
    const o = (json ?? {}) as { operation?: unknown; data?: { id?: unknown; __typename?: unknown } };
    return { type: typeof o.operation === 'string' ? o.operation : undefined, id: typeof o.data?.id === 'string' ? o.data.id : undefined };
  },
};
