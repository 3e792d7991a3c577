/** What `whk send` and `whk replay` found out, as plain data for the renderers (src/render/send.ts). */

export interface AttemptReport {
  attempt: number;
  /** With `error` too: the status came, the body did not finish (body_timeout, body_incomplete). */
  status?: number;
  statusText?: string;
  error?: { code: string; message: string };
  ms: number;
}

export interface DeliveryReport {
  /** "1st delivery" / "2nd delivery (same bytes)" for --duplicate. */
  label?: string;
  method: string;
  url: string;
  requestHeaders: Array<[string, string]>;
  bodyBytes: number;
  /** What a negative mode changed. */
  note?: string;
  attempts: AttemptReport[];
  /** `incomplete`: the body did not arrive in full (`error` says why); `body` holds what came. */
  response?: { status: number; statusText: string; headers: Record<string, string>; body: string; bodyBytes: number; truncated: boolean; incomplete?: true };
  error?: { code: string; message: string };
  withinExpect: boolean;
}

export type Mode = 'valid' | 'tamper-body' | 'tamper-signature' | 'stale' | 'future' | 'wrong-secret' | 'no-signature' | 'duplicate';

export interface SendReport {
  scheme: string;
  event: string | null;
  id: string | null;
  url: string;
  mode: Mode;
  /** E.g. "5m" for --stale, the masked wrong secret, ... */
  modeDetail?: string;
  expect: string;
  deliveries: DeliveryReport[];
  ok: boolean;
}

/**
 * What became of one event of a recording (or one line that is not an event): sent and answered
 * within --expect (`ok`) or outside it, answered with a body that did not finish (`incomplete`),
 * no answer (a network error), or not sent because the recording cannot be replayed as it stands
 * (`invalid`: the line, a header or method no HTTP client can send, a body that does not decode,
 * an event that cannot be re-signed).
 */
export type ReplayResult = 'ok' | 'outside_expect' | 'incomplete' | 'no_answer' | 'invalid';

export interface ReplayItem {
  /** The line of the recording (1-based). */
  line: number;
  seq: number | null;
  id: string | null;
  eventType: string | null;
  /** Null when the line does not say (an unparseable line). */
  method: string | null;
  url: string | null;
  status: number | null;
  statusText?: string;
  ms: number;
  error: { code: string; message: string } | null;
  withinExpect: boolean;
  result: ReplayResult;
  /** The scheme re-signed with, and what was edited in the body. */
  resigned: string | null;
  bodyEdit: string | null;
}

export interface ReplaySummary {
  /** Results reported: one per selected event, and one per line that is not an event (without --only). */
  events: number;
  ok: number;
  /** Everything else: outsideExpect + incomplete + noAnswer + invalid. */
  failed: number;
  /** Statuses answered (incomplete answers included). */
  statuses: Record<string, number>;
  /** Network and body errors by code (not the invalid events: see invalidReasons). */
  errors: Record<string, number>;
  expect: string;
  /** Lines that are not JSON objects, reported or (with --only) only counted. */
  unparseable: number;
  durationMs: number;
  outsideExpect: number;
  incomplete: number;
  noAnswer: number;
  /** Not sent: invalid in the recording. */
  invalid: number;
  invalidReasons: Record<string, number>;
  /** Lines of other types (ready, rejected, ...), skipped. */
  skipped: number;
  /** Set when Ctrl-C ended the run early: the events after it were not read. */
  interrupted?: true;
}
