import { type Bytes, hmacBase64, nowSeconds, toBuffer } from '../schemes/hmac.js';
import { parseParams } from '../schemes/params.js';
import type { Delivery, Scheme, Secret } from '../schemes/types.js';
import { checkTimestamp, invalid, matchSecret, noMatch, parseUnix, valid } from '../schemes/verdict.js';
import { uuid } from './ids.js';
import type { Samples, Sample, SampleContext } from '../schemes/samples.js';

/**
 * WealthKernel wraps each notification as `{event: {id, type, version}, payload}` (compact JSON).
 * The seed guide documents only the signature, so these payloads are illustrative.
 */
const sample = (type: string, description: string, payload: (ctx: SampleContext) => unknown): Sample => ({
  event: type,
  description,
  body: (ctx) => JSON.stringify({ event: { id: ctx.id, type, version: '1', occurredAt: ctx.created }, payload: payload(ctx) }),
});

/** What the provider sends (whk send, probe). */
const samples: Samples = {
  scheme: 'wealthkernel',
  newId: uuid,
  events: [
    sample('deposits.deposit_settled', 'a deposit into a portfolio settled', (ctx) => ({
      id: 'dep-34bh6yf2x22xe2', portfolioId: 'prt-32b5a4fgc22t6a', accountId: 'acc-2z5yxh4b222xbs',
      consideration: { currency: 'GBP', amount: 250.0 }, status: 'Settled', settledAt: ctx.created,
    })),
    sample('portfolios.portfolio_created', 'a portfolio was created', (ctx) => ({
      id: 'prt-32b5a4fgc22t6a', accountId: 'acc-2z5yxh4b222xbs', currency: 'GBP', status: 'Created',
      mandate: { type: 'ExecutionOnly' }, createdAt: ctx.created,
    })),
  ],
};

const expected = (body: Uint8Array, t: string) => (secret: Secret) => hmacBase64('sha256', secret, body, t);

/**
 * WealthKernel (guide of 2022-03-30): `X-Webhook-Signature: t=<ts>,v1=<b64>[,v1=<b64>]`, signed
 * content = raw body with the timestamp appended (no separator), HMAC-SHA256 base64, one `v1` per
 * active secret (at most two).
 */
export const wealthkernel: Scheme = {
  samples,
  checkedBy: "docs text: a Python signer written from WealthKernel's webhooks guide (version of 2022-03-30)",
  name: 'wealthkernel',
  provider: 'WealthKernel',
  docs: 'https://docs.wealthkernel.com/',
  secretWhere: 'it is the secret generated in the WealthKernel portal',
  headers: ['X-Webhook-Signature'],
  algorithm: 'HMAC-SHA256 base64 over body + t, as "t=<ts>,v1=<sig>[,v1=<sig>]"',
  timestamp: { where: 't= in X-Webhook-Signature', tolerance: 300, direction: 'both' },
  secretFormat: 'the secret as text (UTF-8)',
  multipleSecrets: true,
  contentType: 'application/json',

  sign({ body, secrets, timestamp = nowSeconds() }) {
    const t = String(timestamp);
    const sigs = secrets.slice(0, 2).map((s) => `v1=${expected(toBuffer(body), t)(s)}`);
    return { 'X-Webhook-Signature': [`t=${t}`, ...sigs].join(',') };
  },

  verify(d: Delivery) {
    const header = d.headers['x-webhook-signature'];
    if (header === undefined) return invalid('wealthkernel', 'missing_header', 'no X-Webhook-Signature header');
    const p = parseParams(header, ',');
    const t = p.get('t')?.[0];
    const v1 = p.get('v1') ?? [];
    if (t === undefined) return invalid('wealthkernel', 'missing_timestamp', 'X-Webhook-Signature has no t=<timestamp> element');
    const ts = parseUnix(t);
    if (Number.isNaN(ts)) return invalid('wealthkernel', 'malformed_header', `t="${t.slice(0, 20)}" in X-Webhook-Signature is not a Unix timestamp`);
    if (v1.length === 0) return invalid('wealthkernel', 'malformed_header', 'X-Webhook-Signature has no v1=<base64> element');
    const index = matchSecret('wealthkernel', v1, d.secrets, expected(d.body, t));
    if (typeof index !== 'number') return index;
    if (index === -1) return noMatch('wealthkernel', 'body + t', d.secrets.length, d.now - ts);
    return checkTimestamp(wealthkernel, ts, d) ?? valid('wealthkernel', 'raw body', index, d.now - ts);
  },

  misassemblies(d) {
    const p = parseParams(d.headers['x-webhook-signature'] ?? '', ',');
    const t = p.get('t')?.[0] ?? '';
    const v1 = p.get('v1') ?? [];
    const wrong: Array<[Bytes[], string]> = [
      [[t, d.body], 'the sender put the timestamp before the body: WealthKernel signs the body with t appended'],
      [[t, '.', d.body], 'the sender signed "t.body" (Stripe style): WealthKernel signs the body with t appended, no separator'],
      [[d.body], 'the sender signed the body alone: append t to it'],
    ];
    return wrong.map(([parts, explain]) => ({
      explain,
      matches: d.secrets.some((s) => v1.includes(hmacBase64('sha256', s, parts[0]!, parts[1], parts[2]))),
    }));
  },

  eventInfo: (_h, json) => {
    const o = json as { event?: { type?: unknown; id?: unknown }; type?: unknown; id?: unknown } | null;
    const type = [o?.event?.type, o?.type].find((x) => typeof x === 'string') as string | undefined;
    const id = [o?.event?.id, o?.id].find((x) => typeof x === 'string') as string | undefined;
    return { type, id };
  },
};


