import { usage } from '../errors.js';
import { damagedQueueLines, queueDir, QueueJournal, type Entry } from '../history/queue-journal.js';
import type { IO } from '../io/input.js';
import { termSafeLine } from '../render/safe.js';
import { forwardUrl } from '../send/target.js';
import { maskedUrl } from '../listen/urls.js';

/**
 * `whk queue`: the forwarding queue's pending and failed deliveries, per target; `retry <id|--all>`
 * puts failed (or waiting) ones back for delivery now, `drop <id>` removes one. A running `whk
 * listen --queue` picks the change up within a second. Exit 0, 1 when an id matches nothing, 2 usage.
 */
export function queueListCommand(flags: { json?: boolean; all?: boolean }, io: IO, env: NodeJS.ProcessEnv = process.env): number {
  const journal = new QueueJournal(queueDir(env)).load();
  if (journal.damaged.length > 0) io.err(`whk: ${damagedQueueLines(journal.damaged.length, journal.file)}`);
  const rows = [...journal.entries.values()].flatMap((e) => e.targets.map((t, i) => ({ e, t, i })))
    .filter(({ t }) => flags.all || t.state === 'pending' || t.state === 'failed');
  if (flags.json) {
    io.out(JSON.stringify(rows.map(({ e, t }) => ({ id: e.id, seq: e.seq, receivedAt: new Date(e.at).toISOString(), eventType: e.eventType, eventId: e.eventId, target: targetUrl(t), state: t.state, attempts: t.attempts, status: t.status ?? null, error: t.error ?? null }))));
    return 0;
  }
  if (rows.length === 0) {
    io.err(`whk: the queue (${journal.file}) has nothing pending or failed`);
    return 0;
  }
  const byTarget = new Map<string, string[]>();
  for (const { e, t } of rows) {
    const key = targetUrl(t);
    const line = `  ${e.id}  #${e.seq}  ${termSafeLine(e.eventType ?? '-')}${e.eventId ? ` [${termSafeLine(e.eventId)}]` : ''}  ${t.state}  ${t.attempts} attempt${t.attempts === 1 ? '' : 's'}${t.error || t.status ? `  last: ${termSafeLine(String(t.error ?? t.status))}` : ''}`;
    byTarget.set(key, [...(byTarget.get(key) ?? []), line]);
  }
  for (const [target, lines] of byTarget) io.out(`${termSafeLine(target)}\n${lines.join('\n')}`);
  return 0;
}

/** `whk queue retry <id>` / `--all`, `whk queue drop <id>`: a record appended to the journal. */
export function queueActCommand(action: 'retry' | 'drop', id: string | undefined, flags: { all?: boolean }, io: IO, env: NodeJS.ProcessEnv = process.env): number {
  if (!id && !(action === 'retry' && flags.all)) throw usage('missing_argument', `missing the queue id: whk queue ${action} <id>${action === 'retry' ? ' (or --all)' : ''} (whk queue lists them)`);
  const journal = new QueueJournal(queueDir(env)).load();
  const chosen: Entry[] = id ? [journal.entries.get(id)].filter((e): e is Entry => e !== undefined) : [...journal.entries.values()].filter((e) => e.targets.some((t) => t.state === 'failed'));
  if (chosen.length === 0) {
    io.err(id ? `whk: no queued delivery ${id} (whk queue lists them)` : 'whk: no failed delivery to retry');
    return id ? 1 : 0;
  }
  journal.open();
  try {
    for (const e of chosen) journal.mark({ t: action, id: e.id, at: Date.now() });
  } finally {
    journal.close();
  }
  io.err(`whk: ${action === 'retry' ? 'retrying' : 'dropped'} ${chosen.length} deliver${chosen.length === 1 ? 'y' : 'ies'}${action === 'retry' ? ' (a running whk listen --queue sends them within a second; the next one started otherwise)' : ''}`);
  return 0;
}

const targetUrl = (t: { base: string; listenPath: string }) => maskedUrl(forwardUrl(t.base, t.listenPath, '/'));
