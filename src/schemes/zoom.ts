import { zoom as samples } from '../send/samples/zoom.js';
import { idAndType } from './fields.js';
import { v0Scheme } from './v0.js';

/** Zoom: `x-zm-signature: v0=<hex>` over `v0:${ts}:${body}`, `x-zm-request-timestamp`. */
export const zoom = v0Scheme({
  name: 'zoom',
  provider: 'Zoom',
  signatureHeader: 'x-zm-signature',
  timestampHeader: 'x-zm-request-timestamp',
  direction: 'both',
  eventInfo: (_h, json) => idAndType(json, 'event', 'event_ts'),
  more: { samples },
});
