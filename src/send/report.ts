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

export interface ReplayItem {
  seq: number;
  id: string | null;
  eventType: string | null;
  method: string;
  url: string;
  status: number | null;
  statusText?: string;
  ms: number;
  error: { code: string; message: string } | null;
  withinExpect: boolean;
  /** The scheme re-signed with, and what was edited in the body. */
  resigned: string | null;
  bodyEdit: string | null;
}

export interface ReplaySummary {
  events: number;
  ok: number;
  failed: number;
  statuses: Record<string, number>;
  errors: Record<string, number>;
  expect: string;
  unparseable: number;
  durationMs: number;
}
