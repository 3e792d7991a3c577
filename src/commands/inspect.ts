import { Deliveries } from '../inspect/deliveries.js';
import { loadHistory } from '../inspect/history.js';
import { startInspector } from '../inspect/server.js';
import type { Registry } from '../schemes/registry.js';
import { checkSecrets, readSecrets, type IO } from '../io/input.js';

export interface InspectFlags {
  /** undefined: 4040, or the next free port up to 4050, else any free port (said). */
  port?: number;
  /** To re-sign replays: a fixed scheme (default: each delivery's recorded one) and secrets. */
  scheme?: string;
  secret?: string[];
  secretFile?: string;
  /** The run's schemes (src/cli.ts builds it: src/run-schemes.ts). */
  registry: Registry;
}

const SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
/** Deliveries of history shown (the newest). */
const SHOWN = 50_000;

/**
 * `whk inspect`: the inspector page over history alone, with no listener. Runs until a signal
 * (exit 130, 143, 129); 2 for a usage error (a port in use, a secret the scheme cannot use).
 */
export async function inspectCommand(flags: InspectFlags, io: IO, signals: NodeJS.EventEmitter = process): Promise<number> {
  const { registry } = flags;
  const secrets = readSecrets(flags, false);
  const scheme = flags.scheme ? registry.get(flags.scheme) : undefined;
  if (scheme) checkSecrets([scheme], secrets, 'sign');
  const deliveries = new Deliveries({ count: SHOWN });
  const { count, dir } = await loadHistory(deliveries, SHOWN, (m) => io.err(`whk: ${m}`));
  const inspector = await startInspector({
    port: flags.port,
    deliveries,
    registry,
    signer: secrets.length > 0 ? { ok: true, secrets, scheme } : { ok: false, why: 'whk inspect was started without a secret (pass --secret, --secret-file or set WHK_SECRET)' },
    info: { mode: 'history', listenerUrl: null, replayTo: null },
    onWarning: (m) => io.err(`whk: ${m}`),
  });
  // Signals are caught before the address is printed: a script that stops whk as soon as it reads it is handled.
  const stopped = new Promise<number>((resolve) => {
    for (const [name, c] of Object.entries(SIGNALS)) signals.once(name, () => resolve(c));
  });
  io.err(`whk inspector on ${inspector.url}`);
  io.err(`${count} ${count === 1 ? 'delivery' : 'deliveries'} from ${dir}${count === SHOWN ? ' (the newest)' : ''}; Ctrl-C to stop`);
  const code = await stopped;
  for (const name of Object.keys(SIGNALS)) signals.removeAllListeners(name);
  await inspector.close();
  return code;
}
