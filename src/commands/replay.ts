import { usage, WhkError } from '../schemes/errors.js';
import { nowSeconds } from '../schemes/hmac.js';
import { getScheme } from '../schemes/registry.js';
import { loadStyle, useColor } from '../render/style.js';
import { renderReplayItem, renderReplaySummary } from '../render/send.js';
import type { ReplayItem, ReplaySummary } from '../send/report.js';
import { parseExpect } from '../send/expect.js';
import { parseRecording, replayRequest, selectEvents, targetUrl, type Resign } from '../send/replay.js';
import { histogram } from '../send/stats.js';
import { parseDuration, parseInteger } from '../units.js';
import { readFileFor, readSecrets, type IO } from './input.js';

export interface ReplayFlags {
  to: string;
  resign?: boolean;
  scheme?: string;
  secret?: string[];
  secretFile?: string;
  signedUrl?: string;
  only?: string;
  concurrency?: string;
  expect?: string;
  timeout?: string;
  json?: boolean;
  color?: boolean;
}

/**
 * `whk replay`: sends recorded events again, byte for byte (or re-signed with --resign), and
 * reports each answer. Same exit codes as `whk send`: 0 all within --expect, 1 any outside,
 * 2 usage, 3 nothing could be delivered.
 */
export async function replayCommand(file: string, flags: ReplayFlags, io: IO): Promise<number> {
  let to: URL;
  try {
    to = new URL(flags.to);
  } catch {
    throw usage('bad_url', `--to "${flags.to}" is not a URL: give e.g. http://127.0.0.1:3000/webhooks`);
  }
  if (to.protocol !== 'http:' && to.protocol !== 'https:') throw usage('bad_url', `--to ${flags.to}: only http:// and https:// URLs`);
  const expect = parseExpect(flags.expect ?? '2xx');
  const timeoutMs = parseDuration(flags.timeout ?? '10s', '--timeout');
  const concurrency = parseInteger(flags.concurrency ?? '1', '--concurrency', 1);
  if (!flags.resign && (flags.scheme || flags.secret || flags.secretFile)) {
    throw usage('conflicting_flags', '--scheme and --secret are for --resign: without it, events are replayed with their recorded signatures');
  }
  let resign: Resign | undefined;
  if (flags.resign) {
    resign = {
      scheme: flags.scheme ? getScheme(flags.scheme) : undefined,
      secrets: readSecrets(flags),
      now: nowSeconds,
      signUrl: flags.signedUrl,
    };
  }

  const rec = parseRecording(readFileFor(file, 'the recording').toString('utf8'));
  if (rec.unparseable > 0) io.err(`note: skipped ${rec.unparseable} unparseable line${rec.unparseable === 1 ? '' : 's'} in ${file}`);
  if (rec.events.length === 0) throw usage('empty_recording', `${file} holds no recorded events (lines with "type":"event", as whk listen --record writes)`);
  const events = selectEvents(rec.events, flags.only);
  const unknown = resign && !resign.scheme ? events.find((e) => !e.scheme) : undefined;
  if (unknown) throw usage('no_scheme', `event #${unknown.seq} was recorded without a detected scheme: pass --scheme <name> to re-sign`);

  const style = await loadStyle(useColor(process.stdout, flags.color));
  const { Deliverer } = await import('../send/deliver.js');
  const deliverer = new Deliverer(to.origin, { connections: concurrency, timeoutMs, keepBody: 256, hint: 'is the receiver running?', preciseTimeout: true });
  const items: ReplayItem[] = new Array(events.length);
  const started = performance.now();
  let next = 0;
  // Results are printed in file order, each as soon as it and those before it are done.
  let printed = 0;
  const flush = () => {
    while (printed < items.length && items[printed]) {
      const item = items[printed++]!;
      io.out(flags.json ? JSON.stringify({ type: 'replay', ...item, ms: Math.round(item.ms * 100) / 100 }) : renderReplayItem(item, style));
    }
  };
  try {
    const worker = async () => {
      while (next < events.length) {
        const i = next++;
        const e = events[i]!;
        const url = targetUrl(to, e.path);
        const req = replayRequest(e, url, resign);
        const o = await deliverer.send(req);
        items[i] = {
          seq: e.seq,
          id: e.eventId ?? null,
          eventType: e.eventType ?? null,
          method: req.method,
          url: url.href,
          status: o.ok ? o.status : null,
          statusText: o.ok ? o.response?.statusText : undefined,
          ms: o.ms,
          error: o.ok ? null : { code: o.error.code, message: o.error.message },
          withinExpect: o.ok && expect.matches(o.status),
          resigned: req.resigned ?? null,
          bodyEdit: req.bodyEdit ?? null,
        };
        flush();
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, events.length) }, worker));
  } finally {
    await deliverer.close().catch(() => undefined);
  }

  const answered = items.filter((i) => i.status !== null);
  const summary: ReplaySummary = {
    events: items.length,
    ok: items.filter((i) => i.withinExpect).length,
    failed: items.filter((i) => !i.withinExpect).length,
    statuses: histogram(answered.map((i) => i.status!)),
    errors: histogram(items.filter((i) => i.error).map((i) => i.error!.code)),
    expect: expect.text,
    unparseable: rec.unparseable,
    durationMs: Math.round((performance.now() - started) * 100) / 100,
  };
  io.out(flags.json ? JSON.stringify({ type: 'summary', ...summary }) : renderReplaySummary(summary, style));
  if (answered.length === 0) {
    const first = items.find((i) => i.error)!;
    if (!flags.json) throw new WhkError(first.error!.code, first.error!.message, 3);
    io.err(`whk: ${first.error!.message}`);
    return 3;
  }
  return summary.failed > 0 ? 1 : 0;
}
