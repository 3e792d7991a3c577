/**
 * The definition of the issue "Providers as data", exactly as written there, and what it means,
 * implemented by hand with node:crypto (never with whk): HMAC-SHA256 keyed with the secret's
 * UTF-8 bytes over `<timestamp>.<raw body>`, in `X-Acme-Signature: t=<unix s>,v1=<hex>`.
 */
import { createHmac } from 'node:crypto';

export const ACME_JSON = `{ "name": "acme", "provider": "Acme Payments (in-house)", "docs": "https://docs.acme.example/webhooks#signatures",
  "hmac": "sha256", "key": "utf8", "signs": "{timestamp}.{body}", "header": "X-Acme-Signature",
  "value": "t={timestamp},v1={signature}", "encoding": "hex", "timestamp": { "tolerance": 300 },
  "eventType": "/type", "eventId": "header:X-Acme-Delivery" }
`;

export const ACME = JSON.parse(ACME_JSON) as Record<string, unknown>;

/** The hex v1 signature of `body` at `t`, by hand. */
export const acmeSig = (secret: string, t: number | string, body: string | Buffer) =>
  createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${t}.`).update(body).digest('hex');

/** The X-Acme-Signature header value, by hand. */
export const acmeHeader = (secret: string, t: number, body: string | Buffer) => `t=${t},v1=${acmeSig(secret, t, body)}`;
