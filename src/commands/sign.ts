import { signDelivery } from '../schemes/core.js';
import { usage } from '../errors.js';
import type { Registry } from '../schemes/registry.js';
import { isUtf8 } from 'node:buffer';
import { checkSecrets, parseHeaderLines, readBody, readSecrets, type IO } from '../io/input.js';
import * as F from '../flags.js';
import { example, type Spec } from './spec.js';

export interface SignFlags {
  /** The run's schemes (src/cli.ts builds it). */
  registry: Registry;
  scheme?: string;
  secret?: string[];
  secretFile?: string;
  body?: string;
  bodyFile?: string;
  /** The largest body read from a file or stdin (--max-body). */
  maxBody?: number;
  /** Unix seconds. */
  timestamp?: number;
  id?: string;
  url?: string;
  /** The request method, for schemes that sign it. */
  method?: string;
  /** Headers the scheme signs ({header:Name} in a definition), "Name: value". */
  header?: string[];
  json?: boolean;
}

/** `whk sign`: prints the headers the provider would send, one `Name: value` line each. */
export async function signCommand(flags: SignFlags, { out }: IO): Promise<number> {
  if (!flags.scheme) throw usage('no_scheme', 'missing --scheme <name>: whk schemes lists them');
  const scheme = flags.registry.get(flags.scheme);
  const secrets = readSecrets(flags);
  if (secrets.length > 1 && !scheme.multipleSecrets) {
    throw usage('too_many_secrets', `${scheme.name} signs with one secret, got ${secrets.length}: pass a single --secret`);
  }
  checkSecrets([scheme], secrets, 'sign');
  const given = flags.header ? parseHeaderLines(flags.header, '--header') : undefined;
  for (const name of Object.keys(given ?? {})) {
    if (!scheme.headers.some((h) => h.toLowerCase() === name)) {
      throw usage('unsigned_header', `--header ${name}: ${scheme.name} does not sign that header (it signs ${scheme.headers.join(', ')}); --header gives the value of a header a definition signs ({header:Name})`);
    }
  }
  const givenBody = await readBody(flags);
  // A scheme that signs inside the body (Mailgun) gives the body back with its signature in it.
  const { headers, body } = signDelivery(scheme, {
    body: givenBody,
    secrets,
    timestamp: flags.timestamp,
    id: flags.id,
    url: flags.url,
    ...(flags.method ? { method: flags.method } : {}),
    ...(given ? { headers: given } : {}),
  });
  if (flags.json) {
    const isText = isUtf8(body);
    out(JSON.stringify({ scheme: scheme.name, headers, body: body.toString(isText ? 'utf8' : 'base64'), ...(isText ? {} : { bodyEncoding: 'base64' }) }));
  } else {
    const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
    // The signed body follows the headers (after a blank line, as in an HTTP message) when the
    // signature is inside it.
    if (scheme.signBody) lines.push(...(lines.length > 0 ? [''] : []), body.toString('utf8'));
    out(lines.join('\n'));
  }
  return 0;
}

/** `whk sign` as the program declares it (src/cli.ts) and src/quick.ts parses it. */
export const SIGN: Spec = {
  name: 'sign',
  description: 'print the headers a provider would send with a body (one "Name: value" per line)',
  flags: [
    { flags: '--scheme <name>', help: 'signature scheme (required; whk schemes lists them)', parse: F.scheme(false) },
    ...F.BODY, ...F.SECRETS, F.SCHEME_FILE,
    { flags: '--header <line>', help: 'a header the scheme signs, "Name: value" ({header:Name} in a definition; repeatable)', parse: F.collect },
    { flags: '--timestamp <unix>', help: 'timestamp to sign, Unix seconds (default: now)', parse: F.unixTime('--timestamp') },
    { flags: '--id <id>', help: 'message id, where the scheme has one (default: a fresh one)' },
    { flags: '--url <url>', help: 'the URL the provider posts to, for schemes that sign it (square, twilio, hubspot, ...)' },
    { flags: '--method <verb>', help: 'the request method, for schemes that sign it (default POST)', parse: F.method('--method') },
    { flags: '--json', help: 'print {"scheme","headers","body"} as JSON' },
  ],
  help: [F.SECRET_HELP, example(`whk sign --scheme dfns --secret s3cret --body '{"kind":"wallet.created"}' > headers.txt`)],
  run: (c) => signCommand(c.opts<SignFlags>(), c.io),
};
