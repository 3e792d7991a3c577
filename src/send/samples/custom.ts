import type { Definition } from '../../schemes/definition.js';
import { stripeId } from './ids.js';
import type { Provider, Sample, SampleContext } from './types.js';

/**
 * Sample events for a custom scheme (a definition): one generic JSON event, compact, with its
 * type, id and timestamp where the definition says receivers read them (a JSON pointer into the
 * body, or a header). What a provider really sends is the user's to give (--body-file); this is
 * enough to exercise a receiver's signature check.
 */
export function definitionProvider(def: Definition): Provider {
  const headerOf = (locator: string | undefined) => (locator?.startsWith('header:') ? locator.slice(7) : undefined);
  const pointerOf = (locator: string | undefined) => (locator?.startsWith('/') ? locator : undefined);
  // The id header of the scheme itself is set when signing (from the same id).
  const idHeader = headerOf(def.eventId);
  const typeHeader = headerOf(def.eventType);
  const signed = def.id?.header?.toLowerCase();
  const ts = def.timestamp;

  const sample = (event: string, description: string, data: Record<string, unknown>): Sample => ({
    event,
    description,
    ...(typeHeader ? { topic: event } : {}),
    body: (ctx: SampleContext) => {
      const body: Record<string, unknown> = {};
      set(body, pointerOf(def.eventId) ?? '/id', ctx.id);
      set(body, pointerOf(def.eventType) ?? '/type', event);
      set(body, '/created', ctx.created);
      if (ts?.body) set(body, ts.body, ts.unit === 'ms' ? ctx.nowMs : ts.unit === 'iso' ? new Date(ctx.nowMs).toISOString() : ctx.now);
      set(body, '/data', data);
      return JSON.stringify(body);
    },
  });

  return {
    scheme: def.name,
    ...(def.contentType ? { contentType: def.contentType } : {}),
    newId: () => stripeId('evt'),
    headers: (ctx, s) => ({
      ...(typeHeader ? { [typeHeader]: s.topic ?? s.event } : {}),
      ...(idHeader && idHeader.toLowerCase() !== signed ? { [idHeader]: ctx.id } : {}),
    }),
    events: [
      sample('whk.test', 'a test event from whk (generic: the body of a custom scheme is yours to give with --body-file)', { message: 'a test event from whk', amount: 4200, currency: 'EUR' }),
      sample('ping', 'a ping, as providers send when a webhook is set up', { message: 'ping' }),
    ],
  };
}

/** Sets `value` at a JSON pointer, making the objects on the way. */
function set(target: Record<string, unknown>, pointer: string, value: unknown): void {
  const tokens = pointer.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  let o = target;
  tokens.forEach((t, i) => {
    if (i === tokens.length - 1) {
      const had = o[t];
      if (had === undefined) o[t] = value;
      else if (isObject(had) && isObject(value)) for (const [k, v] of Object.entries(value)) if (!(k in had)) had[k] = v;
      return;
    }
    const next = o[t];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) o[t] = {};
    o = o[t] as Record<string, unknown>;
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
