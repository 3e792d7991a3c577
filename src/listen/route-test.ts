import { describe, type Received } from './describe.js';
import type { EventRecord } from '../record.js';
import { recordBody } from '../record.js';
import { mountFor, pickTargets } from './gateway.js';
import { checkRequestPath } from './paths.js';
import { newState, type ListenerOptions } from './state.js';

/** Where a delivery would go through a listener set up with `opts`: what `whk routes test` prints. */
export interface RouteDecision {
  /** The mount that serves its path ('/stripe'), null without mounts; undefined: none serves it (404). */
  mount: string | null | undefined;
  scheme: string | null;
  /** valid, invalid (with the reason), or not verified (no secret). */
  verdict: { valid: boolean; reason: string; message: string } | null;
  eventType: string | null;
  eventId: string | null;
  filtered: boolean;
  /** The route that takes it (as written), or null: the fallback, or nowhere. */
  route: string | null;
  targets: string[];
  /** Why it would go nowhere, when it would not be forwarded. */
  why?: string;
}

/**
 * The steps of the listener up to the choice of targets, on a recorded delivery: its mount, its
 * verdict (signed now with the recording's signature: a stale one says so), its event type, the
 * filter and the route. Sends nothing.
 */
export function routeDelivery(opts: ListenerOptions, rec: Pick<EventRecord, 'method' | 'path' | 'headers' | 'body' | 'bodyEncoding' | 'receivedAt'>, now = Date.now()): RouteDecision {
  const s = newState(opts, () => undefined);
  const only = s.mounts.length === 1 ? s.mounts[0] : undefined;
  const where = checkRequestPath(rec.path || '/', only ? only.prefix : '');
  const mount = where.ok ? only ?? mountFor(s.mounts, where.path) : undefined;
  const none = { mount: undefined, scheme: null, verdict: null, eventType: null, eventId: null, filtered: false, route: null, targets: [] };
  if (!mount) return { ...none, why: `no mount serves ${rec.path} (the listener would answer 404)` };
  const r: Received = { seq: 0, receivedAt: now, method: rec.method || 'POST', path: rec.path, headers: lower(rec.headers), body: recordBody(rec) };
  const verifying = mount.secrets.length > 0;
  const delivery = { body: r.body, headers: r.headers, method: r.method, now: Math.floor(now / 1000), url: mount.url };
  const verdict = verifying ? mount.judge.judge(0, delivery) : null;
  const { record } = describe(mount.describe, r, verdict);
  const base = { mount: mount.name, scheme: record.scheme, verdict: record.verdict && { valid: record.verdict.valid, reason: record.verdict.reason, message: record.verdict.message }, eventType: record.eventType, eventId: record.eventId, filtered: record.filtered };
  if (verdict && !verdict.valid) return { ...base, route: null, targets: [], why: `refused (${verdict.reason}): a refused delivery is answered 401 and not forwarded` };
  if (record.filtered) return { ...base, route: null, targets: [], why: 'its event type is not in the events this mount handles: answered 2xx, not forwarded' };
  const { route, targets } = pickTargets(s.routes, { mount: mount.name, scheme: record.scheme, type: record.eventType }, mount.fallback);
  return { ...base, route, targets, ...(targets.length === 0 ? { why: 'no route matches and there is no --forward-to: recorded, not forwarded' } : {}) };
}

const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
