import { usage } from './errors.js';

/** "30s", "1.5m", "250ms", "2h", or a bare number of seconds -> milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  if (!m) throw usage('bad_duration', `${flag} "${text}" is not a duration: use e.g. 500ms, 30s, 5m or 1h`);
  const unit = (m[2] ?? 's').toLowerCase();
  return Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms']!);
}

/** "1mb", "512kb", "100b", or a bare number of bytes -> bytes. */
export function parseSize(text: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m|gb|g)?\s*$/i.exec(text);
  if (!m) throw usage('bad_size', `${flag} "${text}" is not a size: use e.g. 512kb or 1mb`);
  const unit = (m[2] ?? 'b').toLowerCase()[0]!;
  return Math.round(Number(m[1]) * { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[unit as 'b']!);
}

/** A non-negative integer flag. */
export function parseInteger(text: string, flag: string, min = 0): number {
  if (!/^\s*-?\d+\s*$/.test(text) || Number(text) < min) throw usage('bad_number', `${flag} "${text}" is not an integer${min > 0 ? ` ≥ ${min}` : ''}`);
  return Number(text);
}

/** A Unix timestamp in seconds (also accepts milliseconds by mistake? no: reject them, clearly). */
export function parseUnixFlag(text: string, flag: string): number {
  const n = parseInteger(text, flag);
  if (n > 99_999_999_999) throw usage('bad_timestamp', `${flag} ${text} looks like milliseconds: give Unix seconds (${Math.floor(n / 1000)})`);
  return n;
}

/** Human duration for messages: 30000 -> "30s", 1500 -> "1.5s", 250 -> "250ms". */
export const formatDuration = (ms: number) => (ms < 1000 ? `${ms}ms` : `${+(ms / 1000).toFixed(1)}s`);
