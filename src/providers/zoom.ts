import { idAndType } from '../schemes/fields.js';
import { hmacHex } from '../schemes/hmac.js';
import type { HandshakeRequest } from '../schemes/types.js';
import { v0Scheme } from '../schemes/v0.js';
import { ALNUM_ID } from './ids.js';
import type { Samples } from '../schemes/samples.js';

/** Zoom: compact JSON `{event, payload, event_ts (ms)}`; x-zm-trackingid identifies the delivery. */
/** What the provider sends (whk send, probe). */
const samples: Samples = {
  scheme: 'zoom',
  userAgent: 'Zoom Marketplace/1.0a',
  newId: () => `v=2.0;clid=aw1;rid=WEB_${ALNUM_ID(32).toLowerCase()}`,
  headers: (ctx) => ({ 'x-zm-trackingid': ctx.id }),
  events: [
    {
      event: 'meeting.started',
      description: 'a meeting started',
      body: (ctx) => JSON.stringify({
        event: 'meeting.started',
        payload: {
          account_id: 'D8cJuqWVQ623CI4Q8yQK0Q',
          object: {
            id: '89890141214', uuid: 'Rr2lAzGzSl2lq9UOqXwW3A==', host_id: 'uLoRgfbbTayCX6r2Q_qQsQ', topic: 'Webhook review',
            type: 2, start_time: ctx.created, timezone: 'Europe/Paris', duration: 30,
          },
        },
        event_ts: ctx.nowMs,
      }),
    },
    {
      event: 'endpoint.url_validation',
      description: 'the challenge Zoom sends to validate the endpoint (answer with plainToken + encryptedToken)',
      body: (ctx) => JSON.stringify({ payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' }, event_ts: ctx.nowMs, event: 'endpoint.url_validation' }),
    },
  ],
};

/**
 * Zoom's endpoint.url_validation (signed like any event): the answer is the plainToken and its
 * hex HMAC-SHA256 with the secret token, as JSON.
 */
function urlValidation(req: HandshakeRequest) {
  let o: { event?: unknown; payload?: { plainToken?: unknown } };
  try {
    o = JSON.parse(req.body.toString('utf8')) as typeof o;
  } catch {
    return undefined;
  }
  const plainToken = o?.payload?.plainToken;
  if (o?.event !== 'endpoint.url_validation' || typeof plainToken !== 'string' || req.secrets.length === 0) return undefined;
  const encryptedToken = hmacHex('sha256', req.secrets[0]!, plainToken);
  return { status: 200, contentType: 'application/json', body: JSON.stringify({ plainToken, encryptedToken }), what: 'Zoom endpoint.url_validation' };
}

/** Zoom: `x-zm-signature: v0=<hex>` over `v0:${ts}:${body}`, `x-zm-request-timestamp`. */
export const zoom = v0Scheme({
  name: 'zoom',
  provider: 'Zoom',
  signatureHeader: 'x-zm-signature',
  timestampHeader: 'x-zm-request-timestamp',
  direction: 'both',
  eventInfo: (_h, json) => idAndType(json, 'event', 'event_ts'),
  more: { docs: 'https://developers.zoom.us/docs/api/webhooks/', secretWhere: "Zoom shows it as the Secret Token of your app's event subscription, in the App Marketplace under your app → Features", checkedBy: "docs text: a Python signer written from Zoom's page", samples, handshake: urlValidation },
});
