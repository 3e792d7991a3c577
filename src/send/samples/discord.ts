import { snowflake } from './ids.js';
import type { Samples } from './types.js';

const APP = '1239876543210987654';
const user = { id: '80351110224678912', username: 'nelly', global_name: 'Nelly', discriminator: '0', avatar: '8342729096ea3675442027381ff50dfe' };

/** Discord interactions: compact JSON; the signature is Ed25519 (sign with the private key). */
export const discord: Samples = {
  scheme: 'discord',
  userAgent: 'Discord-Interactions/1.0 (+https://discord.com)',
  newId: snowflake,
  events: [
    {
      event: 'ping',
      description: 'type 1 PING, sent when the interactions endpoint URL is saved (answer {"type":1})',
      body: (ctx) => JSON.stringify({ app_permissions: '562949953601536', application_id: APP, entitlements: [], id: ctx.id, token: 'aW50ZXJhY3Rpb246d2hrOnBpbmc', type: 1, user, version: 1 }),
    },
    {
      event: 'application_command',
      description: 'type 2: a user ran the /hello slash command',
      body: (ctx) => JSON.stringify({
        app_permissions: '562949953601536', application_id: APP, channel_id: '1139876543210987654',
        data: { id: '1249876543210987654', name: 'hello', type: 1 }, entitlements: [], guild_id: '1129876543210987654',
        id: ctx.id, locale: 'en-US', member: { user, roles: [], joined_at: ctx.created }, token: 'aW50ZXJhY3Rpb246d2hrOmhlbGxv', type: 2, version: 1,
      }),
    },
  ],
};
