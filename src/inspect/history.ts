import { entries, historyDir, type HistoryEntry } from '../history/store.js';
import type { Deliveries } from './deliveries.js';

/**
 * The inspector's one door to history (src/history/store.ts): the newest `max` deliveries kept
 * in the state folder, added to the list oldest first.
 */
export async function loadHistory(into: Deliveries, max: number, onWarning: (m: string) => void, dir = historyDir()): Promise<{ count: number; dir: string }> {
  const newest: HistoryEntry[] = [];
  for await (const e of entries({ dir, order: 'newest', onWarning })) {
    newest.push(e);
    if (newest.length >= max) break;
  }
  for (let i = newest.length - 1; i >= 0; i--) {
    const { session, ...record } = newest[i]!;
    into.add(record, session);
  }
  return { count: newest.length, dir };
}
