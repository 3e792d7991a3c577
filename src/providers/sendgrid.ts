import { hexChars } from './ids.js';
import type { Sample, SampleContext, Samples } from '../schemes/samples.js';
import { nowSeconds, toBuffer } from '../schemes/hmac.js';
import type { Delivery, Invalid, Scheme } from '../schemes/types.js';
import { checkTimestamp, invalid, noMatch, parseUnix, valid } from '../schemes/verdict.js';
import { base64, PLACEHOLDER_EC, signingKey, signWith, verifyingKey, verifyWith } from './keypair.js';

const SIGNATURE = 'X-Twilio-Email-Event-Webhook-Signature';
const TIMESTAMP = 'X-Twilio-Email-Event-Webhook-Timestamp';

/**
 * SendGrid's Event Webhook, signed: `X-Twilio-Email-Event-Webhook-Signature` is the base64 DER
 * ECDSA (P-256, SHA-256) signature of the `X-Twilio-Email-Event-Webhook-Timestamp` value followed
 * by the raw body. SendGrid signs with its private key; receivers verify with the public key its
 * settings show (base64 DER, "verification key"). No tolerance: SendGrid documents none and its
 * SDKs check none (a given tolerance is enforced, both ways).
 */
export const sendgrid: Scheme = {
  name: 'sendgrid',
  provider: 'Twilio SendGrid (Event Webhook, signed)',
  docs: 'https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features',
  checkedBy: 'SDK @sendgrid/eventwebhook (verifies whk\'s signatures; whk verifies the SDK\'s published vectors and signatures of starkbank-ecdsa, the SDK\'s ECDSA library)',
  headers: [SIGNATURE, TIMESTAMP],
  algorithm: 'ECDSA P-256 with SHA-256 over timestamp + body, DER, base64',
  timestamp: null,
  secretFormat: 'sign: an EC P-256 private key (PEM); verify: the verification key from SendGrid\'s settings (base64) or a PEM public key',
  multipleSecrets: false,
  contentType: 'application/json',
  keyKind: 'ecdsa',
  placeholderSecret: PLACEHOLDER_EC,

  sign({ body, secrets, timestamp = nowSeconds() }) {
    const key = signingKey(secrets[0]!, 'ec', 'sendgrid');
    const ts = String(timestamp);
    const sig = signWith('sha256', key, Buffer.concat([Buffer.from(ts), toBuffer(body)]));
    return { [SIGNATURE]: sig.toString('base64'), [TIMESTAMP]: ts };
  },

  verify(d: Delivery) {
    // The keys first: a key that cannot verify is misuse, whatever the delivery.
    const keys = [];
    for (const s of d.secrets) {
      try {
        keys.push(verifyingKey(s, 'ec', 'sendgrid'));
      } catch (e) {
        return invalid('sendgrid', 'bad_secret', (e as Error).message);
      }
    }
    const header = d.headers[SIGNATURE.toLowerCase()];
    const ts = d.headers[TIMESTAMP.toLowerCase()];
    if (header === undefined) return invalid('sendgrid', 'missing_header', `no ${SIGNATURE} header`);
    if (ts === undefined) return invalid('sendgrid', 'missing_timestamp', `no ${TIMESTAMP} header`);
    const sig = base64(header);
    // An ECDSA P-256 signature in DER is a SEQUENCE of two INTEGERs: 8 to 72 bytes.
    if (sig === undefined || sig.length < 8 || sig.length > 72 || sig[0] !== 0x30) {
      return invalid('sendgrid', 'malformed_header', `${SIGNATURE} is not a base64 DER ECDSA signature`);
    }
    const t = parseUnix(ts);
    if (Number.isNaN(t)) return invalid('sendgrid', 'malformed_header', `${TIMESTAMP} is not a Unix timestamp in seconds`);
    const message = Buffer.concat([Buffer.from(ts), d.body]);
    const index = keys.findIndex((k) => verifyWith('sha256', k, message, sig));
    if (index === -1) return noMatch('sendgrid', 'the timestamp + raw body', d.secrets.length, d.now - t);
    return tooOld(t, d) ?? valid('sendgrid', 'timestamp + raw body', index, d.now - t);
  },

  eventInfo: (_h, json) => {
    const first = (Array.isArray(json) ? json[0] : undefined) as { event?: unknown; sg_event_id?: unknown } | undefined;
    return {
      type: typeof first?.event === 'string' ? first.event : undefined,
      id: typeof first?.sg_event_id === 'string' ? first.sg_event_id : undefined,
    };
  },
};

/** Only a tolerance the caller gave: SendGrid has none of its own. */
function tooOld(t: number, d: Delivery): Invalid | undefined {
  if (!Number.isFinite(d.tolerance)) return undefined;
  return checkTimestamp({ ...sendgrid, timestamp: { where: TIMESTAMP, tolerance: d.tolerance, direction: 'both' } }, t, d);
}

// Sample events. SendGrid POSTs a JSON array of events (batched), one event per line: the
// events are separated by ",\r\n" and the body ends with "\r\n" (as the SDK's published vectors
// show), each event compact JSON.
const MESSAGE = 'Xq3wHkS4mPlEmSg_aB1cDw.filterdrecv-7d4f9b8c6-x2kzp-1-6735A0F1-2C.0';
const SMTP_ID = '<Xq3wHkS4mPlEmSg_aB1cDw@geopod-ismtpd-3-0>';
const EMAIL = 'ada@example.com';

/** An sg_event_id: base64url of "<event>-<numbers>-<message>", as SendGrid's look. */
const eventId = (ctx: SampleContext, kind: string) => Buffer.from(`${kind}-${ctx.id}-${MESSAGE.slice(0, 22)}-0`).toString('base64url');

const batch = (events: Array<Record<string, unknown>>) => `[${events.map((e) => JSON.stringify(e)).join(',\r\n')}]\r\n`;

const base = (ctx: SampleContext, event: string, seconds: number) => ({
  email: EMAIL,
  event,
  ip: '168.245.58.41',
  sg_event_id: eventId(ctx, event),
  sg_message_id: MESSAGE,
  'smtp-id': SMTP_ID,
  timestamp: ctx.createdUnix + seconds,
  category: ['receipts'],
});

const sample = (event: string, description: string, body: (ctx: SampleContext) => string): Sample => ({ event, description, body });

const samples: Samples = {
  scheme: 'sendgrid',
  userAgent: 'SendGrid Event API',
  // The delivery's key is its first event's sg_event_id; ctx.id seeds it.
  newId: () => hexChars(16),
  events: [
    sample('delivered', 'a message processed, then accepted by the recipient\'s server (two events)', (ctx) => batch([
      { ...base(ctx, 'processed', 0), send_at: 0 },
      { ...base(ctx, 'delivered', 2), response: '250 2.0.0 OK  1732960000 d9443c01a7336-21f2b1e1c6asi12345 - gsmtp', tls: 1 },
    ])),
    sample('bounce', 'the recipient\'s server refused the message', (ctx) => batch([
      {
        ...base(ctx, 'bounce', 3), type: 'bounce', status: '5.1.1', bounce_classification: 'Invalid Address',
        reason: '550 5.1.1 The email account that you tried to reach does not exist. - gsmtp', tls: 1,
      },
    ])),
    sample('open', 'the recipient opened the message', (ctx) => batch([
      { ...base(ctx, 'open', 60), useragent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36', sg_machine_open: false },
    ])),
  ],
};
sendgrid.samples = samples;
