import { svix as samples } from '../send/samples/standard.js';
import { whsecKey } from './hmac.js';
import { standardFamily } from './standard.js';

/** Svix: Standard Webhooks with `svix-id`, `svix-timestamp`, `svix-signature` header names. */
export const svix = standardFamily({
  name: 'svix',
  provider: 'Svix (Clerk, Brex, ...)',
  prefix: 'svix',
  key: whsecKey,
  secretFormat: 'whsec_<base64>: the key is the decoded bytes (prefix optional)',
  more: { checkedBy: "SDK svix, and the Standard Webhooks published vectors", samples, keyKind: 'whsec', placeholderSecret: 'whsec_d2hrIHBsYWNlaG9sZGVyIHNlY3JldCE=', forgeryPeer: 'standard' },
});
