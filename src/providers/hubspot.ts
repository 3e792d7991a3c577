/**
 * HubSpot (app webhooks, workflow webhook actions, CRM cards): three signature versions, one
 * scheme that checks whichever the request carries.
 *
 * - v3 (current): `X-HubSpot-Signature-v3` = base64 HMAC-SHA256 keyed with the app's client
 *   secret over method + URI + body + `X-HubSpot-Request-Timestamp` (epoch milliseconds, as
 *   sent). The docs have the receiver decode, in the URI, the twelve percent-encodings
 *   %3A : %2F / %3F ? %40 @ %21 ! %24 $ %27 ' %28 ( %29 ) %2A * %2C , %3B ; (the `?` that starts the
 *   query is a plain `?` already). Requests older than 5 minutes are refused; the SDKs
 *   (@hubspot/api-client `Signature.isValid`, hubspot-api-python) refuse only the past, so a
 *   timestamp ahead of the clock passes, as there.
 * - v2 (`X-HubSpot-Signature-Version: v2`, workflow actions and CRM cards):
 *   `X-HubSpot-Signature` = hex SHA-256 (a plain hash, not an HMAC) of
 *   client secret + method + URI + body; the URI exactly as requested, query order kept.
 * - v1 (`X-HubSpot-Signature-Version: v1`, CRM object webhooks): hex SHA-256 of
 *   client secret + body. No URL, no timestamp.
 * HubSpot sends the v3 headers with the older ones "for backwards compatibility": when
 * `X-HubSpot-Signature-v3` is present only it is checked (as the docs advise), else the version
 * header says which of v1/v2 `X-HubSpot-Signature` holds (missing: missing_header).
 *
 * Signing gives v3 by default. To get v1 or v2 (to test a receiver's older path), give the
 * version header among the signed headers: `{ headers: { 'X-HubSpot-Signature-Version': 'v1' } }`
 * (the CLI's `--header 'X-HubSpot-Signature-Version: v1'`, for sign and send). An
 * `X-HubSpot-Request-Timestamp` given the same way is signed as it is (exact milliseconds);
 * otherwise the timestamp is `timestamp` (Unix seconds) in ms, or the clock's ms.
 *
 * Research notes (was src/providers/definitions/hubspot.json): v1 and v2 are plain SHA-256
 * digests of secret-prefixed text, which the definition format's `hmac` cannot say, and v3's
 * URI decoding is more than a `{url}` placeholder: hence code. The URL is the public URL HubSpot
 * called (scheme, host, path, query), not a tunnel's local one. Webhook deliveries are a JSON
 * array of events ({eventId, subscriptionId, portalId, appId, occurredAt, subscriptionType,
 * attemptNumber, objectId, changeSource, ...}), up to 100 per request: the event type and id are
 * the first event's. The SDK's published v1 and v2 vectors (test/unit/signature.spec.ts of
 * hubspot-api-nodejs, the same values as the docs' examples) are in test/providers/vectors.
 * Decoding is applied to the whole URI and is case-insensitive (%3a too): the docs list the
 * upper-case forms only.
 */
import { createHash } from 'node:crypto';
import { usage } from '../errors.js';
import { requireUrl } from '../schemes/fields.js';
import { hmacBase64 } from '../schemes/hmac.js';
import type { Delivery, Invalid, Scheme, Secret, SignInput, Verdict } from '../schemes/types.js';
import { checkTimestamp, invalid, malformed, matchSecret, noMatch, valid } from '../schemes/verdict.js';
import { hexChars } from './ids.js';
import type { Samples, SampleContext } from '../schemes/samples.js';

const NAME = 'hubspot';
const V3 = 'X-HubSpot-Signature-v3';
const TS = 'X-HubSpot-Request-Timestamp';
const LEGACY = 'X-HubSpot-Signature';
const VERSION = 'X-HubSpot-Signature-Version';
const URL_WHAT = 'the method, the full URL it posts to, the body and (v3) the timestamp';

const DECODED: Record<string, string> = {
  '3A': ':', '2F': '/', '3F': '?', '40': '@', '21': '!', '24': '$', '27': "'", '28': '(', '29': ')', '2A': '*', '2C': ',', '3B': ';',
};
/** The URI as v3 signs it: the twelve percent-encodings HubSpot's docs list, decoded. */
export const hubspotV3Uri = (url: string): string =>
  url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (_m, h: string) => DECODED[h.toUpperCase()]!);

const v3Sig = (method: string, uri: string, body: Uint8Array | string, ts: string) => (secret: Secret) =>
  hmacBase64('sha256', secret, method + uri, body, ts);
/** v1 and v2: SHA-256 of the secret followed by the rest, hex. */
const hashHex = (rest: Array<Uint8Array | string>) => (secret: Secret) => {
  const h = createHash('sha256').update(secret);
  for (const r of rest) h.update(r);
  return h.digest('hex');
};
const v1Sig = (body: Uint8Array | string) => hashHex([body]);
const v2Sig = (method: string, url: string, body: Uint8Array | string) => hashHex([method, url, body]);

const methodOf = (m: string | undefined) => (m ?? 'POST').toUpperCase();
/** Whether matchSecret found a secret (diagnosis: a secret it cannot use is no match). */
const hit = (r: number | Invalid) => typeof r === 'number' && r >= 0;

/** A header given to `sign` (any case). */
const given = (headers: SignInput['headers'], name: string): string | undefined => {
  if (!headers) return undefined;
  const want = name.toLowerCase();
  for (const k in headers) if (k.toLowerCase() === want) return headers[k]!.trim();
  return undefined;
};

function sign({ body, secrets, timestamp, url, method, headers }: SignInput): Record<string, string> {
  const version = given(headers, VERSION) ?? 'v3';
  const m = methodOf(method);
  const secret = secrets[0]!;
  if (version === 'v1') return { [LEGACY]: v1Sig(body)(secret), [VERSION]: 'v1' };
  if (version === 'v2') return { [LEGACY]: v2Sig(m, requireUrl(NAME, url, URL_WHAT), body)(secret), [VERSION]: 'v2' };
  if (version !== 'v3') throw usage('bad_header', `${VERSION} "${version}": hubspot signs v1, v2 or v3`);
  const ts = given(headers, TS) ?? String(timestamp === undefined ? Date.now() : Math.round(timestamp * 1000));
  if (!/^\d{1,15}$/.test(ts)) throw usage('bad_header', `${TS} "${ts}" is not a Unix time in milliseconds`);
  return { [V3]: v3Sig(m, hubspotV3Uri(requireUrl(NAME, url, URL_WHAT)), body, ts)(secret), [TS]: ts };
}

function verifyV3(d: Delivery, header: string): Verdict {
  const sig = header.trim();
  if (!/^[A-Za-z0-9+/]{43}=$/.test(sig)) return malformed(NAME, `${V3} is not 44 base64 characters (an HMAC-SHA256)`, header, 'base64');
  const tsText = d.headers[TS.toLowerCase()]?.trim();
  if (tsText === undefined) return invalid(NAME, 'missing_timestamp', `no ${TS} header (v3 signs it)`);
  if (!/^\d{1,15}$/.test(tsText)) return invalid(NAME, 'malformed_header', `${TS} "${tsText.slice(0, 40)}" is not a Unix time in milliseconds`);
  // Whole seconds, as the clock it is judged against (`d.now`).
  const ts = Math.floor(Number(tsText) / 1000);
  const age = d.now - ts;
  const uri = hubspotV3Uri(requireUrl(NAME, d.url, URL_WHAT));
  const index = matchSecret(NAME, [sig], d.secrets, v3Sig(methodOf(d.method), uri, d.body, tsText));
  if (typeof index !== 'number') return index;
  if (index === -1) return noMatch(NAME, 'the method, URL, body and timestamp (v3)', d.secrets.length, age);
  return checkTimestamp(hubspot, ts, d) ?? valid(NAME, 'method + URL + body + timestamp (v3)', index, age);
}

function verifyLegacy(d: Delivery, header: string): Verdict {
  const version = d.headers[VERSION.toLowerCase()]?.trim();
  if (version === undefined) return invalid(NAME, 'missing_header', `no ${VERSION} header: it says whether ${LEGACY} is v1 or v2`);
  if (version !== 'v1' && version !== 'v2') return invalid(NAME, 'malformed_header', `${VERSION} "${version.slice(0, 40)}" is not v1 or v2`);
  const sig = header.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(sig)) return malformed(NAME, `${LEGACY} is not 64 hex digits (a SHA-256)`, header, 'hex');
  const expected = version === 'v1' ? v1Sig(d.body) : v2Sig(methodOf(d.method), requireUrl(NAME, d.url, URL_WHAT), d.body);
  const index = matchSecret(NAME, [sig], d.secrets, expected);
  const hash = <V extends Verdict>(v: V): V => ((v.proof = 'hash'), v);
  if (typeof index !== 'number') return index;
  if (index === -1) return hash(noMatch(NAME, version === 'v1' ? 'the client secret + body (v1)' : 'the client secret + method + URL + body (v2)', d.secrets.length));
  return hash(valid(NAME, version === 'v1'
    ? 'client secret + body (v1: a SHA-256 hash, no timestamp)'
    : 'client secret + method + URL + body (v2: a SHA-256 hash, no timestamp)', index));
}

/** Ways a v3 signature is commonly built wrong (diagnosis only). */
function misassemblies(d: Delivery): Array<{ matches: boolean; explain: string }> {
  const header = d.headers[V3.toLowerCase()]?.trim();
  const tsText = d.headers[TS.toLowerCase()]?.trim();
  if (header === undefined || tsText === undefined || d.url === undefined) return [];
  const m = methodOf(d.method);
  const tries = (method: string, uri: string) => hit(matchSecret(NAME, [header], d.secrets, v3Sig(method, uri, d.body, tsText)));
  const out: Array<{ matches: boolean; explain: string }> = [];
  if (hubspotV3Uri(d.url) !== d.url) {
    out.push({ matches: tries(m, d.url), explain: 'the signature matches the URL with its percent-encodings kept: HubSpot v3 signs the URI with %3A, %2F, %3F, %40, %21, %24, %27, %28, %29, %2A, %2C and %3B decoded' });
  }
  const noQuery = d.url.split('?')[0]!;
  if (noQuery !== d.url) out.push({ matches: tries(m, hubspotV3Uri(noQuery)), explain: 'the signature matches the URL without its query string: HubSpot signs the full URL it called, query included' });
  const swapped = d.url.startsWith('https://') ? `http://${d.url.slice(8)}` : d.url.startsWith('http://') ? `https://${d.url.slice(7)}` : undefined;
  if (swapped) out.push({ matches: tries(m, hubspotV3Uri(swapped)), explain: `the signature matches the URL as ${swapped.split(':')[0]}: HubSpot signs the public URL it called (a proxy in front of the receiver changed the scheme)` });
  for (const other of ['POST', 'GET', 'PUT', 'PATCH', 'DELETE']) {
    if (other !== m) out.push({ matches: tries(other, hubspotV3Uri(d.url)), explain: `the signature matches the method ${other}: HubSpot signs the request's own method, give that one` });
  }
  const legacy = d.headers[LEGACY.toLowerCase()]?.trim().toLowerCase();
  if (legacy !== undefined && d.headers[VERSION.toLowerCase()]?.trim() === 'v1') {
    out.push({
      matches: hit(matchSecret(NAME, [legacy], d.secrets, v1Sig(d.body))),
      explain: `the v1 signature in ${LEGACY} matches (secret and body are right): the URL or method differs from the one HubSpot signed in v3`,
    });
  }
  return out;
}

/** A HubSpot event id: a 10-digit integer. */
const eventId = () => String(1_000_000_000 + (Number.parseInt(hexChars(12), 16) % 9_000_000_000));

const PORTAL = 62515;
const APP = 54321;
const SUBSCRIPTION = 1234567;
/** One webhook request: a compact JSON array of events (here one). */
const batch = (ctx: SampleContext, event: Record<string, string | number | boolean>) => JSON.stringify([{
  eventId: Number(ctx.id),
  subscriptionId: SUBSCRIPTION,
  portalId: PORTAL,
  appId: APP,
  occurredAt: Date.parse(ctx.created),
  ...event,
  attemptNumber: ctx.attempt - 1,
}]);

const samples: Samples = {
  scheme: NAME,
  contentType: 'application/json',
  newId: eventId,
  events: [
    {
      event: 'contact.propertyChange',
      description: "a contact's property changed (a batch of one event)",
      body: (ctx) => batch(ctx, {
        subscriptionType: 'contact.propertyChange', objectId: 1246965, propertyName: 'lifecyclestage', propertyValue: 'customer',
        changeSource: 'CRM_UI', sourceId: 'userId:1769543',
      }),
    },
    {
      event: 'contact.creation',
      description: 'a contact was created',
      body: (ctx) => batch(ctx, { subscriptionType: 'contact.creation', objectId: 1246978, changeFlag: 'CREATED', changeSource: 'CRM_UI', sourceId: 'userId:1769543' }),
    },
    {
      event: 'deal.creation',
      description: 'a deal was created',
      body: (ctx) => batch(ctx, { subscriptionType: 'deal.creation', objectId: 9137751542, changeFlag: 'CREATED', changeSource: 'CRM_UI', sourceId: 'userId:1769543' }),
    },
  ],
};

export const hubspot: Scheme = {
  samples,
  name: NAME,
  provider: 'HubSpot (app webhooks and signed requests)',
  docs: 'https://developers.hubspot.com/docs/api/webhooks/validating-requests',
  checkedBy: 'SDK @hubspot/api-client (Signature.isValid and getSignature, v1, v2 and v3, both directions; its published v1 and v2 vectors); docs text for the v3 URI decoding (a Python signer written from it)',
  headers: [V3, TS, LEGACY, VERSION],
  detect: [V3, LEGACY],
  algorithm: 'v3: HMAC-SHA256 base64 over method + URI + body + timestamp (ms); v2: SHA-256 hex of secret + method + URI + body; v1: SHA-256 hex of secret + body',
  timestamp: { where: `${TS} header (ms, v3)`, tolerance: 300, direction: 'past' },
  secretFormat: "the app's client secret as text (UTF-8)",
  keyKind: 'text',
  multipleSecrets: false,
  needsUrl: true,
  contentType: 'application/json',
  // HubSpot sends compact JSON, and its own docs build the v2 string with JSON.stringify(request.body).
  compactJson: true,

  sign,

  verify(d: Delivery) {
    const v3 = d.headers[V3.toLowerCase()];
    if (v3 !== undefined) return verifyV3(d, v3);
    const legacy = d.headers[LEGACY.toLowerCase()];
    if (legacy !== undefined) return verifyLegacy(d, legacy);
    return invalid(NAME, 'missing_header', `no ${V3} header (nor the older ${LEGACY})`);
  },

  misassemblies,

  eventInfo: (_h, json) => {
    const first = (Array.isArray(json) ? json[0] : json) as Record<string, unknown> | undefined;
    if (!first || typeof first !== 'object') return {};
    const id = first.eventId;
    return {
      type: typeof first.subscriptionType === 'string' ? first.subscriptionType : undefined,
      id: typeof id === 'number' || typeof id === 'string' ? String(id) : undefined,
    };
  },
};
