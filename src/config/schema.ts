/**
 * The project config file, `whk.json`, stated once as a TypeBox schema: the validator (load.ts),
 * the TypeScript types, and the published JSON Schema `whk.schema.json` at the package root that
 * `"$schema"` points editors to (test/config/config.test.ts fails when the file differs, and
 * writes it with -u). Keys are the long names of `whk listen`'s flags in camelCase; `mounts` maps
 * a path to its settings. A key's `title` is what error messages quote.
 */
import type { Static } from '@sinclair/typebox';
import * as Type from '@sinclair/typebox';

const duration = (title: string, description: string) =>
  Type.Union([Type.String({ pattern: '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)?\\s*$' }), Type.Integer({ minimum: 0 })], { title, description });
const url = (description: string) => Type.String({ title: 'an http(s) URL, e.g. "http://127.0.0.1:3000/webhooks"', description, pattern: '^https?://\\S+$' });
const events = () => Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
  title: 'event types, e.g. "invoice.*" or ["push", "pull_request"]',
  description: 'Only these event types are handled (`*` matches any run of characters); others are answered 2xx and not forwarded.',
});
const secret = () => Type.String({
  title: 'a secret reference, e.g. "env:STRIPE_WEBHOOK_SECRET"',
  description: 'The signing secret: "env:NAME" reads the environment variable NAME (recommended); a literal secret works, with a warning (anyone who reads the file has it).',
  minLength: 1,
});
const secretFile = () => Type.String({ title: 'a file path, e.g. "./github.secret"', description: 'A file holding the secret(s), one per line; relative to this file\'s folder.', minLength: 1 });

export const MountSchema = Type.Object({
  scheme: Type.String({ title: 'a scheme name, e.g. "stripe" (whk schemes lists them)', description: 'The provider whose signatures this path verifies.', minLength: 1 }),
  secret: Type.Optional(secret()),
  secretFile: Type.Optional(secretFile()),
  tolerance: Type.Optional(Type.Integer({ title: 'seconds, e.g. 300', description: 'Timestamp tolerance; default: the scheme\'s own.', minimum: 0 })),
  events: Type.Optional(events()),
  forwardTo: Type.Optional(url('Where this path\'s events go when no route takes them (default: the top-level forwardTo).')),
  url: Type.Optional(url('The URL the provider signs (square, twilio, ...): default the public URL, else Host + path.')),
}, { title: 'a mount: {"scheme": ..., "secret": ...}', additionalProperties: false });

export const RouteSchema = Type.Object({
  match: Type.String({ title: 'a match, e.g. "stripe:invoice.*"', description: '[<mount or scheme>:]<event-type glob>; the first route that matches an event takes it.', minLength: 1 }),
  to: Type.Union([url('The target.'), Type.Array(url('A target.'), { minItems: 1 })], { title: 'a URL or a list of URLs', description: 'Where the event goes: several URLs fan out (each gets the exact bytes).' }),
}, { title: 'a route: {"match": ..., "to": ...}', additionalProperties: false });

export const ConfigSchema = Type.Object({
  $schema: Type.Optional(Type.String({ title: 'the JSON Schema of this file', description: 'For editors: e.g. "./node_modules/whk/whk.schema.json".' })),
  port: Type.Optional(Type.Integer({ title: 'a port, e.g. 4000 (0 picks a free one)', description: 'The port to listen on.', minimum: 0, maximum: 65535 })),
  host: Type.Optional(Type.String({ title: 'an address, e.g. "127.0.0.1"', description: 'The address to listen on (127.0.0.1 by default: only this machine).', minLength: 1 })),
  path: Type.Optional(Type.String({ title: 'a path, e.g. "/webhooks"', description: 'The path to receive on, without mounts.', pattern: '^/' })),
  scheme: Type.Optional(Type.String({ title: 'a scheme name or "auto"', description: 'The scheme to verify, without mounts (default auto).', minLength: 1 })),
  secret: Type.Optional(secret()),
  secretFile: Type.Optional(secretFile()),
  tolerance: Type.Optional(Type.Integer({ title: 'seconds, e.g. 300', description: 'Timestamp tolerance; default: the scheme\'s own.', minimum: 0 })),
  events: Type.Optional(events()),
  mounts: Type.Optional(Type.Record(Type.String({ pattern: '^/[^\\s=?#]*$' }), MountSchema, {
    title: 'paths to mounts, e.g. {"/stripe": {"scheme": "stripe", "secret": "env:STRIPE_WEBHOOK_SECRET"}}',
    description: 'Several providers on one listener: each path prefix verifies its own scheme with its own secret.',
    additionalProperties: false,
  })),
  routes: Type.Optional(Type.Array(RouteSchema, { title: 'a list of routes', description: 'Event types to targets, first match wins; forwardTo is the fallback.' })),
  forwardTo: Type.Optional(url('Where events go when no route takes them.')),
  forwardMethods: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z]+$' }), { title: 'methods, e.g. ["POST", "GET"]', description: 'The methods forwarded (others get 405).', minItems: 1 })),
  forwardTimeout: Type.Optional(duration('a duration, e.g. "30s"', 'How long your app may take to answer (504 after).')),
  queue: Type.Optional(Type.Boolean({ title: 'true or false', description: 'Journal each verified delivery and answer 2xx at once; deliver it from the journal with retries, in order per target.' })),
  queueMaxAge: Type.Optional(duration('a duration, e.g. "24h"', 'How long a queued delivery is retried before it is marked failed (and kept).')),
  maxBody: Type.Optional(Type.Union([Type.String({ pattern: '^\\s*\\d+(\\.\\d+)?\\s*(b|kb|k|mb|m|gb|g)?\\s*$' }), Type.Integer({ minimum: 1 })], { title: 'a size, e.g. "1mb"', description: 'Larger bodies get 413.' })),
  maxConnections: Type.Optional(Type.Integer({ title: 'a number, e.g. 1000', description: 'Connections open at once.', minimum: 1 })),
  shutdownTimeout: Type.Optional(duration('a duration, e.g. "10s"', 'On Ctrl-C or SIGTERM, how long requests in flight get to finish.')),
  inspect: Type.Optional(Type.Boolean({ title: 'true or false', description: 'The inspector page (default: on in a terminal).' })),
  inspectPort: Type.Optional(Type.Integer({ title: 'a port, e.g. 4040', description: 'The inspector\'s port.', minimum: 0, maximum: 65535 })),
  history: Type.Optional(Type.Boolean({ title: 'true or false', description: 'Keep every delivery in the history (default true).' })),
  record: Type.Optional(Type.String({ title: 'a file path', description: 'Append every event as NDJSON to this file (for whk replay).', minLength: 1 })),
  tunnel: Type.Optional(Type.Union([true, false, 'auto', 'ngrok', 'ssh', 'localtunnel', 'cloudflared'].map((p) => Type.Literal(p)), {
    title: 'true, false, or "auto", "ngrok", "ssh", "localtunnel", "cloudflared"',
    description: 'Expose the listener on a public URL (true: auto, ngrok with an authtoken, else ssh, else localtunnel).',
  })),
  tunnelHost: Type.Optional(Type.String({ title: 'a host, e.g. "a.pinggy.io"', description: 'ssh: the service, [user@]host[:port] (default localhost.run); localtunnel: the server URL.', minLength: 1 })),
}, { title: 'a whk.json object', additionalProperties: false });

export type Config = Static<typeof ConfigSchema>;
export type MountConfig = Static<typeof MountSchema>;

/** The published JSON Schema (whk.schema.json). */
export function publishedConfigSchema(): object {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'whk project config (whk.json)',
    description: 'Settings of `whk listen` for this project: keys are the long names of its flags in camelCase. Flags given on the command line win.',
    ...JSON.parse(JSON.stringify(ConfigSchema)) as object,
  };
}
