import { discord as samples } from '../send/samples/discord.js';
import { edSign, edVerify, privateKey, publicKey } from './ed25519.js';
import { hex, nowSeconds, toBuffer } from './hmac.js';
import type { Delivery, Scheme } from './types.js';
import { invalid, noMatch, parseUnix, valid } from './verdict.js';

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
