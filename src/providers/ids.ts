import { randomFillSync, randomUUID } from 'node:crypto';

// Sample ids are made by the thousand in load mode: draw from a pooled random buffer instead of
// asking the OS for a few bytes each time.
const pool = Buffer.alloc(8192);
let at = pool.length;

function randomChars(n: number, alphabet: string): string {
  if (at + n > pool.length) {
    randomFillSync(pool);
    at = 0;
  }
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[pool[at++]! % alphabet.length];
  return out;
}

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';
const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const HEX = '0123456789abcdef';

export const uuid = (): string => randomUUID();
/** Dfns ids: `wh-1vs8g-c1ub1-9ml8s8mmvl2q0q5k` (prefix, 5, 5 and 16 base-36 characters). */
export const dfnsId = (prefix: string): string => `${prefix}-${randomChars(5, BASE36)}-${randomChars(5, BASE36)}-${randomChars(16, BASE36)}`;
/** Stripe-style ids: `evt_` + 24 alphanumerics. */
export const stripeId = (prefix: string, n = 24): string => `${prefix}_${randomChars(n, ALNUM)}`;
/** A ULID-shaped id (26 Crockford base-32 characters), as Typeform event ids. */
export const ulid = (): string => randomChars(26, CROCKFORD);
/** Paddle ids: `evt_01` + 24 lowercase base-32 characters. */
export const paddleId = (prefix: string): string => `${prefix}_01${randomChars(24, CROCKFORD).toLowerCase()}`;
/** Svix / Standard Webhooks message ids: `msg_` + 27 alphanumerics (a KSUID). */
export const msgId = (): string => `msg_${randomChars(27, ALNUM)}`;
/** Twilio SIDs: two letters + 32 hex digits. */
export const twilioSid = (prefix: string): string => prefix + randomChars(32, HEX);
/** A Discord snowflake for now (ms since 2015 shifted left 22 bits, plus noise). */
export const snowflake = (): string =>
  ((BigInt(Date.now() - 1_420_070_400_000) << 22n) | BigInt(parseInt(randomChars(5, HEX), 16) & 0x3fffff)).toString();
export const hexChars = (n: number): string => randomChars(n, HEX);


/** n alphanumerics (Slack event ids and the like). */
export const ALNUM_ID = (n: number): string => stripeId('x', n).slice(2);
