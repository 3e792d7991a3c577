import { hmacBase64, nowSeconds, safeEqual } from '../schemes/hmac.js';
import type { Delivery, Scheme, Secret } from '../schemes/types.js';
import { checkTimestamp, invalid, malformed, matchSecret, noMatch, valid } from '../schemes/verdict.js';
import { uuid } from './ids.js';
import type { Sample, SampleContext, Samples } from '../schemes/samples.js';

/**
 * Box (webhooks V2), https://developer.box.com/guides/webhooks/v2/signatures-v2/ and the official
 * SDKs (box/box-node-sdk src/managers/webhooks.ts `validateMessage`, src/internal/utilsNode.ts
 * `computeWebhookSignature`; box-java-sdk and box-python-sdk-gen alike):
 * - Box signs the body bytes followed directly by the `BOX-DELIVERY-TIMESTAMP` header value (ISO
 *   8601 with offset, e.g. `2020-01-01T00:00:00-07:00`), no separator: HMAC-SHA256, base64.
 * - Two keys ("primary" and "secondary", Developer Console > Webhooks > Manage signature keys),
 *   two headers: `BOX-SIGNATURE-PRIMARY` made with the primary key, `BOX-SIGNATURE-SECONDARY` with
 *   the secondary key. A delivery is valid when either matches: that is how keys rotate (reset
 *   one, update the receiver, then the other).
 * - `BOX-SIGNATURE-VERSION` must be `1` and `BOX-SIGNATURE-ALGORITHM` `HmacSHA256`: the SDKs
 *   compute no signature otherwise.
 * - Timestamp: the docs say reject a delivery older than 10 minutes; the SDKs (maxAge 600) also
 *   reject any timestamp in the future, with no allowance for skew. whk refuses beyond 600 s
 *   either way (`--tolerance` changes both).
 * - Box serializes as PHP does (non-ASCII as lowercase `\uXXXX`, `/` as `\/`), and those are the
 *   bytes signed. The SDKs retry with that escaping re-applied (non-ASCII from U+007F, and every
 *   `/` not already escaped) when a framework handed them decoded text: whk does the same, and
 *   says so in the verdict.
 *
 * Secrets: the first `--secret` is the primary key, a second one the secondary key. whk signs
 * BOX-SIGNATURE-PRIMARY with the first and, when given, BOX-SIGNATURE-SECONDARY with the second.
 * Verifying, every secret is tried against both headers, so a receiver that holds only one key
 * (either) still verifies, as Box's rotation steps expect; the verdict says which header matched.
 *
 * The developer.box.com sample shows headers next to keys that do not reproduce them; the SDK
 * tests' keys (SamplePrimaryKey / SampleSecondaryKey) do: test/providers/box.test.ts uses those.
 */
const PRIMARY = 'box-signature-primary';
const SECONDARY = 'box-signature-secondary';
const TIMESTAMP = 'box-delivery-timestamp';

const digest = (body: Uint8Array | string, timestamp: string) => (secret: Secret) => hmacBase64('sha256', secret, body, timestamp);

/** What the SDKs retry with: non-ASCII (from U+007F) as lowercase `\uXXXX`, `/` not already escaped as `\/`. */
export const phpEscape = (text: string): string =>
  text.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/(?<!\\)\//g, '\\/');

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})$/;

/** Unix seconds of an ISO 8601 timestamp with an offset; NaN when it is not one. */
const parseIso = (s: string): number => (ISO.test(s) ? Math.floor(Date.parse(s) / 1000) : NaN);

/** Unix seconds as Box writes them: local time in Pacific (standard) time, with its offset. */
export function boxTimestamp(unix: number): string {
  const d = new Date((Math.floor(unix) - 8 * 3600) * 1000);
  return `${d.toISOString().slice(0, 19)}-08:00`;
}

const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

/** Box's JSON, as PHP's json_encode writes it. */
const boxJson = (value: unknown) => phpEscape(JSON.stringify(value));

const USER = { type: 'user', id: '19823745', name: 'Renée Müller', login: 'renee.muller@example.com' };
const FOLDER = { type: 'folder', id: '148902331021', sequence_id: '1', etag: '1', name: 'Contracts / 2025' };
const pathCollection = { total_count: 2, entries: [{ type: 'folder', id: '0', sequence_id: null, etag: null, name: 'All Files' }, FOLDER] };

const event = (trigger: string, description: string, source: (ctx: SampleContext) => Record<string, unknown>, extra: Record<string, unknown> = {}): Sample => ({
  event: trigger,
  description,
  body: (ctx) => {
    // Box writes times in Pacific time with their offset.
    const created = boxTimestamp(ctx.createdUnix);
    return boxJson({
      type: 'webhook_event',
      id: ctx.id,
      created_at: created,
      trigger,
      webhook: { id: '4161298', type: 'webhook' },
      created_by: USER,
      source: source(ctx),
      additional_info: [],
      ...extra,
    });
  },
});

const file = (ctx: SampleContext, name: string, extra: Record<string, unknown> = {}) => ({
  id: '1649180327481',
  type: 'file',
  file_version: { type: 'file_version', id: '1811450120281', sha1: '0f6c2ed4b1a0c5f2c9b5d0a8e4f1b2c3d4e5f6a7' },
  sequence_id: '0',
  etag: '0',
  sha1: '0f6c2ed4b1a0c5f2c9b5d0a8e4f1b2c3d4e5f6a7',
  name,
  description: '',
  size: 182734,
  path_collection: pathCollection,
  created_at: boxTimestamp(ctx.createdUnix),
  modified_at: boxTimestamp(ctx.createdUnix),
  trashed_at: null,
  purged_at: null,
  content_created_at: boxTimestamp(ctx.createdUnix - 3600),
  content_modified_at: boxTimestamp(ctx.createdUnix - 3600),
  created_by: USER,
  modified_by: USER,
  owned_by: USER,
  shared_link: null,
  parent: FOLDER,
  item_status: 'active',
  ...extra,
});

const samples: Samples = {
  scheme: 'box',
  userAgent: 'Box-WH-Client/0.1',
  contentType: 'application/json; charset=UTF-8',
  newId: uuid,
  headers: (ctx) => ({ 'BOX-DELIVERY-ID': ctx.delivery }),
  events: [
    event('FILE.UPLOADED', 'a file was uploaded to a watched folder', (ctx) => file(ctx, 'Résumé — 2025.pdf')),
    event('FILE.RENAMED', 'a file was renamed', (ctx) => file(ctx, 'Contrat signé.pdf', { sequence_id: '1', etag: '1' })),
    event('FOLDER.CREATED', 'a folder was created inside a watched folder', (ctx) => ({
      id: '148902331077', type: 'folder', sequence_id: '0', etag: '0', name: 'Q3 / Invoices', created_at: boxTimestamp(ctx.createdUnix),
      modified_at: boxTimestamp(ctx.createdUnix), description: '', size: 0, path_collection: pathCollection, created_by: USER,
      modified_by: USER, owned_by: USER, parent: FOLDER, item_status: 'active',
    })),
  ],
};

/** Box: two base64 HMAC-SHA256 signatures (primary and secondary key) over body + timestamp. */
export const box: Scheme = {
  name: 'box',
  provider: 'Box (webhooks V2)',
  docs: 'https://developer.box.com/guides/webhooks/v2/signatures-v2/',
  checkedBy: 'docs example: the published test vectors of the official SDKs box-node-sdk and box-sdk-gen (SamplePrimaryKey, SampleSecondaryKey), and docs text: a Python signer written from https://developer.box.com/guides/webhooks/v2/signatures-v2/',
  headers: ['BOX-SIGNATURE-PRIMARY', 'BOX-SIGNATURE-SECONDARY', 'BOX-DELIVERY-TIMESTAMP', 'BOX-SIGNATURE-VERSION', 'BOX-SIGNATURE-ALGORITHM'],
  detect: ['BOX-SIGNATURE-PRIMARY', 'BOX-SIGNATURE-SECONDARY'],
  algorithm: 'HMAC-SHA256 base64 of body + BOX-DELIVERY-TIMESTAMP, one signature per key (primary, secondary)',
  timestamp: { where: 'BOX-DELIVERY-TIMESTAMP header', tolerance: 600, direction: 'both' },
  secretFormat: 'the primary signature key, then optionally the secondary one (Developer Console > Webhooks > Manage signature keys), as text',
  keyKind: 'text',
  multipleSecrets: true,
  contentType: 'application/json',
  samples,

  sign({ body, secrets, timestamp }) {
    const ts = boxTimestamp(timestamp ?? nowSeconds());
    return {
      'BOX-DELIVERY-TIMESTAMP': ts,
      'BOX-SIGNATURE-ALGORITHM': 'HmacSHA256',
      'BOX-SIGNATURE-VERSION': '1',
      'BOX-SIGNATURE-PRIMARY': digest(body, ts)(secrets[0]!),
      ...(secrets.length > 1 ? { 'BOX-SIGNATURE-SECONDARY': digest(body, ts)(secrets[1]!) } : {}),
    };
  },

  verify(d: Delivery) {
    const primary = d.headers[PRIMARY]?.trim();
    const secondary = d.headers[SECONDARY]?.trim();
    if (primary === undefined && secondary === undefined) return invalid('box', 'missing_header', 'no BOX-SIGNATURE-PRIMARY or BOX-SIGNATURE-SECONDARY header');
    // One well-formed header is enough: the SDKs check each against its key, and a delivery whose
    // other header holds something else still verifies.
    const wellFormed = [primary, secondary].filter((v): v is string => v !== undefined && BASE64_SHA256.test(v));
    if (wellFormed.length === 0) {
      const [name, v] = primary !== undefined ? ['BOX-SIGNATURE-PRIMARY', primary] : ['BOX-SIGNATURE-SECONDARY', secondary!];
      return malformed('box', `${name} is not 44 base64 characters (a SHA-256 digest)`, v, 'base64');
    }
    const version = d.headers['box-signature-version'];
    const algorithm = d.headers['box-signature-algorithm'];
    if (version === undefined) return invalid('box', 'missing_header', 'no BOX-SIGNATURE-VERSION header (Box sends 1)');
    if (version.trim() !== '1') return invalid('box', 'malformed_header', `BOX-SIGNATURE-VERSION is "${version.slice(0, 40)}": Box signs version 1 only`);
    if (algorithm === undefined) return invalid('box', 'missing_header', 'no BOX-SIGNATURE-ALGORITHM header (Box sends HmacSHA256)');
    if (algorithm.trim() !== 'HmacSHA256') return invalid('box', 'malformed_header', `BOX-SIGNATURE-ALGORITHM is "${algorithm.slice(0, 40)}": Box signs with HmacSHA256 only`);
    const tsText = d.headers[TIMESTAMP];
    if (tsText === undefined) return invalid('box', 'missing_timestamp', 'no BOX-DELIVERY-TIMESTAMP header (the signature covers it)');
    const ts = parseIso(tsText.trim());
    if (Number.isNaN(ts)) return invalid('box', 'malformed_header', `BOX-DELIVERY-TIMESTAMP is not an ISO 8601 time with an offset: "${tsText.slice(0, 40)}"`);

    // Each header against every secret: a receiver may hold either key, or both.
    const presented = wellFormed;
    const which = (body: Uint8Array | string, index: number) =>
      primary !== undefined && safeEqual(primary, digest(body, tsText)(d.secrets[index]!)) ? 'BOX-SIGNATURE-PRIMARY' : 'BOX-SIGNATURE-SECONDARY';
    let matched = 'raw body';
    let body: Uint8Array | string = d.body;
    let index = matchSecret('box', presented, d.secrets, digest(body, tsText));
    if (index === -1) {
      const text = d.body.toString('utf8');
      const escaped = phpEscape(text);
      if (escaped !== text) {
        body = escaped;
        matched = 'body with non-ASCII and "/" escaped as Box sends them (something decoded them before whk saw the body)';
        index = matchSecret('box', presented, d.secrets, digest(body, tsText));
      }
    }
    if (typeof index !== 'number') return index;
    if (index === -1) return noMatch('box', 'the raw body + BOX-DELIVERY-TIMESTAMP', d.secrets.length);
    return checkTimestamp(box, ts, d) ?? valid('box', `${matched}, ${which(body, index)}`, index, d.now - ts);
  },

  eventInfo: (h, json) => {
    const o = (json ?? {}) as { trigger?: unknown; id?: unknown };
    return {
      type: typeof o.trigger === 'string' ? o.trigger : undefined,
      id: typeof o.id === 'string' ? o.id : h['box-delivery-id'],
    };
  },
};
