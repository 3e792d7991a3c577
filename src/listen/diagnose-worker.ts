/**
 * The no-match diagnosis, in a worker thread: it re-serializes and re-signs the body many ways,
 * which for a large forged body is long CPU work that must not delay the answers to real
 * deliveries. Receives { id, scheme, input } and answers { id, verdict } (or { id, error }).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { compileDefinition } from '../schemes/definition/compile.js';
import type { Definition } from '../schemes/definition/schema.js';
import { coreSchemes } from '../providers/core.js';
import { catalogueSchemes } from '../providers/index.js';
import { Registry } from '../schemes/registry.js';
import type { VerifyInput } from '../schemes/types.js';

// The listener's registry, made again on this thread: every built-in scheme (loading them here
// costs the listener nothing) and the run's custom ones, from their definitions (already checked).
const data = workerData as { definitions?: Array<{ definition: Definition; source?: string }> } | null;
const registry = new Registry([...coreSchemes, ...catalogueSchemes()], (data?.definitions ?? []).map((d) => compileDefinition(d.definition, d.source)));

parentPort?.on('message', (m: { id: number; scheme: string; input: VerifyInput }) => {
  try {
    parentPort!.postMessage({ id: m.id, verdict: registry.verify(m.scheme, { ...m.input, diagnose: true }) });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: (e as Error).message });
  }
});
