import { edSign, edVerify, privateKey, publicKey } from '../schemes/ed25519.js';
import { hex, nowSeconds, toBuffer } from '../schemes/hmac.js';
import type { Delivery, Scheme } from '../schemes/types.js';
import { invalid, noMatch, parseUnix, valid } from '../schemes/verdict.js';
import { snowflake } from './ids.js';
import type { Samples } from '../schemes/samples.js';

const APP = '1239876543210987654';
const user = { id: '80351110224678912', username: 'nelly', global_name: 'Nelly', discriminator: '0', avatar: '8342729096ea3675442027381ff50dfe' };

/** Discord interactions: compact JSON; the signature is Ed25519 (sign with the private key). */
/** What the provider sends (whk send, probe). */
const samples: Samples = {
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

/**
 * Discord interactions: `X-Signature-Ed25519: <hex Ed25519(ts + body)>`, `X-Signature-Timestamp`.
 * Signing needs the private key (hex seed, PEM); verifying needs the application's public key.
 */
export const discord: Scheme = {
  samples,
  docs: 'https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers',
  checkedBy: 'SDK discord-interactions (verifyKey)',
  keyKind: 'ed25519',
  // A valid Ed25519 seed (64 hex digits) that is nobody's key.
  placeholderSecret: `${'0'.repeat(63)}1`,
  name: 'discord',
  provider: 'Discord (interactions)',
  secretWhere: "Discord shows it as the Public Key on your app's General Information page in the Developer Portal",
  headers: ['X-Signature-Ed25519', 'X-Signature-Timestamp'],
  algorithm: 'Ed25519 over timestamp + body, hex',
  timestamp: null,
  secretFormat: 'sign: Ed25519 private key (64 hex digits or PEM); verify: the public key (64 hex digits)',
  multipleSecrets: false,
  contentType: 'application/json',

  sign({ body, secrets, timestamp = nowSeconds() }) {
    const ts = String(timestamp);
    const sig = edSign(privateKey(secrets[0]!), Buffer.concat([Buffer.from(ts), toBuffer(body)]));
    return { 'X-Signature-Ed25519': hex(sig), 'X-Signature-Timestamp': ts };
  },

  verify(d: Delivery) {
    const sig = d.headers['x-signature-ed25519'];
    const ts = d.headers['x-signature-timestamp'];
    if (sig === undefined) return invalid('discord', 'missing_header', 'no X-Signature-Ed25519 header');
    if (ts === undefined) return invalid('discord', 'missing_timestamp', 'no X-Signature-Timestamp header');
    if (!/^[0-9a-fA-F]{128}$/.test(sig.trim())) return invalid('discord', 'malformed_header', 'X-Signature-Ed25519 is not 128 hex digits');
    const message = Buffer.concat([Buffer.from(ts), d.body]);
    for (let i = 0; i < d.secrets.length; i++) {
      let key;
      try {
        key = publicKey(d.secrets[i]!);
      } catch (e) {
        return invalid('discord', 'bad_secret', (e as Error).message);
      }
      if (edVerify(key, message, Buffer.from(sig.trim(), 'hex'))) {
        const t = parseUnix(ts);
        return valid('discord', 'timestamp + raw body', i, Number.isNaN(t) ? undefined : d.now - t);
      }
    }
    return noMatch('discord', 'timestamp + body', d.secrets.length);
  },

  eventInfo: (_h, json) => {
    const o = (json ?? {}) as { type?: unknown; id?: unknown };
    return { type: typeof o.type === 'number' ? `interaction.${o.type}` : undefined, id: typeof o.id === 'string' ? o.id : undefined };
  },
};
