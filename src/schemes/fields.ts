import { usage } from '../errors.js';

/** String fields `typeField` and `idField` of a parsed body, for a scheme's eventInfo. */
export function idAndType(json: unknown, typeField: string, idField: string): { type?: string; id?: string } {
  const o = (json ?? {}) as Record<string, unknown>;
  return {
    type: typeof o[typeField] === 'string' ? (o[typeField] as string) : undefined,
    id: typeof o[idField] === 'string' ? (o[idField] as string) : undefined,
  };
}

const parsed = new WeakMap<Buffer, { value: unknown } | null>();

/**
 * The body parsed as JSON (`null` when it is not JSON), once per body: the listener's describing
 * step reuses what verifying parsed. Callers must not change the value they get.
 */
export function parseJsonBody(body: Buffer): { value: unknown } | null {
  let r = parsed.get(body);
  if (r === undefined) {
    try {
      r = { value: JSON.parse(body.toString('utf8')) };
    } catch {
      r = null;
    }
    parsed.set(body, r);
  }
  return r;
}

/** A top-level numeric field of a JSON body (Dfns timestampSent, Linear webhookTimestamp). */
export function bodyNumber(body: Buffer, field: string): number | undefined {
  const v = (parseJsonBody(body)?.value as Record<string, unknown> | null | undefined)?.[field];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The URL a URL-signing scheme (square, twilio) needs; a usage error saying so otherwise. */
export function requireUrl(scheme: string, url: string | undefined, what: string): string {
  if (!url) throw usage('missing_url', `${scheme} signs ${what}: the URL it posts to is needed`);
  return url;
}
