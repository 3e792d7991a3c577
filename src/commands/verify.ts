import type { Registry } from '../schemes/registry.js';
import { renderVerdict } from '../render/verdict.js';
import { verdictJson } from '../record.js';
import { loadStyle, useColor } from '../render/style.js';
import { termSafeJson } from '../render/safe.js';
import { checkSecrets, environmentSecrets, readBody, readHeaders, readSecrets, type IO } from '../io/input.js';
import type { Verdict } from '../schemes/types.js';
import * as F from '../flags.js';
import { example, type Spec } from './spec.js';

export interface VerifyFlags {
  /** The run's schemes (src/cli.ts builds it). */
  registry: Registry;
  scheme?: string;
  secret?: string[];
  secretFile?: string;
  header?: string[];
  headersFile?: string;
  body?: string;
  bodyFile?: string;
  /** The largest body read from a file or stdin (--max-body). */
  maxBody?: number;
  /** Unix seconds. */
  now?: number;
  tolerance?: number;
  url?: string;
  /** The request method of the delivery, for schemes that sign it. */
  method?: string;
  json?: boolean;
  color?: boolean;
}

/** Exit code of a verdict: 0 valid, 2 for a secret the scheme cannot use, 1 otherwise. */
export const verdictExitCode = (v: Verdict) => (v.valid ? 0 : v.reason === 'bad_secret' ? 2 : 1);

/** `whk verify`: judges one delivery; exit 0 valid, 1 invalid, 2 usage. */
export async function verifyCommand(flags: VerifyFlags, { out }: IO): Promise<number> {
  const { registry } = flags;
  const scheme = !flags.scheme || flags.scheme === 'auto' ? 'auto' : registry.get(flags.scheme);
  // A provider that publishes its keys (Fireblocks) is checked against them when no secret is given.
  const secrets = readSecrets(flags, !(scheme !== 'auto' && scheme.publishedKeys));
  const headers = await readHeaders(flags);
  // Before the body, which may be large: refuse a secret that no scheme in question can use.
  checkSecrets(scheme === 'auto' ? registry.detect(headers) : [scheme], secrets, 'verify');
  const body = await readBody(flags);
  const verdict = registry.verify(scheme, {
    body,
    headers,
    secrets,
    now: flags.now,
    tolerance: flags.tolerance,
    url: flags.url,
    ...(flags.method ? { method: flags.method } : {}),
    otherSecrets: () => environmentSecrets(secrets),
  });
  out(flags.json ? termSafeJson(JSON.stringify(verdictJson(verdict))) : renderVerdict(verdict, await loadStyle(useColor(process.stdout, flags.color))));
  return verdictExitCode(verdict);
}

/** `whk verify` as the program declares it (src/cli.ts) and src/quick.ts parses it. */
export const VERIFY: Spec = {
  name: 'verify',
  description: 'check the signature of a delivery; exit 0 valid, 1 invalid, 2 usage error',
  flags: [
    { flags: '--scheme <name>', help: 'signature scheme, or auto to detect it from the headers', parse: F.scheme(true), default: 'auto' },
    ...F.BODY, ...F.SECRETS, F.SCHEME_FILE,
    { flags: '--header <line>', help: 'a received header, "Name: value" (repeatable)', parse: F.collect },
    { flags: '--headers-file <path>', help: 'received headers, one "Name: value" per line (what whk sign prints)' },
    { flags: '--now <unix>', help: 'the current time, Unix seconds (for reproducible checks)', parse: F.unixTime('--now') },
    { flags: '--tolerance <seconds>', help: "timestamp tolerance (default: the scheme's own)", parse: F.integer('--tolerance') },
    { flags: '--url <url>', help: 'the URL the delivery was sent to, for schemes that sign it (square, twilio, hubspot, ...)' },
    { flags: '--method <verb>', help: 'the request method of the delivery, for schemes that sign it (default POST)', parse: F.method('--method') },
    { flags: '--json', help: 'print {"valid","scheme","reason","message","diagnosis"} as JSON' },
  ],
  help: [F.SECRET_HELP, example('whk verify --scheme dfns --secret s3cret --headers-file headers.txt --body-file body.json')],
  run: (c) => verifyCommand({ ...c.opts<VerifyFlags>(), color: c.color }, c.io),
};
