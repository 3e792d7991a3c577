import { paddle as samples } from '../send/samples/paddle.js';
import { hmacHex, nowSeconds } from './hmac.js';
import { parseParams } from './params.js';
import { idAndType } from './fields.js';
import type { Delivery, Scheme, Secret } from './types.js';
import { checkTimestamp, invalid, matchSecret, noMatch, parseUnix, valid } from './verdict.js';

const expected = (ts: string, body: Uint8Array | string) => (secret: Secret) => hmacHex('sha256', secret, `${ts}:`, body);

/** Paddle Billing: `Paddle-Signature: ts=<ts>;h1=<hex>` over `${ts}:${body}`; the SDK allows 5 s. */
export const paddle: Scheme = {
  samples,
  checkedBy: 'SDK @paddle/paddle-node-sdk',
  name: 'paddle',
  provider: 'Paddle Billing',
  headers: ['Paddle-Signature'],
  algorithm: 'HMAC-SHA256 hex over "ts:body", as "ts=<ts>;h1=<sig>"',
  timestamp: { where: 'ts= in Paddle-Signature', tolerance: 5, direction: 'past' },
  secretFormat: 'the endpoint secret key (pdl_ntfset_...) as text',
  multipleSecrets: true,
  contentType: 'application/json',

  sign({ body, secrets, timestamp = nowSeconds() }) {
    const ts = String(timestamp);
    return { 'Paddle-Signature': [`ts=${ts}`, ...secrets.map((s) => `h1=${expected(ts, body)(s)}`)].join(';') };
  },

  verify(d: Delivery) {
    const header = d.headers['paddle-signature'];
    if (header === undefined) return invalid('paddle', 'missing_header', 'no Paddle-Signature header');
    const p = parseParams(header, ';');
    const tsText = p.get('ts')?.[0];
    if (tsText === undefined) return invalid('paddle', 'missing_timestamp', 'Paddle-Signature has no ts=<timestamp> element');
    const ts = parseUnix(tsText);
    if (Number.isNaN(ts)) return invalid('paddle', 'malformed_header', 'ts= in Paddle-Signature is not a Unix timestamp');
    const h1 = p.get('h1') ?? [];
    if (h1.length === 0) return invalid('paddle', 'malformed_header', 'Paddle-Signature has no h1=<hex> element');
    const index = matchSecret('paddle', h1, d.secrets, expected(tsText, d.body));
    if (typeof index !== 'number') return index;
    if (index === -1) return noMatch('paddle', '"ts:body"', d.secrets.length, d.now - ts);
    return checkTimestamp(paddle, ts, d) ?? valid('paddle', 'raw body', index, d.now - ts);
  },

  eventInfo: (_h, json) => idAndType(json, 'event_type', 'event_id'),
};
