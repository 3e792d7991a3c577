import type { SessionRenderer } from '../listen/session.js';
import { renderCompact } from './compact.js';
import { eventJsonLine, readyJsonLine, rejectedJsonLine, renderDelivery, renderEvent, renderReady, renderRejected, renderSummary, renderWarning, waitingText } from './event.js';
import { termSafeJson } from './safe.js';
import type { Style } from './style.js';

/**
 * The renderers of a `whk listen` session: NDJSON on stdout (`json`), else a block per delivery
 * (or one line, `compact`) in `style`; stderr's lines in `errStyle`.
 */
export function sessionRenderer(o: { json: boolean; compact?: boolean; style?: Style; errStyle: Style }): SessionRenderer {
  const style = o.style ?? o.errStyle;
  return {
    event: (m) => (o.json ? m.line ?? eventJsonLine(m.record) : `${o.compact ? renderCompact(m, style) : renderEvent(m, style)}\n`),
    rejected: (r) => (o.json ? rejectedJsonLine(r) : `${renderRejected(r, style)}\n`),
    delivery: (r) => `${renderDelivery(r, style)}\n`,
    deliveryLine: (r) => `${termSafeJson(JSON.stringify(r))}\n`,
    tunnelLine: (r) => `${termSafeJson(JSON.stringify(r))}\n`,
    eventLine: (m) => eventJsonLine(m.record),
    ready: (info) => renderReady(info, o.errStyle),
    readyLine: (info) => readyJsonLine(info.url, info.publicUrl, info.inspectUrl ?? null, info.pid),
    warning: renderWarning,
    summary: renderSummary,
    waiting: waitingText,
  };
}
