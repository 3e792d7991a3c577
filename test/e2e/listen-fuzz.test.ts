/**
 * Whatever a client sends, the listener keeps answering: malformed request lines and headers,
 * huge and truncated bodies, binary and random bytes, on raw sockets. Then a valid delivery must
 * still get its 200 and its event line, and nothing may have crashed or printed a stack trace.
 */
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../src/index.js';
import { startWhk, type Running } from '../helpers/cli.js';

/** Sends the chunks; half-closes unless `keepOpen`; destroys after `destroy` (truncation) or when the server is done. */
function raw(port: number, chunks: Array<string | Buffer>, opts: { keepOpen?: boolean; destroy?: boolean } = {}): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    // Guard against a request the server is right to wait on (not an assertion on time).
    const guard = setTimeout(() => s.destroy(), 3000);
    const done = () => {
      clearTimeout(guard);
      resolve(got);
    };
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('error', done);
    s.on('close', done);
    s.on('connect', () => {
      for (const c of chunks) s.write(c);
      if (opts.destroy) s.destroy();
      else if (!opts.keepOpen) s.end();
    });
  });
}

describe('whk listen: fuzzing the request path', () => {
  let l: Running;
  let port = 0;
  let url = '';
  beforeAll(async () => {
    l = startWhk(['listen', '--port', '0', '--json', '--scheme', 'dfns', '--secret', 'fuzz-secret', '--max-body', '64kb']);
    url = JSON.parse(await l.waitFor(/"type":"ready"/, 'stdout')).url;
    port = Number(new URL(url).port);
  });
  afterAll(async () => {
    l.child.kill('SIGINT');
    await l.exited;
  });

  it('survives malformed, huge, truncated, binary and random requests', async () => {
    const bad: Array<Array<string | Buffer>> = [
      ['\u0000\u0001\u0002\r\n\r\n'],
      ['GET\r\n\r\n'],
      ['POST / HTTP/9.9\r\nHost: x\r\n\r\n'],
      ['POST / HTTP/1.1\r\nNoColonHere\r\n\r\n'],
      ['POST / HTTP/1.1\r\nX-A\u007f: b\r\n\r\n'],
      ['POST / HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n  b\r\n\r\n'],
      ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!'],
      ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n'],
      ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n'],
      ['POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n'],
      ['POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n'],
      ['POST / HTTP/1.1\r\nHost: x\r\n__proto__: polluted\r\nconstructor: c\r\nhasOwnProperty: h\r\nContent-Length: 2\r\n\r\n{}'],
      [`POST /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
      [`POST / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`],
      [`POST / HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 3000 }, (_, i) => `X-${i}: ${i}\r\n`).join('')}\r\n`],
      ['POST / HTTP/1.1\r\nHost: x\r\nX-DFNS-WEBHOOK-SIGNATURE: sha256=zz\r\nContent-Length: 4\r\n\r\n\u00ff\u00fe\u0000\u0001'],
      ['POST / HTTP/1.1\r\nHost: x\r\nX-DFNS-WEBHOOK-SIGNATURE: \r\nX-DFNS-WEBHOOK-SIGNATURE: sha256=1\r\nContent-Length: 2\r\n\r\n[]'],
      // Over --max-body: declared, and streamed in chunks.
      ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10485760\r\n\r\n', Buffer.alloc(70_000, 1)],
      ['POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', ...Array.from({ length: 40 }, () => `800\r\n${'c'.repeat(2048)}\r\n`)],
      // Binary bodies with valid framing.
      ['POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: 256\r\n\r\n', Buffer.from(Array.from({ length: 256 }, (_, i) => i))],
      ['POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{"a":"\u00e9'],
    ];
    for (const chunks of bad) await raw(port, chunks);
    // Truncated: the client goes away mid-body and mid-headers.
    await raw(port, ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"trunc'], { destroy: true });
    await raw(port, ['POST / HTTP/1.1\r\nHost: x\r\nContent-Len'], { destroy: true });
    // Random bytes, and random bytes after a valid request head.
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), async (bytes) => {
        await raw(port, [Buffer.from(bytes)]);
        await raw(port, ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n', Buffer.from(bytes)]);
      }),
      { seed: 4242, numRuns: 40 },
    );

    const body = JSON.stringify({ id: 'wh-ok', kind: 'wallet.created', timestampSent: Math.floor(Date.now() / 1000) });
    const r = await fetch(url, { method: 'POST', body, headers: sign('dfns', { body, secrets: ['fuzz-secret'] }) });
    expect(r.status).toBe(200);
    const ev = JSON.parse(await l.waitFor(/"eventId":"wh-ok"/, 'stdout'));
    expect(ev.verdict.valid).toBe(true);
    expect(l.child.exitCode).toBeNull();
    expect(l.stderrLines.join('\n')).not.toMatch(/\n\s+at |unexpected error|TypeError|RangeError/);
    // Every stdout line is JSON.
    for (const line of l.stdoutLines) expect(() => JSON.parse(line)).not.toThrow();
    const kinds = new Set(l.stdoutLines.map((x) => JSON.parse(x).type));
    expect(kinds).toEqual(new Set(['ready', 'event', 'rejected']));
  });
});
