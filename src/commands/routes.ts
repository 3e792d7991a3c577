import { existsSync } from 'node:fs';
import { usage } from '../errors.js';
import { findEntry } from '../history/store.js';
import { readFileFor, type IO } from '../io/input.js';
import { routeDelivery, type RouteDecision } from '../listen/route-test.js';
import type { EventRecord } from '../record.js';
import { termSafeLine } from '../render/safe.js';
import { planListen, type ListenFlags } from './listen.js';

/**
 * `whk routes test <delivery.json | history id>`: which mount, route and targets a delivery
 * would take through the listener these flags (and whk.json) describe; sends nothing. Exit 0 when
 * it would be forwarded, 1 when it would not (refused, filtered, nowhere to go), 2 usage.
 */
export async function routesTestCommand(ref: string, given: Partial<ListenFlags> & Pick<ListenFlags, 'registry'> & { json?: boolean }, io: IO): Promise<number> {
  const flags: ListenFlags & { json?: boolean } = { ...LISTENER_DEFAULTS, ...given };
  // The listener's own defaults where this command does not take the flag.
  const plan = planListen(flags);
  const rec = await recorded(ref);
  const d = routeDelivery({ ...plan.listener, forwardTo: flags.forwardTo }, rec, Date.parse(rec.receivedAt) || Date.now());
  io.out(flags.json ? JSON.stringify(d) : render(d, rec));
  return d.targets.length > 0 ? 0 : 1;
}

/** The listener's own defaults, where this command does not take the flag. */
const LISTENER_DEFAULTS = {
  port: 0, host: '127.0.0.1', path: '/', scheme: 'auto', status: 200, forwardMethods: ['POST', 'GET'], forwardTimeout: 30_000,
  tunnelTimeout: 10_000, maxBody: 1024 * 1024, maxConnections: 1000,
};

/** A delivery as whk records it: a file holding one event line (--record, whk history export), or a history id. */
async function recorded(ref: string): Promise<EventRecord> {
  if (existsSync(ref)) {
    const text = readFileFor(ref, 'the delivery file', { bytes: 64 * 1024 ** 2, fix: 'give a file with one recorded event (whk listen --record, whk history export)' }).toString('utf8');
    const line = text.split('\n').find((l) => l.includes('"type":"event"'));
    if (!line) throw usage('bad_record', `${ref} holds no recorded event: give a file written by whk listen --record or whk history export, or a history id (whk history lists them)`);
    return JSON.parse(line) as EventRecord;
  }
  const entry = await findEntry(ref);
  if (!entry) throw usage('not_found', `no file and no history entry "${ref}": give a delivery file or an id from whk history`);
  return entry;
}

function render(d: RouteDecision, rec: EventRecord): string {
  const lines = [`${termSafeLine(`${rec.method} ${rec.path}`)}  ${d.scheme ?? 'unknown scheme'}  ${termSafeLine(d.eventType ?? '(no event type)')}${d.eventId ? ` [${termSafeLine(d.eventId)}]` : ''}`];
  lines.push(`  mount:   ${d.mount === undefined ? 'none (404)' : d.mount ?? '(the listener has no mounts)'}`);
  if (d.verdict) lines.push(`  verdict: ${d.verdict.valid ? '✓ valid' : `✗ ${d.verdict.reason}: ${termSafeLine(d.verdict.message)}`}`);
  else if (d.mount !== undefined) lines.push('  verdict: not verified (no secret)');
  lines.push(`  route:   ${d.route ?? (d.targets.length > 0 ? '(none: the fallback, --forward-to)' : 'none')}`);
  lines.push(`  targets: ${d.targets.length > 0 ? d.targets.map(termSafeLine).join(', ') : `none: ${d.why}`}`);
  return lines.join('\n');
}
