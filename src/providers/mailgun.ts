import { randomBytes } from 'node:crypto';
import type { Sample, SampleContext, Samples } from '../schemes/samples.js';
import { topLevelValue } from '../schemes/fields.js';
import { hmacHex, nowSeconds, toBuffer } from '../schemes/hmac.js';
import type { Delivery, Scheme, Secret, SignedBody, SignInput, Verdict } from '../schemes/types.js';
import { checkTimestamp, invalid, malformed, matchSecret, noMatch, parseUnix, valid } from '../schemes/verdict.js';

/**
 * Mailgun webhooks (https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks):
 * the signature is in the body, not in a header.
 * - JSON (webhooks API v3): `{"signature": {"token", "timestamp", "signature"}, "event-data": {...}}`,
 *   and, for a subaccount's domain, `parent-signature` too (signed with the primary account's key).
 * - Form-encoded (legacy webhooks): `timestamp`, `token` and `signature` fields among the others.
 * `signature` is the hex HMAC-SHA256 of timestamp + token (no separator), keyed with the HTTP
 * webhook signing key's text. It covers neither the event data nor the URL: it proves that
 * Mailgun sent a delivery at that time, not what the delivery says (the token is a random string
 * of 50 characters; the docs suggest refusing a token seen before).
 * Timestamp: Mailgun tells receivers to check that the timestamp is not too far from the current
 * time (and not to be too aggressive: deliveries can be delayed) but names no window; whk applies
 * its usual 300 s either way, as for every scheme whose provider names none (Rails' Action Mailbox
 * allows 2 minutes for Mailgun). `--tolerance` widens it.
 * Signing writes the three fields into the body (`signBody`): at the front of a JSON object, or at
 * the end of a form, replacing those already there; a token the body already carries is kept
 * (re-signing a recorded delivery), else a fresh one is drawn.
 */

/** Seconds: Mailgun's docs name no window; whk's usual one. */
const TOLERANCE = 300;
const CHECK = 'HMAC-SHA256 hex of timestamp + token, inside the body: it proves Mailgun sent a delivery at that time, not what its event data says (the payload is not signed)';

const freshToken = () => randomBytes(25).toString('hex');
const expected = (ts: string, token: string) => (secret: Secret) => hmacHex('sha256', secret, ts + token);

interface Fields {
  timestamp?: string;
  token?: string;
  signatures: string[];
  form: boolean;
}

/** The signature fields of a delivery, JSON or form; undefined when the body carries none. */
function fieldsOf(body: Buffer): Fields | undefined {
  const text = body.toString('utf8');
  if (/^\s*\{/.test(text)) {
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch {
      return undefined;
    }
    const sig = (o as { signature?: unknown } | null)?.signature;
    if (sig === null || typeof sig !== 'object') return undefined;
    const s = sig as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
    return {
      timestamp: str(s.timestamp), token: str(s.token), form: false,
      signatures: [s.signature, s['parent-signature']].map(str).filter((x): x is string => x !== undefined && x.length > 0),
    };
  }
  const p = new URLSearchParams(text);
  if (!p.has('signature') && !p.has('token') && !p.has('timestamp')) return undefined;
  return { timestamp: p.get('timestamp') ?? undefined, token: p.get('token') ?? undefined, signatures: p.getAll('signature').filter((x) => x.length > 0), form: true };
}

/** The body with its signature written in (see the module's comment). */
function signBody(input: SignInput): SignedBody {
  const body = toBuffer(input.body);
  const secret = input.secrets[0]!;
  const ts = String(input.timestamp ?? nowSeconds());
  const had = fieldsOf(body);
  const token = had?.token && had.token.length > 0 ? had.token : freshToken();
  const sig = expected(ts, token)(secret);
  const text = body.toString('utf8');
  if (/^\s*\{/.test(text) || body.length === 0) {
    const head = Buffer.from(`{"token":${JSON.stringify(token)},"timestamp":${JSON.stringify(ts)},"signature":"`);
    const object = Buffer.concat([head, Buffer.from(`${sig}"}`)]);
    const span = body.length === 0 ? undefined : topLevelValue(body, 'signature');
    if (span) {
      const out = Buffer.concat([body.subarray(0, span[0]), object, body.subarray(span[1])]);
      return { body: out, signature: [span[0] + head.length, span[0] + head.length + sig.length] };
    }
    // At the front, where Mailgun puts it.
    const open = body.length === 0 ? 0 : body.indexOf(0x7b) + 1;
    const rest = body.length === 0 ? Buffer.from('}') : body.subarray(open);
    const empty = /^\s*\}/.test(rest.toString('utf8'));
    const prefix = Buffer.concat([body.length === 0 ? Buffer.from('{') : body.subarray(0, open), Buffer.from('"signature":')]);
    const out = Buffer.concat([prefix, object, Buffer.from(empty ? '' : ','), rest]);
    return { body: out, signature: [prefix.length + head.length, prefix.length + head.length + sig.length] };
  }
  // A form: timestamp, token and signature replace those already there, or are appended.
  const parts = text.length === 0 ? [] : text.split('&');
  const name = (part: string) => {
    try {
      return decodeURIComponent(part.split('=', 1)[0]!.replace(/\+/g, ' '));
    } catch {
      return part.split('=', 1)[0]!;
    }
  };
  const kept = parts.filter((p) => !['timestamp', 'token', 'signature'].includes(name(p)));
  const before = [...kept, `timestamp=${encodeURIComponent(ts)}`, `token=${encodeURIComponent(token)}`].join('&') + '&signature=';
  const out = Buffer.from(before + sig);
  const at = Buffer.byteLength(before);
  return { body: out, signature: [at, at + sig.length] };
}

const eventId = () => randomBytes(16).toString('base64url').slice(0, 22);
const DOMAIN = 'mg.acme.example';
const message = (ctx: SampleContext) => ({
  headers: { to: 'Alice <alice@example.com>', 'message-id': `${ctx.createdUnix}.${ctx.delivery.slice(0, 8)}@${DOMAIN}`, from: `Acme <no-reply@${DOMAIN}>`, subject: 'Your order has shipped' },
  attachments: [], size: 4213,
});
const base = (ctx: SampleContext, event: string) => ({
  id: ctx.id, timestamp: Number(`${ctx.createdUnix}.${String(ctx.nowMs % 1000).padStart(3, '0')}512`), 'log-level': event === 'failed' ? 'error' : 'info', event,
});
const envelope = { transport: 'smtp', sender: `bounce+4f2a1c@${DOMAIN}`, 'sending-ip': '198.61.254.12', targets: 'alice@example.com' };
const flags = { 'is-routed': false, 'is-authenticated': true, 'is-system-test': false, 'is-test-mode': false };

/** Mailgun sends compact JSON; signBody puts the signature object in front of `event-data`. */
const sample = (event: string, description: string, data: (ctx: SampleContext) => unknown): Sample => ({
  event, description, body: (ctx) => JSON.stringify({ 'event-data': data(ctx) }),
});

const samples: Samples = {
  scheme: 'mailgun',
  userAgent: 'mailgun/treq-16.12.0',
  // event-data.id: what receivers dedupe on.
  newId: eventId,
  events: [
    sample('delivered', 'a message was delivered to the recipient\'s mail server', (ctx) => ({
      ...base(ctx, 'delivered'),
      'delivery-status': { tls: true, 'mx-host': 'mx.example.com', code: 250, description: '', 'session-seconds': 0.61, utf8: true, 'attempt-no': 1, message: 'OK', 'certificate-verified': true },
      flags, envelope, message: message(ctx), recipient: 'alice@example.com', 'recipient-domain': 'example.com',
      storage: { url: `https://storage-us-east4.api.mailgun.net/v3/domains/${DOMAIN}/messages/AwABB5k3`, key: 'AwABB5k3' },
      campaigns: [], tags: ['order-shipped'], 'user-variables': { 'order-id': '10423' },
    })),
    sample('opened', 'the recipient opened the message', (ctx) => ({
      ...base(ctx, 'opened'),
      recipient: 'alice@example.com', 'recipient-domain': 'example.com', ip: '203.0.113.24',
      geolocation: { country: 'US', region: 'CA', city: 'San Francisco' },
      'client-info': { 'client-os': 'iOS', 'device-type': 'mobile', 'client-name': 'Mobile Safari', 'client-type': 'mobile browser', 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)' },
      message: { headers: { 'message-id': message(ctx).headers['message-id'] } }, campaigns: [], tags: ['order-shipped'], 'user-variables': { 'order-id': '10423' },
    })),
    sample('failed', 'a message bounced permanently', (ctx) => ({
      ...base(ctx, 'failed'), severity: 'permanent', reason: 'bounce',
      'delivery-status': { 'attempt-no': 1, message: '550 5.1.1 The email account that you tried to reach does not exist.', code: 550, description: '', 'session-seconds': 0.43, 'enhanced-code': '5.1.1', 'mx-host': 'mx.example.com' },
      flags, envelope: { ...envelope, targets: 'nobody@example.com' }, message: message(ctx), recipient: 'nobody@example.com', 'recipient-domain': 'example.com',
      campaigns: [], tags: [], 'user-variables': {},
    })),
  ],
};

export const mailgun: Scheme = {
  samples,
  name: 'mailgun',
  provider: 'Mailgun',
  secretWhere: 'Mailgun shows it as the HTTP webhook signing key, under Settings → API Security',
  docs: 'https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks',
  checkedBy: 'docs text https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks (a Python signer written from its snippet)',
  // No header carries the signature: the name says where it is (whk schemes, probe's messages).
  headers: ['signature in the body'],
  detect: [],
  algorithm: 'HMAC-SHA256 hex of timestamp + token, in the body\'s signature object (JSON) or its timestamp/token/signature fields (form); the event data is not signed',
  timestamp: {
    where: 'signature.timestamp in the body', tolerance: TOLERANCE, direction: 'both',
    basis: "Mailgun asks receivers to refuse stale timestamps but names no window: whk's usual 300 s",
  },
  secretFormat: 'the HTTP webhook signing key (text)',
  multipleSecrets: false,
  contentType: 'application/json',
  keyKind: 'text',
  signsBody: () => false,
  signBody,
  sign: () => ({}),

  verify(d: Delivery): Verdict {
    const told = (v: Verdict): Verdict => Object.assign(v, { check: CHECK });
    const f = fieldsOf(d.body);
    if (!f || f.signatures.length === 0) {
      return invalid('mailgun', 'missing_header', 'the body has no Mailgun signature (a "signature" object with timestamp, token and signature, or those form fields)');
    }
    if (f.token === undefined || f.token.length === 0) return told(invalid('mailgun', 'malformed_header', 'the body\'s signature has no token'));
    if (f.timestamp === undefined) return told(invalid('mailgun', 'missing_timestamp', 'the body\'s signature has no timestamp'));
    const ts = parseUnix(f.timestamp);
    if (Number.isNaN(ts)) return told(invalid('mailgun', 'malformed_header', 'the body\'s signature timestamp is not a Unix timestamp in seconds'));
    const bad = f.signatures.find((s) => !/^[0-9a-f]{64}$/i.test(s));
    if (bad !== undefined && f.signatures.length === 1) return told(malformed('mailgun', 'the body\'s signature is not 64 hex digits', bad, 'hex'));
    const index = matchSecret('mailgun', f.signatures.map((s) => s.toLowerCase()), d.secrets, expected(f.timestamp, f.token));
    if (typeof index !== 'number') return index;
    if (index === -1) return told(noMatch('mailgun', 'timestamp + token', d.secrets.length, d.now - ts));
    const stale = checkTimestamp(mailgun, ts, d);
    if (stale) return told(stale);
    const where = f.form ? 'form fields' : 'signature object';
    return told({ ...valid('mailgun', `timestamp + token (${where}; the event data is not signed)`, index, d.now - ts), message: `signature matches timestamp + token (the event data is not signed), timestamp ${d.now - ts} s old` });
  },

  eventInfo: (_h, json) => {
    const o = (json ?? {}) as Record<string, unknown>;
    const data = o['event-data'] as { event?: unknown; id?: unknown } | undefined;
    if (data && typeof data === 'object') {
      return { type: typeof data.event === 'string' ? data.event : undefined, id: typeof data.id === 'string' ? data.id : undefined };
    }
    const id = ['Message-Id', 'message-id'].map((k) => o[k]).find((x) => typeof x === 'string') as string | undefined;
    return { type: typeof o.event === 'string' ? o.event : undefined, id };
  },
};
