/**
 * Text from the network (bodies, headers, paths, a receiver's answer) on its way to a terminal.
 * Control characters are shown as escapes instead of reaching the terminal raw: an ESC could
 * retitle the window, clear the screen or write the clipboard (OSC 52); a CR could overwrite the
 * line a user reads; bidirectional overrides could reorder what is shown.
 *
 * Apply these where a renderer puts foreign text into its output, never to a finished block:
 * chalk's colours are escape sequences too, and must survive.
 */

// C0 controls but TAB and LF, DEL, C1 controls, and the bidirectional overrides and isolates.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_LINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const escape = (c: string) => {
  const n = c.charCodeAt(0);
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
};
const escapeJson = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Multi-line text (a body): line feeds and tabs kept, every other control character escaped. */
export const termSafe = (text: string): string => text.replace(UNSAFE, escape);

/** One-line text (a header value, a path, a message): line feeds and tabs escaped too. */
export const termSafeLine = (text: string): string => text.replace(UNSAFE_LINE, escape);

/**
 * JSON text as JSON.stringify wrote it (a string literal, a key, or a whole NDJSON line):
 * JSON.stringify escapes C0 controls but leaves DEL, C1 controls and bidirectional overrides raw.
 * Those become `\uXXXX` escapes: they can only sit inside strings, so the text stays valid JSON
 * that parses to exactly the same value.
 */
export const termSafeJson = (json: string): string => (isAsciiWithoutDel(json) ? json : json.replace(JSON_UNSAFE, escapeJson));

/**
 * No character at or above U+007F: nothing for termSafeJson to escape. Every character from
 * U+0080 up takes two UTF-8 bytes or more (a lone surrogate three), so a byte length equal to the
 * length means all are below U+0080; DEL is the one left to look for. ~4× cheaper than the
 * regex's scan on a line with nothing to replace (the common case, every delivery of the listener).
 */
const isAsciiWithoutDel = (s: string): boolean => Buffer.byteLength(s, 'utf8') === s.length && !s.includes('\u007f');

// What JSON.stringify leaves raw (it escapes C0 itself): the NDJSON hot path scans for these only.
const JSON_UNSAFE = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
