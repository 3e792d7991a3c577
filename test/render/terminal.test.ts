/**
 * Hostile text from the network (or a file) through every pretty renderer: no control character
 * reaches the terminal raw, while the renderers' own colours (escape sequences too) still do.
 */
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { EventMessage, RejectedRecord } from '../../src/listen/events.js';
import type { CheckResult } from '../../src/probe/grade.js';
import type { EventRecord } from '../../src/record.js';
import {
  eventJsonLine, readyJsonLine, rejectedJsonLine, renderBody, renderEvent, renderReady, renderRejected, renderWarning,
} from '../../src/render/event.js';
import { probeJson, renderProbe } from '../../src/render/probe.js';
import { termSafe, termSafeJson, termSafeLine } from '../../src/render/safe.js';
import { plain, type Style } from '../../src/render/style.js';
import { renderSchemes, renderVerdict } from '../../src/render/verdict.js';
import { dfns } from '../../src/providers/dfns.js';
import type { Invalid, Scheme } from '../../src/schemes/types.js';

// Window title, clear screen, clipboard write (OSC 52), a bare CR, a C1 CSI, a bidi override,
// DEL, a vertical tab and a NUL.
const HOSTILE = 'a\u001b]0;pwned\u0007b\u001b[2Jc\u001b]52;c;cHduZWQ=\u0007d\re\u009b31mf\u202eg\u007fh\u000bi\u0000j';
const COLOR = new Chalk({ level: 2 });
const styles: Array<[string, Style]> = [['plain', plain], ['chalk', COLOR]];

/** What must never reach the terminal: any ESC but a colour (SGR), BEL, CR, C1, bidi controls. */
function expectTerminalSafe(out: string, colored: boolean) {
  const withoutColours = out.replace(/\u001b\[[0-9;]*m/g, '');
  expect(withoutColours).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  if (colored) expect(out).toMatch(/\u001b\[[0-9;]*m/);
  else expect(out).not.toContain('\u001b');
}

const record = (over: Partial<EventRecord> = {}): EventRecord => ({
  type: 'event', seq: 1, receivedAt: '2026-01-02T03:04:05.678Z', method: 'POST', path: `/hooks?q=${HOSTILE}`,
  headers: { 'content-type': 'text/plain', [`x-${HOSTILE}`]: HOSTILE, 'x-long': `${'v'.repeat(20)}${HOSTILE}` },
  body: `line one ${HOSTILE}\nline two\t${HOSTILE}`, bodyEncoding: 'utf8', scheme: 'dfns',
  verdict: null, eventType: HOSTILE, eventId: HOSTILE, duplicate: true, duplicateOf: 1, filtered: false,
  response: { status: 401 }, retryOf: HOSTILE, deliveryAttempt: 2,
  ...over,
});
const invalid: Invalid = { valid: false, scheme: 'dfns', reason: 'malformed_header', message: `X-Sig "${HOSTILE}" is not hex`, diagnosis: `quoted ${HOSTILE}` };

/** The text a user reads: colours removed (what is left of an escaped sequence stays). */
const text = (out: string) => out.replace(/\u001b\[[0-9;]*m/g, '');

describe.each(styles)('pretty renderers with hostile input (%s)', (_name, c) => {
  const colored = c === COLOR;

  it('renderEvent: method, path, header names and values, event type and id, retryOf, verdict, text body', () => {
    const out = renderEvent({ kind: 'event', record: record(), verdict: invalid }, c, { utc: true, maxHeaderValue: 30 });
    expectTerminalSafe(out, colored);
    // Shown, escaped: the user still sees what was sent.
    expect(text(out)).toContain('a\\x1b]0;pwned\\x07b\\x1b[2Jc\\x1b]52;c;cHduZWQ=\\x07d\\x0de\\x9b31mf\\u202eg\\x7fh\\x0bi\\x00j');
    // A header value is cut before it is escaped: never half an escape.
    expect(text(out)).toContain(`x-long: ${'v'.repeat(20)}a\\x1b]0;pwned…`);
    // The body keeps its line feeds and tabs.
    expect(text(out)).toContain('line two\ta\\x1b]0;pwned');
  });

  it('renderEvent: pretty-printed JSON keys and strings, form parameters, forward error and preview', () => {
    const json = { [HOSTILE]: [HOSTILE, { k: HOSTILE }], n: 1 };
    const m: EventMessage = {
      kind: 'event', record: record({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) }), verdict: null, parsed: json,
      forward: { url: 'http://127.0.0.1:3000/', status: 500, ms: 3, body: `oops ${HOSTILE}` },
    };
    const out = renderEvent(m, c, { utc: true });
    expectTerminalSafe(out, colored);
    // JSON strings stay JSON: \u escapes for what JSON.stringify leaves raw.
    expect(text(out)).toContain('"a\\u001b]0;pwned\\u0007b\\u001b[2Jc\\u001b]52;c;cHduZWQ=\\u0007d\\re\\u009b31mf\\u202eg\\u007fh\\u000bi\\u0000j"');
    expect(text(out)).toContain('your app answered: oops a\\x1b]0;pwned');

    const failed = renderEvent({ ...m, forward: { url: 'http://127.0.0.1:3000/', status: 502, ms: 1, error: `forward failed: ${HOSTILE}` } }, c, { utc: true });
    expectTerminalSafe(failed, colored);

    const form: EventMessage = {
      kind: 'event', verdict: null, record: record({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'x' }),
      parsed: { [HOSTILE]: `${HOSTILE}\nsecond line` },
    };
    const formOut = renderBody(form, c);
    expectTerminalSafe(formOut, colored);
    expect(text(formOut).split('\n')).toHaveLength(1); // a parameter's line feed is escaped: one line per parameter
  });

  it('renderEvent: invalid JSON shown as text, its parser message too; a filtered event', () => {
    const bad = renderBody({ record: record({ body: `{"a": "${HOSTILE}` }), jsonError: `Bad control character ${HOSTILE}` }, c);
    expectTerminalSafe(bad, colored);
    expectTerminalSafe(renderEvent({ kind: 'event', record: record({ filtered: true }), verdict: null }, c, { utc: true }), colored);
  });

  it('renderVerdict: the message and diagnosis, which may quote a header', () => {
    const out = renderVerdict(invalid, c);
    expectTerminalSafe(out, colored);
    expect(text(out)).toContain('X-Sig "a\\x1b]0;pwned');
    expectTerminalSafe(renderVerdict({ valid: true, reason: 'ok', scheme: HOSTILE, message: '', matched: HOSTILE, secretIndex: 0 }, c), colored);
  });

  it('renderRejected, renderWarning, renderReady (a tunnel\'s public URL)', () => {
    const rej: RejectedRecord = { type: 'rejected', seq: 2, receivedAt: '2026-01-02T03:04:05.678Z', method: HOSTILE, path: HOSTILE, reason: 'outside_path', message: `404: ${HOSTILE} is outside --path /`, response: { status: 404 } };
    expectTerminalSafe(renderRejected(rej, c), colored);
    expectTerminalSafe(renderRejected({ ...rej, reason: 'malformed_request' }, c), colored);
    const warning = renderWarning(`tunnel says ${HOSTILE}`);
    expect(warning).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/);
    const ready = renderReady({ url: 'http://127.0.0.1:4000/', publicUrl: `https://x.example/${HOSTILE}`, scheme: 'dfns', secrets: 1, host: '127.0.0.1', forwardTo: HOSTILE, events: [HOSTILE], record: HOSTILE }, c);
    expectTerminalSafe(ready, colored);
  });

  it('renderSchemes: a custom definition from a file', () => {
    const custom: Scheme = { ...dfns, name: HOSTILE, provider: HOSTILE, headers: [HOSTILE], algorithm: HOSTILE, secretFormat: HOSTILE };
    expectTerminalSafe(renderSchemes([dfns, custom], c), colored);
  });

  it('renderProbe: what came back, quoted in the report card', () => {
    const results: CheckResult[] = [
      { id: 'valid', title: 'valid event', expect: 'accept', result: 'FAIL', sent: 'a wallet.created event', got: `no answer (${HOSTILE})`, statuses: [null], ms: [1], explain: `refused: ${HOSTILE}` },
      { id: 'tampered-body', title: `tampered ${HOSTILE}`, expect: 'refuse', result: 'WARN', sent: HOSTILE, got: '500 in 2 ms', statuses: [500], ms: [2], explain: 'answer 401' },
    ];
    const out = renderProbe({ url: `http://127.0.0.1:1/${HOSTILE}`, scheme: 'dfns', results }, c);
    expectTerminalSafe(out, colored);
    expect(text(out)).toContain('no answer (a\\x1b]0;pwned');
    // --json keeps the text as it was (JSON.stringify escapes it when written).
    expect(probeJson({ url: 'http://x/', scheme: 'dfns', results }).checks[0]!.got).toBe(`no answer (${HOSTILE})`);
  });
});

describe('NDJSON lines', () => {
  it('hold no raw ESC, BEL, CR, C1 or bidi control, and parse back to the very same record', () => {
    const r = record({ body: HOSTILE, headers: { 'x-evil': HOSTILE } });
    const line = eventJsonLine(r);
    expect(line.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(line).toContain('\\u001b]0;pwned\\u0007');
    expect(line).toContain('\\u009b31m');
    expect(JSON.parse(line)).toEqual(r);
    const rej: RejectedRecord = { type: 'rejected', seq: 2, receivedAt: '2026-01-02T03:04:05.678Z', method: 'POST', path: HOSTILE, reason: 'outside_path', message: HOSTILE, response: { status: 404 } };
    expect(rejectedJsonLine(rej).slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(JSON.parse(rejectedJsonLine(rej))).toEqual(rej);
    expect(JSON.parse(readyJsonLine(`https://x/${HOSTILE}`, null, null, 4242))).toEqual({ type: 'ready', url: `https://x/${HOSTILE}`, publicUrl: null, inspectUrl: null, pid: 4242 });
  });
});

describe('termSafe, termSafeLine, termSafeJson', () => {
  it('escape what a terminal would act on, keep what it shows', () => {
    expect(termSafe('a\tb\nc\rd\u001be\u009bf\u202eg\u2066h\u00e9\u2028')).toBe('a\tb\nc\\x0dd\\x1be\\x9bf\\u202eg\\u2066h\u00e9\u2028');
    expect(termSafeLine('a\tb\nc')).toBe('a\\x09b\\x0ac');
    expect(termSafeLine('plain text, ünïcödé ☕')).toBe('plain text, ünïcödé ☕');
  });
  it('termSafeJson keeps JSON valid and meaning the same', () => {
    const value = { [HOSTILE]: HOSTILE };
    const safe = termSafeJson(JSON.stringify(value));
    expect(safe).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(JSON.parse(safe)).toEqual(value);
  });
  it('termSafeJson escapes each unsafe character alone in plain ASCII, and leaves safe non-ASCII as it is', () => {
    for (const c of ['\u007f', '\u0080', '\u009b', '\u009f', '\u202a', '\u202e', '\u2066', '\u2069']) {
      const json = JSON.stringify({ body: `plain ${c} text` });
      const code = c.charCodeAt(0).toString(16).padStart(4, '0');
      expect(termSafeJson(json)).toBe(`{"body":"plain \\u${code} text"}`);
    }
    for (const safe of ['{"a":"caf\u00e9 \u2028 \u00a0 \u2603"}', '{"a":"\ud83d\ude00"}', '{"a":"\ud800 lone"}', '{"a":"plain"}', '']) {
      expect(termSafeJson(safe)).toBe(safe);
    }
  });
});
