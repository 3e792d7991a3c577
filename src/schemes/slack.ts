import { slack as samples } from '../send/samples/slack.js';
import { v0Scheme } from './v0.js';

/** Slack: `X-Slack-Signature: v0=<hex>` over `v0:${ts}:${body}`, `X-Slack-Request-Timestamp`, 300 s. */
export const slack = v0Scheme({
  name: 'slack',
  provider: 'Slack',
  signatureHeader: 'X-Slack-Signature',
  timestampHeader: 'X-Slack-Request-Timestamp',
  direction: 'past',
  eventInfo: (_h, json) => {
    const o = (json ?? {}) as { type?: unknown; event?: { type?: unknown }; event_id?: unknown };
    const type = [o.event?.type, o.type].find((x) => typeof x === 'string') as string | undefined;
    return { type, id: typeof o.event_id === 'string' ? o.event_id : undefined };
  },
  more: { samples },
});
