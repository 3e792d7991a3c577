import { stripeId } from './ids.js';

/** n alphanumerics (Slack event ids and the like). */
export const ALNUM_ID = (n: number): string => stripeId('x', n).slice(2);
