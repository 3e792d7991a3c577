/**
 * The queue's journal: a retry (whk queue retry, or the inspector's) starts a new round for the
 * target (pending, attempts from 0, and --queue-max-age counted from the retry), and that round
 * survives the compaction a listener does at start; a user's drop is not undone by the listener
 * giving up on the delivery after it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { QueueJournal } from '../../src/history/queue-journal.js';

const RECEIVED = Date.UTC(2026, 0, 1);
const RETRIED = RECEIVED + 48 * 3600_000;

const delivery = (seq: number) => ({
  at: RECEIVED + seq, seq, mount: null, route: null, scheme: 'github', eventType: 'push', eventId: `d-${seq}`,
  method: 'POST', path: '/', headers: {}, body: Buffer.from('{}').toString('base64'), targets: [{ base: 'http://127.0.0.1:9', listenPath: '/' }],
});

function queued() {
  const dir = mkdtempSync(join(tmpdir(), 'whk-queue-journal-'));
  const j = new QueueJournal(dir).load().open();
  return { dir, j, id: j.put(delivery(1)).id };
}
const target = (dir: string, id: string) => new QueueJournal(dir).load().entries.get(id)!.targets[0]!;

it('a retry makes a failed delivery pending again, in a new round: attempts from 0, its age from the retry', () => {
  const { dir, j, id } = queued();
  j.mark({ t: 'try', id, target: 0, at: RECEIVED + 1000, attempt: 7, status: 503, next: RECEIVED + 2000 });
  j.mark({ t: 'failed', id, target: 0, at: RECEIVED + 86_400_001, why: 'not delivered within --queue-max-age' });
  expect(target(dir, id)).toMatchObject({ state: 'failed', attempts: 7 });
  j.mark({ t: 'retry', id, at: RETRIED });
  j.close();
  expect(target(dir, id)).toMatchObject({ state: 'pending', attempts: 0, next: 0, since: RETRIED });
});

it('the round survives compaction, with the attempts made in it', () => {
  const { dir, j, id } = queued();
  // A delivered one beside it: compaction rewrites the file without it.
  const done = j.put(delivery(2));
  j.mark({ t: 'done', id: done.id, target: 0, at: RECEIVED + 2, attempt: 1, status: 200, ms: 3 });
  j.mark({ t: 'failed', id, target: 0, at: RECEIVED + 5, why: 'given up' });
  j.mark({ t: 'retry', id, at: RETRIED });
  j.mark({ t: 'try', id, target: 0, at: RETRIED + 10, attempt: 2, status: 500, next: RETRIED + 4000 });
  j.close();
  const again = new QueueJournal(dir).load();
  again.compact();
  expect(new QueueJournal(dir).load().entries.has(done.id)).toBe(false);
  expect(target(dir, id)).toMatchObject({ state: 'pending', attempts: 2, next: RETRIED + 4000, since: RETRIED, status: 500 });
});

it('a drop the listener had not read yet when it gave up stays a drop', () => {
  const { dir, j, id } = queued();
  j.mark({ t: 'drop', id, at: RECEIVED + 10 });
  j.mark({ t: 'failed', id, target: 0, at: RECEIVED + 20, why: 'not delivered within --queue-max-age' });
  j.close();
  expect(target(dir, id).state).toBe('dropped');
});
