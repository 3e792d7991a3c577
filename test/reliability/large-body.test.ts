/**
 * Large bodies. A 64 MB body goes through sign -> verify (from a file, a pipe and a socket) and
 * signatures match node:crypto's. The diagnosis of a no_match has a size budget: over 1 MiB the
 * JSON re-serializations are not tried (on a 500 MB body they took 54 s and 4 GB, and ended
 * without a verdict), and the verdict says so; whitespace, secret and encoding
 * mistakes are still found. Correctness only: speed and memory are measured by
 * bench/large-body.mjs.
 */
import { execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verify, type Verdict } from '../../src/index.js';
import { asciiOnly, bodyMistakes, REENCODE_LIMIT, spaced } from '../../src/schemes/diagnose.js';
import { runWhk, WHK, type Result } from '../helpers/cli.js';
import { whk } from '../helpers/in-process.js';
import { NO_PYTHON, PYTHON, runPython } from '../schemes/_helpers.js';

const MiB = 1024 * 1024;
const hmac256 = (secret: string, body: Buffer | string) => createHmac('sha256', secret).update(body).digest('hex');
const diagnosis = (v: Verdict) => (v.valid ? undefined : v.diagnosis);

describe('a 64 MB body through sign and verify', () => {
  const dir = mkdtempSync(join(tmpdir(), 'whk-large-'));
  const bodyFile = join(dir, 'body.bin');
  const headersFile = join(dir, 'headers.txt');
  let body: Buffer;
  let expected: string;

  beforeAll(() => {
    const block = randomBytes(MiB);
    body = Buffer.concat(Array.from({ length: 64 }, (_, i) => Buffer.concat([block.subarray(i), block.subarray(0, i)])));
    writeFileSync(bodyFile, body);
    expected = `sha256=${hmac256('s3cret', body)}`;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const shell = (script: string): Promise<Result> =>
    new Promise((resolve) => {
      execFile('sh', ['-c', script, 'sh', process.execPath, WHK, bodyFile, headersFile], { maxBuffer: 1 << 20 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, signal: null, stdout, stderr }));
    });

  it('--body-file: the signature is node:crypto\'s, and verify accepts it', async () => {
    const signed = await whk(['sign', '--scheme', 'github', '--secret', 's3cret', '--body-file', bodyFile]);
    expect(signed.stderr).toBe('');
    expect(signed.stdout).toContain(`X-Hub-Signature-256: ${expected}\n`);
    writeFileSync(headersFile, signed.stdout);
    const ok = await whk(['verify', '--scheme', 'github', '--secret', 's3cret', '--headers-file', headersFile, '--body-file', bodyFile]);
    expect(ok.stdout).toMatch(/^✓ valid \(github, raw body\)/);
    expect(ok.code).toBe(0);
  });

  it('a shell pipe (cat | whk sign) and a redirect (whk verify < file)', async () => {
    const piped = await shell('cat "$3" | "$1" "$2" sign --scheme github --secret s3cret');
    expect(piped.stdout).toContain(`X-Hub-Signature-256: ${expected}\n`);
    expect(piped.code).toBe(0);
    writeFileSync(headersFile, `X-Hub-Signature-256: ${expected}\n`);
    const redirected = await shell('"$1" "$2" verify --scheme github --secret s3cret --headers-file "$4" < "$3"');
    expect(redirected.stdout).toMatch(/^✓ valid/);
    expect(redirected.code).toBe(0);
  });

  it('stdin a socket written by the parent (what Node\'s spawn gives)', async () => {
    const r = await runWhk(['sign', '--scheme', 'github', '--secret', 's3cret'], { input: body });
    expect(r.stdout).toContain(`X-Hub-Signature-256: ${expected}\n`);
    expect(r.code).toBe(0);
  });

  it('one byte changed: no_match, exit 1', async () => {
    const r = await whk(['verify', '--scheme', 'github', '--secret', 's3cret', '--header', `X-Hub-Signature-256: sha256=${hmac256('s3cret', 'other')}`, '--body-file', bodyFile]);
    expect(r.stdout).toMatch(/^✗ invalid: no_match/);
    expect(r.code).toBe(1);
  });
});

describe('the diagnosis budget', () => {
  /** Pretty-printed JSON of about `bytes` bytes, with non-ASCII text and separators inside strings. */
  const prettyJson = (bytes: number) => {
    const item = { id: 'evt_0001', note: 'café, "quoted": yes', amount: 1234, tags: ['a', 'b'] };
    const render = (n: number) => JSON.stringify({ items: Array.from({ length: n }, () => item) }, null, 2);
    const per = Buffer.byteLength(render(2)) - Buffer.byteLength(render(1));
    return render(Math.round(bytes / per));
  };
  const judge = (received: string | Buffer, signed: string | Buffer, secret = 's', signer = 's') =>
    verify('github', { body: received, headers: { 'x-hub-signature-256': `sha256=${hmac256(signer, signed)}` }, secrets: [secret] });

  const over = prettyJson(REENCODE_LIMIT + 100 * 1024);
  const under = prettyJson(REENCODE_LIMIT - 100 * 1024);

  it('the limit is 1 MiB and the fixtures sit on either side of it', () => {
    expect(REENCODE_LIMIT).toBe(MiB);
    expect(Buffer.byteLength(over)).toBeGreaterThan(MiB);
    expect(Buffer.byteLength(under)).toBeLessThan(MiB);
  });

  it('under the limit: a body re-serialized after signing is diagnosed', () => {
    expect(diagnosis(judge(under, JSON.stringify(JSON.parse(under))))).toMatch(/re-serialized as compact JSON/);
  });

  it('over the limit: the re-serializations are not tried, and the diagnosis says so', () => {
    const v = judge(over, JSON.stringify(JSON.parse(over)));
    expect(v.reason).toBe('no_match');
    expect(diagnosis(v)).toBe('the body is over 1 MiB, so its re-serialized JSON forms were not tried (whitespace, secret and encoding mistakes were, and none explains the signature)');
  });

  it('over the limit: whitespace mistakes are still found', () => {
    expect(diagnosis(judge(over, `${over}\n`))).toMatch(/plus a trailing newline/);
    expect(diagnosis(judge(`${over}\n`, over))).toMatch(/without its trailing newline/);
    expect(diagnosis(judge(`${over}\r\n`, over))).toMatch(/without its trailing newline/);
    const crlf = over.replace(/\n/g, '\r\n');
    expect(diagnosis(judge(crlf, over))).toMatch(/LF line endings instead of CRLF/);
  });

  it('over the limit: secret mistakes are still found', () => {
    expect(diagnosis(judge(over, over, ' s\n', 's'))).toMatch(/without its surrounding whitespace/);
  });

  it('over the limit, a body that is not JSON: no sentence about re-serializations', () => {
    const text = 'x'.repeat(REENCODE_LIMIT + 1);
    expect(diagnosis(judge(text, 'y'))).toBeUndefined();
  });

  it('bodyMistakes builds the forms one at a time: over the limit, only the whitespace ones', () => {
    const whitespaceOnly = [...bodyMistakes(Buffer.from(over))].map(([, why]) => why);
    expect(whitespaceOnly).toEqual([expect.stringMatching(/plus a trailing newline/)]);
    const all = [...bodyMistakes(Buffer.from(under))].map(([, why]) => why);
    // + newline, compact, 4 spaces, Python compact and default (2 spaces is the body itself)
    expect(all).toHaveLength(5);
    const limited = [...bodyMistakes(Buffer.from(under), 1000)];
    expect(limited).toHaveLength(1);
  });

  it('the "without trailing newline" form is a view of the body, not a copy', () => {
    const body = Buffer.from(`${under}\n`);
    const [form] = [...bodyMistakes(body)][0]!;
    expect(form.buffer).toBe(body.buffer);
    expect(form.length).toBe(body.length - 1);
  });
});

describe("Python's json.dumps forms, derived from the compact JSON", () => {
  const values = [
    { a: 1, b: [1, 2, { c: 'x, y: z' }], 'k:,': 'v' },
    { s: 'café ñ 日本 🚀 \u007f \u0080', q: 'say "hi", ok: \\ done', e: [], o: {}, n: null, t: true, f: -1.5 },
    ['a,b', ':', '\\"', { '': '' }],
    'just a string, with: separators',
    42,
  ];

  it.skipIf(!PYTHON)('equal json.dumps(v) and json.dumps(v, separators=(",", ":"))', () => {
    const py = runPython<Array<[string, string]>>(
      'import json, sys; print(json.dumps([[json.dumps(v), json.dumps(v, separators=(",", ":"))] for v in json.load(sys.stdin)]))',
      values,
    );
    values.forEach((v, i) => {
      const compact = JSON.stringify(v);
      expect(spaced(asciiOnly(compact))).toBe(py[i]![0]);
      expect(asciiOnly(compact)).toBe(py[i]![1]);
    });
  });

  it.skipIf(PYTHON)(NO_PYTHON, () => undefined);

  it('spaced() leaves separators inside strings alone', () => {
    expect(spaced('{"a,b":"c:d","e":[1,2]}')).toBe('{"a,b": "c:d", "e": [1, 2]}');
    expect(spaced('["\\",\\\\",":"]')).toBe('["\\",\\\\", ":"]');
  });
});

describe('whk verify of a large JSON body with the wrong secret', () => {
  it('says that the re-serialized forms were not tried', async () => {
    const body = JSON.stringify({ items: Array.from({ length: 40_000 }, (_, i) => ({ id: i, note: 'x'.repeat(20) })) }, null, 2);
    expect(Buffer.byteLength(body)).toBeGreaterThan(MiB);
    const dir = mkdtempSync(join(tmpdir(), 'whk-large-json-'));
    const file = join(dir, 'body.json');
    writeFileSync(file, body);
    try {
      const r = await whk(['verify', '--scheme', 'github', '--secret', 'wrong', '--header', `X-Hub-Signature-256: sha256=${hmac256('right', body)}`, '--body-file', file, '--json']);
      expect(JSON.parse(r.stdout)).toMatchObject({ valid: false, reason: 'no_match', diagnosis: expect.stringMatching(/^the body is over 1 MiB, so its re-serialized JSON forms were not tried/) });
      expect(r.code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('over 64 MiB: the body is held once, wrong secret or not', () => {
  it('only the checks that need no copy of the body are tried, and the verdict says so', () => {
    const body = Buffer.alloc(65 * 1024 * 1024, 0x61);
    // No form that would copy the body (plus a newline, CRLF turned into LF) is offered.
    expect([...bodyMistakes(body)]).toEqual([]);
    const sig = `sha256=${createHmac('sha256', 'right').update(body).digest('hex')}`;
    const v = verify('github', { body, headers: { 'x-hub-signature-256': sig }, secrets: ['wrong'] });
    expect(diagnosis(v)).toMatch(/^the body is over 64 MiB, so only the checks that need no copy of it were tried/);
    // A trailing newline too many is still found (a view of the same bytes, not a copy).
    const withNl = Buffer.concat([body, Buffer.from('\n')]);
    expect(diagnosis(verify('github', { body: withNl, headers: { 'x-hub-signature-256': sig }, secrets: ['right'] }))).toMatch(/without its trailing newline/);
  });
});
