import { whsecKey } from '../schemes/hmac.js';
import { standardFamily } from '../schemes/standard.js';
import { msgId } from './ids.js';
import type { Samples } from '../schemes/samples.js';
import { invoicePaid, userCreated } from './standard.js';

const samples: Samples = {
  scheme: 'svix',
  userAgent: 'Svix-Webhooks/1.63.0 (sender-whk; +https://www.svix.com/http-sender/)',
  newId: msgId,
  events: [userCreated, invoicePaid],
};

/** Svix: Standard Webhooks with `svix-id`, `svix-timestamp`, `svix-signature` header names. */
export const svix = standardFamily({
  name: 'svix',
  provider: 'Svix (Clerk, Brex, ...)',
  prefix: 'svix',
  key: whsecKey,
  secretFormat: 'whsec_<base64>: the key is the decoded bytes (prefix optional)',
  more: { docs: 'https://docs.svix.com/receiving/verifying-payloads/how-manual', secretWhere: "the provider's Svix app portal shows it as the endpoint's Signing Secret, whsec_...", popular: true, checkedBy: "SDK svix, and the Standard Webhooks published vectors", samples, keyKind: 'whsec', placeholderSecret: 'whsec_d2hrIHBsYWNlaG9sZGVyIHNlY3JldCE=', forgeryPeer: 'standard' },
});
