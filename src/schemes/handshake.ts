import type { DefinitionHandshake } from './definition/schema.js';
import { at, parseJsonBody, pointerTokens } from './fields.js';
import type { HandshakeAnswer, HandshakeRequest } from './types.js';

/** Where a handshake reads a value: `query:<name>`, `header:<Name>`, `body:<JSON pointer>`. */
const LOCATED = /^(query|header|body):(.+)$/;

/**
 * The handshake of a definition: echo a query parameter or a body field, when the request is
 * marked so. `when` is `<where>:<name>=<value>`: the name holds no "=" (the schema says so), the
 * value may.
 */
export function definitionHandshake(h: DefinitionHandshake, provider: string): (req: HandshakeRequest) => HandshakeAnswer | undefined {
  const read = (locator: string, req: HandshakeRequest): string | undefined => {
    const [, where, what] = LOCATED.exec(locator)!;
    if (where === 'query') return req.query.get(what!) ?? undefined;
    if (where === 'header') return req.headers[what!.toLowerCase()];
    const v = at(parseJsonBody(req.body)?.value, pointerTokens(what!));
    return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
  };
  const equals = h.when?.indexOf('=') ?? -1;
  const [whenAt, whenValue] = h.when === undefined ? [] : [h.when.slice(0, equals), h.when.slice(equals + 1)];
  return (req) => {
    if (whenAt !== undefined && read(whenAt, req) !== whenValue) return undefined;
    const value = read(h.echo, req);
    return value === undefined ? undefined : { status: 200, contentType: h.contentType ?? 'text/plain', body: value, what: `${provider} endpoint verification (${h.echo})` };
  };
}
