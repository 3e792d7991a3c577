import { stripe as samples } from '../send/samples/stripe.js';
import { hmacHex, nowSeconds } from './hmac.js';
import { idAndType } from './fields.js';
import { parseParams } from './params.js';
import type { Delivery, Scheme, Secret } from './types.js';
import { checkTimestamp, invalid, matchSecret, noMatch, parseUnix, valid } from './verdict.js';

const expected = (t: string, body: Uint8Array | string) => (secret: Secret) => hmacHex('sha256', secret, `${t}.`, body);

/**
 * Stripe: `Stripe-Signature: t=<ts>,v1=<hex>[,v1=..][,v0=..]` over `${t}.${body}`; the `whsec_`
 * string itself is the key (not decoded); only too-old timestamps fail (300 s).
 */
export const stripe: Scheme = {
  samples,
  checkedBy: 'SDK stripe (constructEvent, generateTestHeaderString)',
  forgeryPeer: 'github',
  name: 'stripe',
  provider: 'Stripe',
  headers: ['Stripe-Signature'],
  algorithm: 'HMAC-SHA256 hex over "t.body", as "t=<ts>,v1=<sig>"; v0 ignored',
  timestamp: { where: 't= in Stripe-Signature', tolerance: 300, direction: 'past' },
  secretFormat: 'whsec_... used as text, prefix included (not base64-decoded)',
  multipleSecrets: true,
  contentType: 'application/json; charset=utf-8',

  sign({ body, secrets, timestamp = nowSeconds() }) {
    const t = String(timestamp);
    return { 'Stripe-Signature': [`t=${t}`, ...secrets.map((s) => `v1=${expected(t, body)(s)}`)].join(',') };
  },

  verify(d: Delivery) {
    const header = d.headers['stripe-signature'];
    if (header === undefined) return invalid('stripe', 'missing_header', 'no Stripe-Signature header');
    const p = parseParams(header, ',');
    const t = p.get('t')?.[0];
    if (t === undefined) return invalid('stripe', 'missing_timestamp', 'Stripe-Signature has no t=<timestamp> element');
    const ts = parseUnix(t);
    if (Number.isNaN(ts)) return invalid('stripe', 'malformed_header', `t="${t.slice(0, 20)}" in Stripe-Signature is not a Unix timestamp`);
    const v1 = p.get('v1') ?? [];
    if (v1.length === 0) return invalid('stripe', 'malformed_header', 'Stripe-Signature has no v1=<hex> element (v0 is not checked)');
    const index = matchSecret('stripe', v1, d.secrets, expected(t, d.body));
    if (typeof index !== 'number') return index;
    if (index === -1) return noMatch('stripe', '"t.body"', d.secrets.length, d.now - ts);
    return checkTimestamp(stripe, ts, d) ?? valid('stripe', 'raw body', index, d.now - ts);
  },

  misassemblies(d) {
    const p = parseParams(d.headers['stripe-signature'] ?? '', ',');
    const t = p.get('t')?.[0] ?? '';
    const v1 = p.get('v1') ?? [];
    const wrong: Array<[Array<Uint8Array | string>, string]> = [
      [[d.body, '.', t], 'the sender signed "body.t": Stripe signs "t.body"'],
      [[t, d.body], 'the sender signed t and the body without the "." between them'],
      [[d.body], 'the sender signed the body alone: Stripe signs "t.body"'],
    ];
    return wrong.map(([parts, explain]) => ({ explain, matches: d.secrets.some((s) => v1.includes(hmacHex('sha256', s, parts[0]!, parts[1], parts[2]))) }));
  },

  eventInfo: (_h, json) => idAndType(json, 'type', 'id'),
};
