import type { Summary } from '../deliveries.js';
import type { EventRecord } from '../../record.js';
import type { PageInfo } from '../server.js';
import type { ReplayResult } from '../actions.js';

export type { Summary, PageInfo, ReplayResult };
export type Detail = Summary & { record: EventRecord; sameEvent: number[] };

// The run's token: only this page can read it (its HTML is not readable from other origins).
const token = document.querySelector<HTMLMetaElement>('meta[name="whk-token"]')?.content ?? '';

/** GETs and POSTs to the inspector's API; a failure becomes an Error with the server's sentence. */
export async function api<T>(path: string, body?: unknown): Promise<T> {
  const r = await fetch(path, body === undefined ? {} : {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-whk-token': token },
    body: JSON.stringify(body),
  });
  const value = (await r.json().catch(() => ({ error: `${r.status} ${r.statusText}` }))) as T & { error?: string };
  if (!r.ok) throw new Error(value.error ?? `${r.status}`);
  return value;
}
