import type { Definition, DefinitionSamples } from '../schemes/definition.js';
import { hexChars, snowflake, stripeId, ulid, uuid } from './ids.js';
import type { Samples, Sample, SampleContext } from '../schemes/samples.js';

/**
 * Sample events for a custom scheme (a definition): one generic JSON event, compact, with its
 * type, id and timestamp where the definition says receivers read them (a JSON pointer into the
 * body, or a header). What a provider really sends is the user's to give (--body-file); this is
 * enough to exercise a receiver's signature check.
 */
export function definitionProvider(def: Definition): Samples {
  if (def.samples) return fromData(def, def.samples);
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
function set(target: Record<string, unknown>, pointer: string, value: unknown, replace = false): void {
  const tokens = pointer.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  let o = target;
  tokens.forEach((t, i) => {
    if (i === tokens.length - 1) {
      const had = o[t];
      if (had === undefined || replace) o[t] = value;
      else if (isObject(had) && isObject(value)) for (const [k, v] of Object.entries(value)) if (!(k in had)) had[k] = v;
      return;
    }
    const next = o[t];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) o[t] = {};
    o = o[t] as Record<string, unknown>;
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------
// Samples written as data in the definition (`"samples"`)

const NUMBERS = new Set(['now', 'nowMs', 'createdUnix']);
const PLACEHOLDER = /\{\{(id|delivery|created|createdUnix|now|nowMs|url|event)\}\}/g;

const fill = (text: string, ctx: SampleContext, event: string): string =>
  text.replace(PLACEHOLDER, (_m, k: string) => (k === 'event' ? event : String(ctx[k as keyof SampleContext])));

/** The JSON value with its placeholders filled; `"{{now}}"` alone becomes a number. */
function fillJson(v: unknown, ctx: SampleContext, event: string): unknown {
  if (typeof v === 'string') {
    const whole = /^\{\{(\w+)\}\}$/.exec(v)?.[1];
    return whole && NUMBERS.has(whole) ? ctx[whole as keyof SampleContext] : fill(v, ctx, event);
  }
  if (Array.isArray(v)) return v.map((x) => fillJson(x, ctx, event));
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fillJson(x, ctx, event)]));
  return v;
}

const newIdOf = (shape: string | undefined): (() => string) => {
  switch (shape ?? 'uuid') {
    case 'uuid': return uuid;
    case 'ulid': return ulid;
    case 'hex': return () => hexChars(32);
    case 'digits': return snowflake;
    default: return () => `${shape}${stripeId('x').slice(2)}`;
  }
};

function fromData(def: Definition, data: DefinitionSamples): Samples {
  const headerOf = (locator: string | undefined) => (locator?.startsWith('header:') ? locator.slice(7) : undefined);
  const typeHeader = headerOf(def.eventType);
  const idHeader = headerOf(def.eventId);
  const signed = def.id?.header?.toLowerCase();
  const ts = def.timestamp;
  const headersOf = (h: Record<string, string> | undefined, ctx: SampleContext, event: string) =>
    Object.fromEntries(Object.entries(h ?? {}).map(([k, v]) => [k, fill(v, ctx, event)]));
  const events: Sample[] = data.events.map((e) => ({
    event: e.event,
    description: e.description,
    ...(typeHeader ? { topic: e.event } : {}),
    body: (ctx: SampleContext) => {
      if (typeof e.body === 'string') return fill(e.body, ctx, e.event);
      const body = fillJson(e.body, ctx, e.event);
      // A timestamp the definition reads from the body is the one the signature covers: now.
      if (ts?.body && isObject(body)) set(body, ts.body, ts.unit === 'ms' ? ctx.nowMs : ts.unit === 'iso' ? new Date(ctx.nowMs).toISOString() : ctx.now, true);
      return data.json === 'pretty' ? JSON.stringify(body, null, 2) : JSON.stringify(body);
    },
  }));
  return {
    scheme: def.name,
    ...(data.userAgent ? { userAgent: data.userAgent } : {}),
    ...(def.contentType ? { contentType: def.contentType } : {}),
    newId: newIdOf(data.id),
    headers: (ctx, sample) => {
      const own = data.events.find((e) => e.event === sample.event);
      return {
        ...(typeHeader ? { [typeHeader]: sample.topic ?? sample.event } : {}),
        ...(idHeader && idHeader.toLowerCase() !== signed ? { [idHeader]: ctx.id } : {}),
        ...headersOf(data.headers, ctx, sample.event),
        ...headersOf(own?.headers, ctx, sample.event),
      };
    },
    events,
  };
}
