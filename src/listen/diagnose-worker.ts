/**
 * The no-match diagnosis, in a worker thread: it re-serializes and re-signs the body many ways,
 * which for a large forged body is long CPU work that must not delay the answers to real
 * deliveries. Receives { id, scheme, input } and answers { id, verdict } (or { id, error }).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { verify } from '../schemes/core.js';
import { compileDefinition } from '../schemes/definition/compile.js';
import type { Definition } from '../schemes/definition/schema.js';
import { catalogueSchemes } from '../providers/index.js';
import { registerCatalogue, registerSchemes } from '../schemes/registry.js';
import type { VerifyInput } from '../schemes/types.js';

// The listener's custom schemes (definitions from --scheme-file or the config folder), by name,
// and the providers' catalogue when the listener uses it.
const data = workerData as { definitions?: Array<{ definition: Definition; source?: string }>; catalogue?: boolean } | null;
if (data?.catalogue) registerCatalogue(catalogueSchemes());
registerSchemes((data?.definitions ?? []).map((d) => compileDefinition(d.definition, d.source)));

parentPort?.on('message', (m: { id: number; scheme: string; input: VerifyInput }) => {
  try {
    parentPort!.postMessage({ id: m.id, verdict: verify(m.scheme, { ...m.input, diagnose: true }) });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: (e as Error).message });
  }
});
