/**
 * The core: the hand-written providers whk knows without loading the catalogue (seed schemes
 * first). `whk sign --scheme dfns` loads these and nothing else (start-up is measured).
 *
 * The quick path of sign and verify (src/quick.ts, dist/bin/quick.cjs) is built with a version of
 * this file that loads each provider when first asked for (scripts/bundle.mjs, lazyCore): it
 * reads the imports below, one provider a file, named as its scheme (test/quick/quick.test.ts).
 */
import type { Scheme } from '../schemes/types.js';
import { dfns } from './dfns.js';
import { discord } from './discord.js';
import { freepik } from './freepik.js';
import { github } from './github.js';
import { linear } from './linear.js';
import { paddle } from './paddle.js';
import { shopify } from './shopify.js';
import { slack } from './slack.js';
import { square } from './square.js';
import { standard } from './standard.js';
import { stripe } from './stripe.js';
import { svix } from './svix.js';
import { twilio } from './twilio.js';
import { typeform } from './typeform.js';
import { wealthkernel } from './wealthkernel.js';
import { zoom } from './zoom.js';

export const coreSchemes: readonly Scheme[] = [
  dfns, typeform, standard, svix, freepik, wealthkernel,
  stripe, github, slack, shopify, paddle, zoom, linear, square, twilio, discord,
];

/** The core's scheme of that name (or alias), if it has one: known without loading the catalogue. */
export const coreScheme = (name: string): Scheme | undefined => {
  const lower = name.toLowerCase();
  return coreSchemes.find((s) => s.name === lower || s.aliases?.includes(lower));
};

/** Whether `name` is one of the core's. */
export const isCore = (name: string): boolean => coreScheme(name) !== undefined;
