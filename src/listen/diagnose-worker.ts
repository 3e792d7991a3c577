/**
 * The no-match diagnosis, in a worker thread: it re-serializes and re-signs the body many ways,
 * which for a large forged body is long CPU work that must not delay the answers to real
 * deliveries. Receives { id, scheme, input } and answers { id, verdict } (or { id, error }).
 */
import { parentPort } from 'node:worker_threads';
import { verify } from '../schemes/core.js';
import type { VerifyInput } from '../schemes/types.js';

parentPort?.on('message', (m: { id: number; scheme: string; input: VerifyInput }) => {
  try {
    parentPort!.postMessage({ id: m.id, verdict: verify(m.scheme, { ...m.input, diagnose: true }) });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: (e as Error).message });
  }
});
