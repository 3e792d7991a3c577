/**
 * THE definition format, stated once. This TypeBox schema is at the same time:
 * - the validator of custom definitions (check.ts runs it, messages.ts words its errors);
 * - the TypeScript types (`Definition` and its parts are `Static<>` of it);
 * - the published JSON Schema, schemes.schema.json at the package root (`publishedSchema()`;
 *   test/schemes/definition-schema.test.ts fails when the file differs, and writes it with -u:
 *   `npx vitest run test/schemes/definition-schema.test.ts -u`).
 * In each key, `title` is the short "what goes here" that error messages quote ("is missing: a
 * header name, e.g. ..."), `description` the explanation editors show. Rules a JSON Schema
 * cannot say (the placeholders of "signs" and "value", where the timestamp is, ...) are code, in
 * rules.ts. This module loads only when a custom definition is read: never for `whk sign --scheme dfns`.
 */
import type { Static, TSchema } from '@sinclair/typebox';
// TypeBox's builders one by one, not its `Type` object (which holds every builder): the bundle keeps only these.
import * as Type from '@sinclair/typebox';
import { PATTERNS } from './patterns.js';

/** Ten years, in seconds: the largest timestamp tolerance. */
export const MAX_TOLERANCE = 10 * 365 * 24 * 3600;

const line = (title: string, description: string, maxLength = 500) =>
  Type.String({ title, description, minLength: 1, maxLength, pattern: PATTERNS.line });
const text = (title: string, description: string, maxLength: number) =>
  Type.String({ title, description, minLength: 1, maxLength, pattern: PATTERNS.text });
const headerName = (description: string) =>
  Type.String({ title: 'a header name, e.g. "X-Acme-Signature"', description, minLength: 1, maxLength: 100, pattern: PATTERNS.header });
const locator = (description: string) =>
  Type.String({ title: 'a JSON pointer into the body ("/type") or "header:Name"', description, minLength: 1, maxLength: 500, pattern: PATTERNS.locator });
/** One of a few strings. */
const oneOf = <T extends string>(values: readonly [T, ...T[]], description: string, extra: { default?: T } = {}) =>
  Type.Union(values.map((v) => Type.Literal(v)), { description, ...extra });
const headers = () => Type.Record(
  Type.String({ pattern: PATTERNS.header }),
  Type.String({ maxLength: 2000, pattern: PATTERNS.headerValue }),
  { title: 'header names and values', description: 'Header name -> value; {{id}}, {{now}}, {{event}}... are replaced.', additionalProperties: false },
);

const Timestamp = Type.Object({
  header: Type.Optional(headerName('The header that carries the timestamp.')),
  body: Type.Optional(Type.String({
    title: 'a JSON pointer into the body, e.g. "/timestampSent"', minLength: 1, maxLength: 500, pattern: PATTERNS.pointer,
    description: 'A JSON pointer to the timestamp inside the body, e.g. "/timestampSent".',
  })),
  unit: Type.Optional(oneOf(['s', 'ms', 'iso'], 'Unix seconds, milliseconds, or an ISO 8601 time.', { default: 's' })),
  tolerance: Type.Optional(Type.Integer({ title: 'a number of seconds', minimum: 0, maximum: MAX_TOLERANCE, default: 300, description: 'Seconds a delivery may be away from now.' })),
  direction: Type.Optional(oneOf(['both', 'past'], 'both: too old and too far in the future fail; past: only too old.', { default: 'both' })),
  strict: Type.Optional(Type.Boolean({ default: false, description: 'Valid only while |age| < tolerance (default: <=).' })),
}, {
  additionalProperties: false,
  description: 'Where the signed timestamp is, when "value" has no {timestamp}, and how old a delivery may be.',
  // For editors; whk says which places it found (rules.ts).
  not: { required: ['header', 'body'] },
});

const SampleEvent = Type.Object({
  event: line('the name --event takes', 'What --event takes.', 100),
  description: line('one line for --list-events', 'One line for --list-events.', 300),
  body: Type.Unknown({ title: 'the body the provider sends (JSON, or text)', description: 'A JSON value (written as "json" says), or the exact text of a non-JSON body.' }),
  headers: Type.Optional(headers()),
}, { additionalProperties: false });

const Samples = Type.Object({
  userAgent: Type.Optional(line('a User-Agent', 'The provider\'s User-Agent.', 300)),
  id: Type.Optional(line('uuid, ulid, hex, digits or a prefix such as "evt_"', 'The shape of {{id}}: uuid (default), ulid, hex, digits, or a prefix such as "evt_".', 40)),
  headers: Type.Optional(headers()),
  json: Type.Optional(oneOf(['compact', 'pretty'], 'How a JSON body is written (default compact).')),
  events: Type.Array(SampleEvent, { title: 'a list of events ({"event", "description", "body"})', minItems: 1, description: 'The first is the default event.' }),
}, {
  title: 'an object with "events"',
  additionalProperties: false,
  description: 'Realistic sample events for whk send and whk probe, as data. In every string, {{id}}, {{delivery}}, {{created}} (ISO 8601), {{createdUnix}}, {{now}}, {{nowMs}}, {{url}} and {{event}} are replaced; a string that is exactly "{{now}}", "{{nowMs}}" or "{{createdUnix}}" becomes a number.',
});

const Handshake = Type.Object({
  echo: Type.String({
    title: 'where the value to echo is: "query:<name>" or "body:<JSON pointer>"', minLength: 1, maxLength: 200, pattern: PATTERNS.echo,
    description: 'Where the value to echo is: query:<name> or body:<JSON pointer>.',
  }),
  when: Type.Optional(Type.String({
    title: 'what marks the request: "query:<name>=<value>", "header:<Name>=<value>" or "body:<JSON pointer>=<value>"', minLength: 1, maxLength: 300, pattern: PATTERNS.when,
    description: 'What marks the request: query:<name>=<value>, header:<Name>=<value> or body:<JSON pointer>=<value>.',
  })),
  contentType: Type.Optional(line('a media type, e.g. "text/plain"', 'Content-Type of the answer (default text/plain).', 200)),
}, {
  title: 'an object with "echo"',
  additionalProperties: false,
  description: 'The provider\'s endpoint verification, answered by whk listen: echo a query parameter or a body field, when the request is marked so.',
});

/** The properties of a definition, in the order messages list them. */
const properties = {
  $schema: Type.Optional(line('the JSON Schema of this file', 'The JSON Schema of this file, for editors (e.g. ./node_modules/whk/schemes.schema.json).')),
  $comment: Type.Optional(line('a note for humans', 'A note for humans; whk ignores it.', 2000)),
  name: Type.String({
    title: 'the name --scheme takes, e.g. "acme"', minLength: 1, maxLength: 64, pattern: PATTERNS.name,
    description: 'What --scheme takes: lower-case letters, digits, ".", "-" and "_". Not the name of a built-in scheme, nor "auto".',
  }),
  provider: Type.Optional(line('who sends it, e.g. "Acme Payments"', 'Who sends the webhooks, for whk schemes (default: the name).', 200)),
  docs: Type.Optional(Type.String({
    title: 'the URL of the provider\'s documentation', minLength: 1, maxLength: 2000, pattern: PATTERNS.url,
    description: 'Where the provider documents its signatures (an http(s) URL).',
  })),
  aliases: Type.Optional(Type.Array(
    Type.String({ title: 'another scheme name (lower-case letters, digits, ".", "-" and "_"; not "auto")', pattern: PATTERNS.name }),
    { title: 'an array of names', uniqueItems: true, description: 'Other names --scheme takes (e.g. "facebook" for meta).' },
  )),
  checkedBy: Type.Optional(line('what the definition was checked against', 'What the definition was checked against: the provider\'s docs, an SDK, published test vectors.', 2000)),
  status: Type.Optional(oneOf(['confirmed', 'unconfirmed', 'needs-code'],
    'confirmed from the provider\'s own material, or unconfirmed (from secondary sources). needs-code marks research on a provider the format cannot express: whk does not run it.')),
  needs: Type.Optional(text('what the format cannot say', 'For needs-code: what the format cannot say about this provider.', 4000)),
  notes: Type.Optional(text('notes for humans', 'Notes for humans; whk ignores them.', 10000)),
  hmac: oneOf(['sha1', 'sha256', 'sha512'], 'The HMAC hash function.'),
  key: Type.Optional(oneOf(['utf8', 'base64', 'hex', 'whsec'],
    'How the secret becomes the HMAC key: utf8 (its text, the default), base64 or hex (the decoded bytes), whsec (whsec_<base64>, prefix optional, decoded).', { default: 'utf8' })),
  signs: Type.Optional(Type.String({
    title: 'the signed content, e.g. "{timestamp}.{body}"', minLength: 1, maxLength: 500, pattern: PATTERNS.signs, default: '{body}',
    description: 'The signed content: {body} (the raw bytes, exactly once) and any of {timestamp}, {id}, {url}, {method}, {header:Name}, with literal text between them, e.g. "{timestamp}.{body}" or "v0:{timestamp}:{body}".',
  })),
  header: headerName('The header that carries the signature, e.g. "X-Acme-Signature".'),
  value: Type.Optional(Type.String({
    title: 'the header\'s value, e.g. "sha256={signature}"', minLength: 1, maxLength: 500, pattern: PATTERNS.value, default: '{signature}',
    description: 'The header\'s value. One signature: "{signature}" or "sha256={signature}". A list of label=value entries in any order, signatures repeatable (secret rotation), unknown entries ignored: "t={timestamp},v1={signature}". Placeholders: {signature}, {timestamp}, {id}.',
  })),
  separator: Type.Optional(oneOf([' ', ',', ';'],
    'Several signatures in one header, separated by this, each entry shaped like "value" (e.g. "v1,{signature}" with " ": "v1,<sig> v1,<sig>"). With a list form of "value", which has a separator of its own, this one separates whole groups shaped like "value" (Persona: "t=<ts>,v1=<sig> t=<ts>,v1=<sig>").')),
  encoding: oneOf(['hex', 'base64', 'base64url'], 'How the digest is written in the header.'),
  timestamp: Type.Optional(Timestamp),
  id: Type.Optional(Type.Object({ header: headerName('The header that carries the message id.') }, {
    additionalProperties: false, description: 'Where the message id {id} is, when "value" has no {id}.',
  })),
  eventType: Type.Optional(locator('Where the event type is: a JSON pointer into the body ("/type") or "header:Name".')),
  eventId: Type.Optional(locator('Where the event id is: a JSON pointer into the body ("/id") or "header:Name".')),
  contentType: Type.Optional(line('a media type, e.g. "application/json"', 'Content-Type of the deliveries (default application/json).', 200)),
  samples: Type.Optional(Samples),
  handshake: Type.Optional(Handshake),
};

/** One provider's HMAC signature scheme, as data. */
export const DefinitionSchema = Type.Object(properties, {
  additionalProperties: false,
  // For editors: research notes the format cannot express are not definitions whk runs (check.ts says so first).
  not: { required: ['status'], properties: { status: { const: 'needs-code' } } },
});

/**
 * A provider's HMAC signature scheme as data: what is signed, with which key, and where the
 * signature, the timestamp and the id travel. `defineScheme` turns one into a `Scheme`.
 */
export type Definition = Static<typeof DefinitionSchema>;
/** An endpoint verification that echoes a value (Dropbox's ?challenge=, Twitch's challenge). */
export type DefinitionHandshake = Static<typeof Handshake>;
/** Sample events as data, for `whk send` and `whk probe`. */
export type DefinitionSamples = Static<typeof Samples>;
export type HmacAlgorithm = Definition['hmac'];
export type KeyDecoding = NonNullable<Definition['key']>;
export type SignatureEncoding = Definition['encoding'];
export type TimeUnit = NonNullable<Static<typeof Timestamp>['unit']>;

/** schemes.schema.json: one definition, or an array of them (JSON Schema draft-07). */
export function publishedSchema(): Record<string, unknown> {
  const scheme: TSchema = DefinitionSchema;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'whk custom signature schemes',
    description: 'One webhook signature scheme (HMAC), or an array of them, for whk --scheme-file and ~/.config/whk/schemes/*.json. Start from a real one: whk schemes show github --definition.',
    oneOf: [{ $ref: '#/definitions/scheme' }, { type: 'array', minItems: 1, items: { $ref: '#/definitions/scheme' } }],
    // A JSON copy: TypeBox's own marks are symbols, which JSON leaves out.
    definitions: { scheme: JSON.parse(JSON.stringify(scheme)) as unknown },
  };
}
