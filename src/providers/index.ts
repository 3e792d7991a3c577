/**
 * The catalogue: the providers beyond the hand-written core (src/providers/core.ts), one import
 * and one list entry each. A provider is a definition (data, src/providers/definitions/<name>.json:
 * its HMAC rule, where its event type and id are, its sample events) or, where the format cannot
 * say it, a module of code (src/providers/<name>.ts) exporting a Scheme with the same parts.
 *
 * Start-up is measured: this file and everything it imports load only when a run needs a scheme
 * the core does not have, auto-detection, or the whole list (src/run-schemes.ts); the CLI bundle
 * keeps it in a file of its own.
 */
import { compileDefinition } from '../schemes/definition/compile.js';
import type { Definition } from '../schemes/definition/schema.js';
import type { Scheme } from '../schemes/types.js';
import { amazonSns } from './amazon-sns.js';
import { box } from './box.js';
import { contentful } from './contentful.js';
import { docusign } from './docusign.js';
import { fireblocks } from './fireblocks.js';
import { hygraph } from './hygraph.js';
import { meta } from './meta.js';
import { buildkite } from './buildkite.js';
import { gitlab } from './gitlab.js';
import { mailgun } from './mailgun.js';
import { mandrill } from './mandrill.js';
import { moralis } from './moralis.js';
import { hubspot } from './hubspot.js';
import { plivo } from './plivo.js';
import { sendgrid } from './sendgrid.js';
import aftership from './definitions/aftership.json' with { type: 'json' };
import alchemy from './definitions/alchemy.json' with { type: 'json' };
import asana from './definitions/asana.json' with { type: 'json' };
import autodesk from './definitions/autodesk.json' with { type: 'json' };
import bitbucket from './definitions/bitbucket.json' with { type: 'json' };
import bolt from './definitions/bolt.json' with { type: 'json' };
import calCom from './definitions/cal-com.json' with { type: 'json' };
import calendly from './definitions/calendly.json' with { type: 'json' };
import castle from './definitions/castle.json' with { type: 'json' };
import checkoutCom from './definitions/checkout-com.json' with { type: 'json' };
import circleci from './definitions/circleci.json' with { type: 'json' };
import clearbit from './definitions/clearbit.json' with { type: 'json' };
import clerk from './definitions/clerk.json' with { type: 'json' };
import clickup from './definitions/clickup.json' with { type: 'json' };
import coinbase from './definitions/coinbase.json' with { type: 'json' };
import customerIo from './definitions/customer-io.json' with { type: 'json' };
import discourse from './definitions/discourse.json' with { type: 'json' };
import dropbox from './definitions/dropbox.json' with { type: 'json' };
import frameIo from './definitions/frame-io.json' with { type: 'json' };
import gitea from './definitions/gitea.json' with { type: 'json' };
import gocardless from './definitions/gocardless.json' with { type: 'json' };
import greenhouse from './definitions/greenhouse.json' with { type: 'json' };
import helpscout from './definitions/helpscout.json' with { type: 'json' };
import heroku from './definitions/heroku.json' with { type: 'json' };
import intercom from './definitions/intercom.json' with { type: 'json' };
import jira from './definitions/jira.json' with { type: 'json' };
import launchdarkly from './definitions/launchdarkly.json' with { type: 'json' };
import lemonSqueezy from './definitions/lemon-squeezy.json' with { type: 'json' };
import microsoftTeams from './definitions/microsoft-teams.json' with { type: 'json' };
import modernTreasury from './definitions/modern-treasury.json' with { type: 'json' };
import mongodbAtlas from './definitions/mongodb-atlas.json' with { type: 'json' };
import mux from './definitions/mux.json' with { type: 'json' };
import nylas from './definitions/nylas.json' with { type: 'json' };
import onfleet from './definitions/onfleet.json' with { type: 'json' };
import openai from './definitions/openai.json' with { type: 'json' };
import orb from './definitions/orb.json' with { type: 'json' };
import pagerduty from './definitions/pagerduty.json' with { type: 'json' };
import persona from './definitions/persona.json' with { type: 'json' };
import pinwheel from './definitions/pinwheel.json' with { type: 'json' };
import pusher from './definitions/pusher.json' with { type: 'json' };
import quicknode from './definitions/quicknode.json' with { type: 'json' };
import razorpay from './definitions/razorpay.json' with { type: 'json' };
import replicate from './definitions/replicate.json' with { type: 'json' };
import resend from './definitions/resend.json' with { type: 'json' };
import revolut from './definitions/revolut.json' with { type: 'json' };
import sanity from './definitions/sanity.json' with { type: 'json' };
import segment from './definitions/segment.json' with { type: 'json' };
import sentry from './definitions/sentry.json' with { type: 'json' };
import sonatypeNexus from './definitions/sonatype-nexus.json' with { type: 'json' };
import tally from './definitions/tally.json' with { type: 'json' };
import terraformCloud from './definitions/terraform-cloud.json' with { type: 'json' };
import tiktok from './definitions/tiktok.json' with { type: 'json' };
import trello from './definitions/trello.json' with { type: 'json' };
import twitch from './definitions/twitch.json' with { type: 'json' };
import twitter from './definitions/twitter.json' with { type: 'json' };
import vercel from './definitions/vercel.json' with { type: 'json' };
import webex from './definitions/webex.json' with { type: 'json' };
import webflow from './definitions/webflow.json' with { type: 'json' };
import woocommerce from './definitions/woocommerce.json' with { type: 'json' };
import worldline from './definitions/worldline.json' with { type: 'json' };
import xero from './definitions/xero.json' with { type: 'json' };
import zendesk from './definitions/zendesk.json' with { type: 'json' };

/** Definitions, in alphabetical order. */
const DEFINITIONS = [
  aftership,
  alchemy,
  asana,
  autodesk,
  bitbucket,
  bolt,
  calCom,
  calendly,
  castle,
  checkoutCom,
  circleci,
  clearbit,
  clerk,
  clickup,
  coinbase,
  customerIo,
  discourse,
  dropbox,
  frameIo,
  gitea,
  gocardless,
  greenhouse,
  helpscout,
  heroku,
  intercom,
  jira,
  launchdarkly,
  lemonSqueezy,
  microsoftTeams,
  modernTreasury,
  mongodbAtlas,
  mux,
  nylas,
  onfleet,
  openai,
  orb,
  pagerduty,
  persona,
  pinwheel,
  pusher,
  quicknode,
  razorpay,
  replicate,
  resend,
  revolut,
  sanity,
  segment,
  sentry,
  sonatypeNexus,
  tally,
  terraformCloud,
  tiktok,
  trello,
  twitch,
  twitter,
  vercel,
  webex,
  webflow,
  woocommerce,
  worldline,
  xero,
  zendesk,
] as unknown as readonly Definition[];

/** Providers written as code (key pairs, tokens, fields signed inside the body, several versions or signature headers). */
const CODED: readonly Scheme[] = [
  amazonSns,
  box,
  contentful,
  docusign,
  fireblocks,
  hygraph,
  meta,
  buildkite,
  gitlab,
  mailgun,
  mandrill,
  moralis,
  hubspot,
  plivo,
  sendgrid,
];

let compiled: readonly Scheme[] | undefined;

/** Every provider of the catalogue as a scheme, compiled on first use, in name order. */
export function catalogueSchemes(): readonly Scheme[] {
  compiled ??= [...DEFINITIONS.map((d) => compileDefinition(d)), ...CODED].sort((a, b) => a.name.localeCompare(b.name));
  return compiled;
}

/** The definitions of the catalogue (`whk schemes show <name> --definition`). */
export const catalogueDefinitions = (): readonly Definition[] => DEFINITIONS;
