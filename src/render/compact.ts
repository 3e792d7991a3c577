import type { EventMessage } from '../listen/events.js';
import { clock, type PrettyOptions } from './event.js';
import { termSafeLine } from './safe.js';
import type { Style } from './style.js';

/**
 * `whk listen --compact`: one line per delivery, for a long session (with the inspector open):
 * time, #seq, method and path, provider, event type and id, verdict, status answered, forward
 * result. What came from the request is terminal-safe. Pure.
 *
 *   14:02:11  #3  POST /hooks  dfns  wallet.created [wh-1a2b]  ✓ valid  → 200  fwd → 200 12ms
 */
export function renderCompact(m: EventMessage, c: Style, o: Pick<PrettyOptions, 'utc'> = {}): string {
  const r = m.record;
  const status = r.response.status;
  const answered = status === 0 ? c.red('dropped') : (status < 300 ? c.green : status < 500 ? c.yellow : c.red)(`→ ${status}`);
  if (r.tunnelCheck) return c.dim(`${clock(r.receivedAt, o.utc)}  #${r.seq}  ${termSafeLine(`${r.method} ${r.path}`)}  whk's tunnel self-check  → ${status}`);
  const verdict = r.filtered ? 'filtered' : m.verdict === null ? c.yellow('· not verified') : m.verdict.valid ? c.green('✓ valid') : c.red(`✗ ${termSafeLine(m.verdict.reason)}`);
  const parts = [
    c.dim(clock(r.receivedAt, o.utc)),
    c.bold(`#${r.seq}`),
    termSafeLine(`${r.method} ${r.path}`),
    r.scheme === null ? '-' : termSafeLine(r.scheme),
    `${r.eventType === null ? '-' : c.cyan(termSafeLine(r.eventType))}${r.eventId === null ? '' : ` [${termSafeLine(r.eventId.slice(0, 64))}]`}`,
    verdict,
    answered,
  ];
  if (r.duplicate) parts.push(c.magenta(`dup of #${r.duplicateOf}`));
  if (m.forward) parts.push(m.forward.error ? c.red('fwd failed') : `fwd → ${m.forward.status} ${m.forward.ms}ms`);
  const line = parts.join('  ');
  return r.filtered ? c.dim(line) : line;
}
