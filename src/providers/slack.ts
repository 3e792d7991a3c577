import { definitionHandshake } from '../schemes/handshake.js';
import { v0Scheme } from '../schemes/v0.js';
import { ALNUM_ID } from './ids.js';
import type { Samples } from '../schemes/samples.js';

const authorizations = [{ enterprise_id: null, team_id: 'T061EG9R6', user_id: 'U0LAN0Z89', is_bot: true, is_enterprise_install: false }];

/** Slack Events API deliveries: compact JSON. */
/** What the provider sends (whk send, probe). */
const samples: Samples = {
  scheme: 'slack',
  userAgent: 'Slackbot 1.0 (+https://api.slack.com/robots)',
  newId: () => `Ev${ALNUM_ID(9)}`,
  events: [
    {
      event: 'app_mention',
      description: 'an event_callback: the app was mentioned in a channel',
      body: (ctx) => JSON.stringify({
        token: 'ZZZZZZWSxiZZZ2yIvs3peJ',
        team_id: 'T061EG9R6',
        api_app_id: 'A0MDYCDME',
        event: {
          type: 'app_mention',
          user: 'U061F7AUR',
          text: '<@U0LAN0Z89> is the webhook endpoint up?',
          ts: `${ctx.createdUnix}.000200`,
          channel: 'C0LAN2Q65',
          event_ts: `${ctx.createdUnix}.000200`,
        },
        type: 'event_callback',
        event_id: ctx.id,
        event_time: ctx.createdUnix,
        authorizations,
        is_ext_shared_channel: false,
        event_context: '4-eyJldCI6ImFwcF9tZW50aW9uIiwidGlkIjoiVDA2MUVHOVI2IiwiYWlkIjoiQTBNRFlDRE1FIiwiY2lkIjoiQzBMQU4yUTY1In0',
      }),
    },
    {
      event: 'url_verification',
      description: 'the challenge Slack sends when the Request URL is set (answer with the challenge)',
      body: (ctx) => JSON.stringify({ token: 'ZZZZZZWSxiZZZ2yIvs3peJ', challenge: `${ctx.id}3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P`, type: 'url_verification' }),
    },
  ],
};

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
  // Events API: a signed url_verification asks for its challenge back.
  more: { docs: 'https://api.slack.com/authentication/verifying-requests-from-slack', secretWhere: "Slack shows it as the Signing Secret in your app's Basic Information → App Credentials", popular: true, checkedBy: "SDK @slack/bolt (verifySlackRequest), and the docs' published example", samples, handshake: definitionHandshake({ when: 'body:/type=url_verification', echo: 'body:/challenge' }, 'Slack') },
});
