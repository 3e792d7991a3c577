import { freepik as samples } from '../send/samples/standard.js';
import { rawKey } from './hmac.js';
import { standardFamily } from './standard.js';

/**
 * Freepik: Standard Webhooks headers and signed content, but the HMAC key is the secret's own
 * UTF-8 bytes, not base64-decoded.
 */
export const freepik = standardFamily({
  name: 'freepik',
  provider: 'Freepik',
  prefix: 'webhook',
  key: rawKey,
  secretFormat: 'the secret as text (UTF-8), used as is, not base64-decoded',
  more: { checkedBy: "docs text: a Python signer written from Freepik's page", samples, forgeryPeer: 'standard' },
});
