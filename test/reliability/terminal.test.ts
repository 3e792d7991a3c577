/**
 * Defect: a webhook body or header carrying escape sequences reached the terminal raw through
 * `whk listen`'s pretty output (window title, clear screen, OSC 52 clipboard write, a bare CR,
 * a C1 CSI, a bidi override). The built CLI runs under a real pseudo-terminal (`script` from
 * util-linux): pretty mode is chosen only when stdout is a TTY, and FORCE_COLOR=1 keeps colours
 * on, so the test also shows that whk's own colours survive.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startWhk, WHK } from '../helpers/cli.js';

const hasScript = spawnSync('script', ['--version']).status === 0;
const SECRET = 'terminal-secret';

/** POSTs a GitHub-signed body (Node's client lets 0x80-0xff through in header values, as latin1). */
function post(url: string, body: Buffer, headers: Record<string, string>): Promise<number> {
  const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'X-Hub-Signature-256': signature, ...headers } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe.skipIf(!hasScript)('whk listen on a terminal, receiving hostile deliveries', () => {
  it('shows escape sequences, CRs, C1 and bidi controls escaped; its colours still reach the terminal', async () => {
    // A terminal with no width (no spinner) that does not turn \n into \r\n: every CR in the
    // output would be one that came from the network.
    const cmd = `stty cols 0 rows 0 -onlcr && exec "${process.execPath}" "${WHK}" listen --port 0 --scheme github --secret ${SECRET} --expect 2`;
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
      env: { ...process.env, FORCE_COLOR: '1', NO_COLOR: undefined, WHK_SECRET: undefined },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    const ready = new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString('utf8');
        const m = /whk listening on (http:\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('close', () => reject(new Error(`whk exited before it was ready:\n${out}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const url = await ready;
      // A text body with raw sequences, and headers with C1 CSI bytes.
      const text = Buffer.from('title \u001b]0;pwned\u0007 clear \u001b[2J clip \u001b]52;c;cHduZWQ=\u0007 over\rwrite \u202eevil \u009b31m', 'utf8');
      expect(await post(url, text, { 'Content-Type': 'text/plain', 'X-GitHub-Event': 'push\u009b2J', 'X-Evil': 'a\u009b31mred' })).toBe(200);
      // A JSON body whose strings decode to the same (retryOf is shown on its own line).
      const json = Buffer.from('{"retryOf":"\\u001b]52;c;cHduZWQ=\\u0007","k\\u009b":"\\u202e\\u001b[2J","n":1}');
      expect(await post(url, json, { 'Content-Type': 'application/json', 'X-GitHub-Event': 'ping' })).toBe(200);
      expect(await exited).toBe(0);
    } finally {
      child.kill();
    }

    const withoutColours = out.replace(/\u001b\[[0-9;]*m/g, '');
    expect(withoutColours, out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(out).toMatch(/\u001b\[32m✓ valid\u001b\[39m/); // whk's own colours survive
    // What was sent is still there to read, escaped.
    expect(withoutColours).toContain('title \\x1b]0;pwned\\x07 clear \\x1b[2J clip \\x1b]52;c;cHduZWQ=\\x07 over\\x0dwrite \\u202eevil \\x9b31m');
    expect(withoutColours).toContain('x-evil: a\\x9b31mred');
    expect(withoutColours).toContain('push\\x9b2J');
    expect(withoutColours).toContain('retry of \\x1b]52;c;cHduZWQ=\\x07');
    expect(withoutColours).toContain('"k\\u009b": "\\u202e\\u001b[2J"');
    expect(withoutColours).toContain('whk: 2 events: 2 valid');
  });
});

describe('whk listen --json with the same deliveries', () => {
  it('writes NDJSON with no raw control character, that parses back to the exact body and headers', async () => {
    const listener = startWhk(['listen', '--port', '0', '--scheme', 'github', '--secret', SECRET, '--json', '--expect', '1']);
    try {
      const { url } = JSON.parse(await listener.waitFor(/"type":"ready"/, 'stdout')) as { url: string };
      const body = '\u001b]0;pwned\u0007 \u001b[2J\rover \u202e \u009b31m';
      expect(await post(url, Buffer.from(body), { 'Content-Type': 'text/plain', 'X-Evil': 'a\u009b31mred' })).toBe(200);
      const line = await listener.waitFor(/"type":"event"/, 'stdout');
      expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      const record = JSON.parse(line) as { body: string; headers: Record<string, string> };
      expect(record.body).toBe(body);
      expect(record.headers['x-evil']).toBe('a\u009b31mred');
      expect((await listener.exited).code).toBe(0);
    } finally {
      listener.child.kill();
    }
  });
});
