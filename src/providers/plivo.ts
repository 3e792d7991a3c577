/**
 * Plivo (voice and messaging callbacks): three signature versions, one scheme that checks the
 * strongest one the request carries. The key is the account's Auth Token; the `-Ma-` headers
 * carry the same signature made with the main account's token (a subaccount's callbacks differ
 * there: give both tokens as secrets).
 *
 * - V3 (voice, https://www.plivo.com/docs/voice/concepts/signature-validation):
 *   `X-Plivo-Signature-V3` (and `X-Plivo-Signature-Ma-V3`) = base64 HMAC-SHA256 over
 *   `<URL>.<X-Plivo-Signature-V3-Nonce>`, where for a POST the URL is scheme://host[:port]/path,
 *   then `?` + the URL's query parameters sorted (`k=v&k=v`, decoded), then — when there are
 *   form parameters — `.` after a non-empty query and the form parameters sorted by name
 *   (case-sensitive, code-unit order), each as name + value with no separator (a repeated name:
 *   its values sorted). A POST with form parameters but no query still gets the bare `?`. A GET
 *   signs the URL with its query sorted the same way. Several signatures may be comma-separated
 *   (any one matching is enough). Rules as the plivo SDK's `validateV3Signature` applies them
 *   (utils/v3Security); the URL's user info and fragment are dropped, nothing else normalized.
 *   A JSON (non-form) body adds no parameters: it is not covered by the signature.
 * - V2 (messaging and older voice, https://www.plivo.com/docs/messaging/concepts/signature-validation):
 *   `X-Plivo-Signature-V2` (and `-Ma-V2`) = base64 HMAC-SHA256 over scheme://host[:port]/path
 *   (no query) + `X-Plivo-Signature-V2-Nonce`, no separator. The body is not signed.
 * - Legacy: `X-Plivo-Signature` = base64 HMAC-SHA1 over the full URL + the form parameters
 *   sorted by name, name + value each (as Twilio; plivo SDK `computeOldSignature`).
 * None has a timestamp: the nonce is the receiver's replay protection (remember the ones seen).
 *
 * Signing gives V3 (with its nonce, fresh 20 digits) by default. Other versions are asked for by
 * giving their header among the signed headers (the CLI's `--header`, for sign and send):
 * `X-Plivo-Signature-V2-Nonce: <nonce>` signs V2 with that nonce (empty: a fresh one; `whk send`
 * sends a --header as given, so give it a value there),
 * `X-Plivo-Signature-V3-Nonce: <nonce>` fixes V3's nonce, `X-Plivo-Signature: legacy` (any value)
 * adds the legacy signature; naming several gives several. With several secrets, V3 carries one
 * signature per secret, comma-separated.
 */
import { randomInt } from 'node:crypto';
import { requireUrl } from '../schemes/fields.js';
import { hmacBase64, toBuffer } from '../schemes/hmac.js';
import type { Delivery, Invalid, Scheme, Secret, SignInput, Verdict } from '../schemes/types.js';
import { invalid, malformed, matchSecret, noMatch, valid } from '../schemes/verdict.js';
import { uuid } from './ids.js';
import type { Samples, SampleContext } from '../schemes/samples.js';

const NAME = 'plivo';
const V3 = 'X-Plivo-Signature-V3';
const MA_V3 = 'X-Plivo-Signature-Ma-V3';
const NONCE_V3 = 'X-Plivo-Signature-V3-Nonce';
const V2 = 'X-Plivo-Signature-V2';
const MA_V2 = 'X-Plivo-Signature-Ma-V2';
const NONCE_V2 = 'X-Plivo-Signature-V2-Nonce';
const LEGACY = 'X-Plivo-Signature';
const URL_WHAT = 'the full URL it posts to, with its query string';

type Params = Map<string, string[]>;

/** The URL without user info, query and fragment (scheme://host[:port]/path), and its query. */
export function plivoUrlParts(url: string): { base: string; query: string } {
  const m = /^(?:([^:/?#]+):\/\/)?(?:[^@/?#]*@)?([^/?#]*)([^?#]*)(?:\?([^#]*))?/.exec(url)!;
  return { base: `${m[1] ?? 'http'}://${m[2]}${m[3]}`, query: m[4] ?? '' };
}

const parse = (text: string): Params => {
  const out: Params = new Map();
  for (const [k, v] of new URLSearchParams(text)) out.set(k, [...(out.get(k) ?? []), v]);
  return out;
};
/** Form parameters of the body: none for an empty or JSON body. */
const formParams = (body: Uint8Array | string): Params => {
  const text = toBuffer(body).toString('utf8');
  return text.trim() === '' || /^\s*[[{]/.test(text) ? new Map() : parse(text);
};
const sorted = (p: Params, join: (k: string, v: string) => string): string[] =>
  [...p.keys()].sort().flatMap((k) => [...p.get(k)!].sort().map((v) => join(k, v)));

/** What V3 signs before `.<nonce>`. */
export function plivoV3Content(method: string, url: string, body: Uint8Array | string): string {
  const { base, query } = plivoUrlParts(url);
  const q = sorted(parse(query), (k, v) => `${k}=${v}`).join('&');
  if (method.toUpperCase() === 'GET') return q ? `${base}?${q}` : base;
  const params = formParams(body);
  let out = base;
  if (q || params.size > 0) out += `?${q}`;
  if (q && params.size > 0) out += '.';
  return out + sorted(params, (k, v) => k + v).join('');
}

const v3Sig = (content: string, nonce: string) => (secret: Secret) => hmacBase64('sha256', secret, content, '.', nonce);
const v2Sig = (url: string, nonce: string) => (secret: Secret) => hmacBase64('sha256', secret, plivoUrlParts(url).base, nonce);
const legacySig = (url: string, body: Uint8Array | string) => (secret: Secret) =>
  hmacBase64('sha1', secret, url + sorted(formParams(body), (k, v) => k + v).join(''));

const freshNonce = () => String(randomInt(1e10)).padStart(10, '0') + String(randomInt(1e10)).padStart(10, '0');

/** A header given to `sign` (any case), trimmed. */
const given = (headers: SignInput['headers'], name: string): string | undefined => {
  if (!headers) return undefined;
  const want = name.toLowerCase();
  for (const k in headers) if (k.toLowerCase() === want) return headers[k]!.trim();
  return undefined;
};

function sign({ body, secrets, url, method, headers }: SignInput): Record<string, string> {
  const u = requireUrl(NAME, url, URL_WHAT);
  const n3 = given(headers, NONCE_V3);
  const n2 = given(headers, NONCE_V2);
  const legacy = given(headers, LEGACY) !== undefined;
  const out: Record<string, string> = {};
  if (n3 !== undefined || (n2 === undefined && !legacy)) {
    const nonce = n3 || freshNonce();
    const content = plivoV3Content(method ?? 'POST', u, body);
    const sig = secrets.map((s) => v3Sig(content, nonce)(s)).join(',');
    Object.assign(out, { [V3]: sig, [MA_V3]: sig, [NONCE_V3]: nonce });
  }
  if (n2 !== undefined) {
    const nonce = n2 || freshNonce();
    const sig = v2Sig(u, nonce)(secrets[0]!);
    Object.assign(out, { [V2]: sig, [MA_V2]: sig, [NONCE_V2]: nonce });
  }
  if (legacy) out[LEGACY] = legacySig(u, body)(secrets[0]!);
  return out;
}

const B64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

/** The signatures of a version: its header and the main account's, each comma-separated. */
function presented(d: Delivery, names: string[]): { raw: string; good: string[] } {
  const raw = names.map((n) => d.headers[n.toLowerCase()]).filter((v): v is string => v !== undefined);
  const all = raw.flatMap((v) => v.split(',')).map((s) => s.trim());
  return { raw: raw.join(', '), good: all.filter((s) => B64_SHA256.test(s)) };
}

function nonceOf(d: Delivery, name: string): string | Invalid {
  const nonce = d.headers[name.toLowerCase()];
  if (nonce === undefined) return invalid(NAME, 'missing_header', `no ${name} header (the nonce is signed with the URL)`);
  if (nonce.trim() === '') return invalid(NAME, 'malformed_header', `${name} is empty`);
  return nonce.trim();
}

function verifyHmac(d: Delivery, version: 'V3' | 'V2'): Verdict {
  const [sigName, maName, nonceName] = version === 'V3' ? [V3, MA_V3, NONCE_V3] : [V2, MA_V2, NONCE_V2];
  const { raw, good } = presented(d, [sigName, maName]);
  if (good.length === 0) return malformed(NAME, `${sigName} is not one or more comma-separated base64 HMAC-SHA256 signatures (44 characters)`, raw, 'base64');
  const nonce = nonceOf(d, nonceName);
  if (typeof nonce !== 'string') return nonce;
  const url = requireUrl(NAME, d.url, URL_WHAT);
  const method = (d.method ?? 'POST').toUpperCase();
  const expected = version === 'V3' ? v3Sig(plivoV3Content(method, url, d.body), nonce) : v2Sig(url, nonce);
  const index = matchSecret(NAME, good, d.secrets, expected);
  if (typeof index !== 'number') return index;
  if (version === 'V2') {
    if (index === -1) return noMatch(NAME, 'the URL (without its query) and the nonce (V2)', d.secrets.length);
    return valid(NAME, 'URL + nonce (V2: the body is not signed)', index);
  }
  const json = method !== 'GET' && formParams(d.body).size === 0 && d.body.length > 0;
  if (index === -1) return noMatch(NAME, `the ${method === 'GET' ? 'URL with its sorted query' : 'URL, its sorted query and the sorted form parameters'} and the nonce (V3)`, d.secrets.length);
  return valid(NAME, json ? 'URL + nonce (V3; a body that is not a form is not signed)' : 'URL + sorted parameters + nonce (V3)', index);
}

function verifyLegacy(d: Delivery, header: string): Verdict {
  const sig = header.trim();
  if (!/^[A-Za-z0-9+/]{27}=$/.test(sig)) return malformed(NAME, `${LEGACY} is not 28 base64 characters (an HMAC-SHA1)`, header, 'base64');
  const index = matchSecret(NAME, [sig], d.secrets, legacySig(requireUrl(NAME, d.url, URL_WHAT), d.body));
  if (typeof index !== 'number') return index;
  if (index === -1) return noMatch(NAME, 'the URL and the sorted form parameters (legacy HMAC-SHA1)', d.secrets.length);
  return valid(NAME, 'URL + sorted form parameters (legacy X-Plivo-Signature, HMAC-SHA1, no nonce)', index);
}

const has = (d: Delivery, ...names: string[]) => names.some((n) => d.headers[n.toLowerCase()] !== undefined);
const hit = (r: number | Invalid) => typeof r === 'number' && r >= 0;

/** URL and method mistakes behind a V3 or V2 no-match (diagnosis only). */
function misassemblies(d: Delivery): Array<{ matches: boolean; explain: string }> {
  if (d.url === undefined) return [];
  const version = has(d, V3, MA_V3) ? 'V3' : has(d, V2, MA_V2) ? 'V2' : undefined;
  if (!version) return [];
  const nonce = d.headers[(version === 'V3' ? NONCE_V3 : NONCE_V2).toLowerCase()]?.trim();
  if (!nonce) return [];
  const { good } = presented(d, version === 'V3' ? [V3, MA_V3] : [V2, MA_V2]);
  const method = (d.method ?? 'POST').toUpperCase();
  const tries = (url: string, m = method) =>
    hit(matchSecret(NAME, good, d.secrets, version === 'V3' ? v3Sig(plivoV3Content(m, url, d.body), nonce) : v2Sig(url, nonce)));
  const out: Array<{ matches: boolean; explain: string }> = [];
  const swapped = d.url.startsWith('https://') ? `http://${d.url.slice(8)}` : d.url.startsWith('http://') ? `https://${d.url.slice(7)}` : undefined;
  if (swapped) out.push({ matches: tries(swapped), explain: `the signature matches the URL as ${swapped.split(':')[0]}: Plivo signs the URL it called (a proxy in front of the receiver changed the scheme)` });
  const { base, query } = plivoUrlParts(d.url);
  const slash = base.endsWith('/') ? base.slice(0, -1) : `${base}/`;
  out.push({ matches: tries(slash + (query ? `?${query}` : '')), explain: `the signature matches the URL ${base.endsWith('/') ? 'without' : 'with'} a trailing slash: give the callback URL exactly as configured in Plivo` });
  if (version === 'V3') {
    const other = method === 'GET' ? 'POST' : 'GET';
    out.push({ matches: tries(d.url, other), explain: `the signature matches as a ${other} request: Plivo signs GET and POST callbacks differently, give the request's method` });
  }
  return out;
}

const ACCOUNT = 'MAODUZYTZHYWM3ZMNMYT';
/** Plivo's times: `2024-01-31 14:05:09`, UTC. */
const plivoTime = (iso: string, plusSeconds = 0) => new Date(Date.parse(iso) + plusSeconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
const call = (ctx: SampleContext) => ({ CallUUID: ctx.id, ALegUUID: ctx.id, ALegRequestUUID: ctx.delivery, RequestUUID: ctx.delivery, Direction: 'inbound', From: '14155550123', To: '14155550199', ParentAuthID: ACCOUNT });

const samples: Samples = {
  scheme: NAME,
  contentType: 'application/x-www-form-urlencoded',
  newId: uuid,
  events: [
    {
      event: 'call.hangup',
      description: 'a call ended (hangup_url callback)',
      body: (ctx) => form({
        ...call(ctx), Event: 'Hangup', CallStatus: 'completed', HangupCause: 'NORMAL_CLEARING', HangupCauseCode: '4000',
        HangupCauseName: 'Normal Hangup', HangupSource: 'Caller', StartTime: plivoTime(ctx.created), AnswerTime: plivoTime(ctx.created, 3),
        EndTime: plivoTime(ctx.created, 65), SessionStart: `${plivoTime(ctx.created)}.104211`, Duration: '62', BillDuration: '120',
        BillRate: '0.0085', TotalCost: '0.01700', STIRAttestation: 'Not Applicable',
      }),
    },
    {
      event: 'call.answer',
      description: 'an incoming call asks for its XML (answer_url)',
      body: (ctx) => form({
        ...call(ctx), Event: 'StartApp', CallStatus: 'ringing', CallerName: '+14155550123', BillRate: '0.0085',
        SessionStart: `${plivoTime(ctx.created)}.104211`, STIRAttestation: 'Not Applicable', STIRVerification: 'Not Verified',
      }),
    },
    {
      event: 'message.status',
      description: 'an SMS status callback: delivered (Plivo messaging signs these with V2: give the X-Plivo-Signature-V2-Nonce header)',
      body: (ctx) => form({
        MessageUUID: ctx.id, Status: 'delivered', From: '14155550199', To: '14155550123', Units: '1', TotalRate: '0.00500',
        TotalAmount: '0.00500', MessageTime: plivoTime(ctx.created, 2), ErrorCode: '', MCC: '310', MNC: '260', ParentMessageUUID: ctx.id,
        PowerpackUUID: '', Sequence: '1',
      }),
    },
  ],
};

export const plivo: Scheme = {
  samples,
  name: NAME,
  provider: 'Plivo (voice and messaging callbacks)',
  docs: 'https://www.plivo.com/docs/voice/concepts/signature-validation',
  checkedBy: 'SDK plivo (validateV3Signature, validateSignature for V2, computeOldSignature for the legacy header; both directions)',
  headers: [V3, NONCE_V3, MA_V3, V2, NONCE_V2, MA_V2, LEGACY],
  detect: [V3, MA_V3, V2, MA_V2, LEGACY],
  algorithm: 'V3: HMAC-SHA256 base64 over URL + sorted parameters + "." + nonce; V2: HMAC-SHA256 base64 over URL (no query) + nonce; legacy: HMAC-SHA1 base64 over URL + sorted form parameters',
  timestamp: null,
  secretFormat: 'the Auth Token (the main account\'s for the -Ma- headers)',
  keyKind: 'text',
  multipleSecrets: true,
  needsUrl: true,
  contentType: 'application/x-www-form-urlencoded',

  sign,

  verify(d: Delivery) {
    if (has(d, V3, MA_V3)) return verifyHmac(d, 'V3');
    if (has(d, V2, MA_V2)) return verifyHmac(d, 'V2');
    const legacy = d.headers[LEGACY.toLowerCase()];
    if (legacy !== undefined) return verifyLegacy(d, legacy);
    return invalid(NAME, 'missing_header', `no ${V3} header (nor ${V2} or the legacy ${LEGACY})`);
  },

  misassemblies,

  eventInfo: (_h, parsed) => {
    const o = (parsed ?? {}) as Record<string, unknown>;
    const str = (k: string) => (typeof o[k] === 'string' && o[k] !== '' ? (o[k] as string) : undefined);
    return { type: str('Event') ?? (str('Status') ? `message.${str('Status')}` : undefined), id: str('CallUUID') ?? str('MessageUUID') };
  },
};
