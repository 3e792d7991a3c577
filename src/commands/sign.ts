import { signDelivery } from '../schemes/core.js';
import { usage } from '../errors.js';
import { getScheme } from '../schemes/registry.js';
import { isUtf8 } from 'node:buffer';
import { checkSecrets, parseHeaderLines, readBody, readSecrets, type IO } from './input.js';

export interface SignFlags {
  scheme?: string;
  secret?: string[];
  secretFile?: string;
  body?: string;
  bodyFile?: string;
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

/**
 * `whk sign`: prints the headers the provider would send, one `Name: value` line each; for a
 * scheme that signs inside the body (Amazon SNS), then a blank line and the signed body.
 */
export async function signCommand(flags: SignFlags, { out }: IO): Promise<number> {
  if (!flags.scheme) throw usage('no_scheme', 'missing --scheme <name>: whk schemes lists them');
  const scheme = getScheme(flags.scheme);
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
  const body = await readBody(flags);
  const { headers, body: signedBody } = signDelivery(scheme, {
    body,
    secrets,
    timestamp: flags.timestamp,
    id: flags.id,
    url: flags.url,
    ...(flags.method ? { method: flags.method } : {}),
    ...(given ? { headers: given } : {}),
  });
  // A scheme that signs inside the body (Amazon SNS) changes the body: it is what to send.
  const sent = Buffer.from(signedBody);
  if (flags.json) {
    const isText = isUtf8(sent);
    out(JSON.stringify({ scheme: scheme.name, headers, body: sent.toString(isText ? 'utf8' : 'base64'), ...(isText ? {} : { bodyEncoding: 'base64' }) }));
  } else {
    const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\n');
    // The headers, a blank line, then the signed body (an HTTP message's shape).
    out(scheme.bodySignature ? `${lines}\n\n${sent.toString('utf8')}` : lines);
  }
  return 0;
}
