/**
 * A definition compiled into a `Scheme`, in named steps (steps.ts): the signed content, the
 * header's value, the timestamp rule, the message id, the HMAC; then signing and verifying with
 * them (sign-verify.ts), and the scheme's description for `whk schemes`.
 *
 * `compileDefinition` trusts its definition: whk's own (src/providers/definitions/*.json, checked
 * against the schema by the tests), or one `parseDefinition` checked. The library's
 * `defineScheme` checks first. This module never loads the schema library.
 */
import { at, pointerTokens } from '../fields.js';
import { definitionHandshake } from '../handshake.js';
import type { Scheme } from '../types.js';
import { listReadable } from './header-value.js';
import type { Definition, KeyDecoding } from './schema.js';
import { type Compiled, misassemblies, signer, verifier } from './sign-verify.js';
import { headerValue, hmacOf, messageId, signedContent, timing } from './steps.js';

const SECRET_FORMAT: Record<KeyDecoding, string> = {
  utf8: 'the secret as text (UTF-8)',
  base64: 'base64: the key is the decoded bytes',
  hex: 'hex: the key is the decoded bytes',
  whsec: 'whsec_<base64>: the key is the decoded bytes (prefix optional)',
};

/** A scheme from a definition that has been checked; `source` names its file in messages ("acme.json"). */
export function compileDefinition(def: Definition, source?: string): Scheme {
  const name = def.name;
  const value = headerValue(def, name);
  const hmac = hmacOf(def, name);
  const signed = signedContent(def, name);
  const over = signed.readable === 'body' ? 'the body' : `"${signed.readable}"`;
  const c: Compiled = {
    name,
    header: def.header,
    signed,
    value,
    time: timing(def, value.list),
    id: messageId(def, value.list),
    hmac,
    check: `${source ? `custom definition (${source})` : `definition of ${name}`}: ${hmac.title} ${hmac.encoding} over ${over}`,
  };
  const scheme: Scheme = {
    ...describe(def, c, source),
    sign: signer(c),
    verify: verifier(c, () => scheme),
    misassemblies: misassemblies(c),
    eventInfo: eventInfo(def),
  };
  return scheme;
}

/** What `whk schemes` and the rest of whk read about the scheme. */
function describe(def: Definition, c: Compiled, source: string | undefined): Omit<Scheme, 'sign' | 'verify'> {
  const { name, signed, value, time, id, hmac } = c;
  const keyDecoding = def.key ?? 'utf8';
  const own = [time?.header, id?.header];
  // A top-level numeric body field is rewritten in place when re-signing (replay --resign).
  const field = time?.pointer?.length === 1 && time.unit !== 'iso' ? { field: time.pointer[0]!, unit: time.unit } : undefined;
  return {
    name,
    provider: def.provider ?? name,
    ...(def.docs ? { docs: def.docs } : {}),
    ...(def.checkedBy ? { checkedBy: def.checkedBy } : {}),
    ...(def.aliases ? { aliases: def.aliases } : {}),
    headers: [def.header, ...own.filter((x): x is string => x !== undefined), ...signed.headers.filter((x) => !own.includes(x))],
    algorithm: `${hmac.title} ${hmac.encoding} over ${signed.readable === 'body' ? 'the body' : `"${signed.readable}"`}, as "${value.readable}"${listReadable(value.list, def.separator)}`,
    timestamp: time?.rule ?? null,
    secretFormat: SECRET_FORMAT[keyDecoding],
    multipleSecrets: value.list !== undefined,
    ...(signed.needsUrl ? { needsUrl: true } : {}),
    contentType: def.contentType ?? 'application/json',
    definition: def,
    ...(source ? { source } : {}),
    keyDecoding,
    keyKind: keyDecoding === 'utf8' ? 'text' : keyDecoding,
    ...(def.handshake ? { handshake: definitionHandshake(def.handshake, def.provider ?? name) } : {}),
    ...(field ? { bodyTimestamp: field } : {}),
  };
}

/** Where the event type and id are: "/json/pointer" or "header:Name" (the id defaults to the message id's header). */
function eventInfo(def: Definition): NonNullable<Scheme['eventInfo']> {
  const type = def.eventType === undefined ? undefined : locator(def.eventType);
  const idAt = def.eventId ?? (def.id?.header ? `header:${def.id.header}` : undefined);
  const id = idAt === undefined ? undefined : locator(idAt);
  return (headers, json) => ({ type: type?.(headers, json), id: id?.(headers, json) });
}

/** Reads an event type or id where a locator says; strings and numbers only. */
function locator(where: string): (headers: Record<string, string>, json: unknown) => string | undefined {
  const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);
  if (where.startsWith('header:')) {
    const name = where.slice(7).toLowerCase();
    return (headers) => text(headers[name]);
  }
  const tokens = pointerTokens(where);
  return (_h, json) => text(at(json, tokens));
}
