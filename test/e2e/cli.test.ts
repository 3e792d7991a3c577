/**
 * The offline commands as a user runs them: the built CLI in a child process, no TTY.
 * Expected signatures come from published vectors or are recomputed here with node:crypto.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { runWhk } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'whk-cli-'));
const file = (name: string, content: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const dfnsSig = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('whk sign', () => {
  it('prints the Standard Webhooks vector as header lines and nothing else', async () => {
    const r = await runWhk(['sign', '--scheme', 'standard', '--secret', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      '--id', 'msg_p5jXN8AQM9LWM0D4loKWxJek', '--timestamp', '1614265330', '--body', '{"test": 2432232314}']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe([
      'webhook-id: msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp: 1614265330',
      'webhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
      '',
    ].join('\n'));
  });

  it('signs the exact bytes of stdin (no re-encoding, trailing newline kept)', async () => {
    const body = '{ "kind": "wallet.created",\n  "data": {} }\n';
    const r = await runWhk(['sign', '--scheme', 'dfns', '--secret', 'abc'], { input: body });
    expect(r.stdout.trim()).toBe(`X-DFNS-WEBHOOK-SIGNATURE: ${dfnsSig('abc', body)}`);
  });

  it('--json prints scheme, headers and body', async () => {
    const r = await runWhk(['sign', '--scheme', 'github', '--secret', "It's a Secret to Everybody", '--body', 'Hello, World!', '--json']);
    expect(JSON.parse(r.stdout)).toEqual({
      scheme: 'github',
      headers: {
        'X-Hub-Signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
        'X-Hub-Signature': `sha1=${createHmac('sha1', "It's a Secret to Everybody").update('Hello, World!').digest('hex')}`,
      },
      body: 'Hello, World!',
    });
  });

  it('takes the secret from WHK_SECRET and from --secret-file', async () => {
    const fromEnv = await runWhk(['sign', '--scheme', 'dfns', '--body', 'x'], { env: { WHK_SECRET: 'envsecret' } });
    expect(fromEnv.stdout.trim()).toBe(`X-DFNS-WEBHOOK-SIGNATURE: ${dfnsSig('envsecret', 'x')}`);
    const fromFile = await runWhk(['sign', '--scheme', 'dfns', '--body', 'x', '--secret-file', file('secret.txt', 'filesecret\n')]);
    expect(fromFile.stdout.trim()).toBe(`X-DFNS-WEBHOOK-SIGNATURE: ${dfnsSig('filesecret', 'x')}`);
  });

  it('signs with every secret where the scheme rotates secrets, and the official library accepts it', async () => {
    const right = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const wrong = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
    const body = '{"type":"user.created"}';
    const r = await runWhk(['sign', '--scheme', 'standard', '--secret', wrong, '--secret', right, '--body', body, '--json']);
    const { headers } = JSON.parse(r.stdout);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(right).verify(body, headers)).toEqual({ type: 'user.created' });
  });

  it.each([
    [['sign', '--scheme', 'dfsn', '--secret', 's', '--body', 'x'], /unknown scheme "dfsn": did you mean "dfns"\?/],
    [['sign', '--secret', 's', '--body', 'x'], /missing --scheme/],
    [['sign', '--scheme', 'dfns', '--body', 'x'], /no secret: pass --secret/],
    [['sign', '--scheme', 'dfns', '--secret', 's', '--body-file', '/nonexistent/body.json'], /cannot read --body-file \/nonexistent\/body.json: no such file/],
    [['sign', '--scheme', 'standard', '--secret', 'whsec_not*base64', '--body', 'x'], /not base64/],
    [['sign', '--scheme', 'square', '--secret', 's', '--body', 'x'], /pass --url/],
    [['sign', '--scheme', 'dfns', '--secret', 's', '--body', 'x', '--timestamp', '1700000000000'], /looks like milliseconds/],
    [['sign', '--scheme', 'dfns', '--secret', 'a', '--secret', 'b', '--body', 'x'], /signs with one secret/],
    [['sign', '--schem', 'dfns'], /unknown option '--schem'.*--scheme/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('usage error %j exits 2 with one line', async (args, message) => {
    const r = await runWhk(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('never prints a secret it cannot decode in full', async () => {
    const secret = 'whsec_AAAAthis-is-not-base64-and-secret';
    const r = await runWhk(['sign', '--scheme', 'standard', '--secret', secret, '--body', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain(secret.slice(6));
  });
});

describe('whk verify', () => {
  const body = '{"id":"wh_1","kind":"wallet.transfer.confirmed","data":{},"timestampSent":1700000000,"deliveryAttempt":1}';

  it('round-trips with whk sign through a headers file', async () => {
    const signed = await runWhk(['sign', '--scheme', 'dfns', '--secret', 's3cret', '--body', body]);
    const headers = file('dfns-headers.txt', signed.stdout);
    const r = await runWhk(['verify', '--secret', 's3cret', '--headers-file', headers, '--body', body, '--now', '1700000012']);
    expect(r.stdout.trim()).toBe('✓ valid (dfns, raw body, timestamp 12 s old)');
    expect(r.code).toBe(0);
  });

  it('--json gives the documented shape', async () => {
    const r = await runWhk(['verify', '--scheme', 'dfns', '--secret', 's3cret', '--header', `X-Dfns-Webhook-Signature: ${dfnsSig('s3cret', body)}`,
      '--body', body, '--now', '1700000400', '--json']);
    expect(r.code).toBe(1);
    const v = JSON.parse(r.stdout);
    expect(Object.keys(v).slice(0, 5)).toEqual(['valid', 'scheme', 'reason', 'message', 'diagnosis']);
    // The signature matched: the diagnosis says how long ago it stopped being valid (issue 10).
    expect(v).toMatchObject({ valid: false, scheme: 'dfns', reason: 'timestamp_too_old', diagnosis: 'this signature was valid 100 s ago: the delivery was replayed (or retried late), or a clock is off' });
  });

  it('explains a body that was re-serialized before verifying', async () => {
    const pretty = `${JSON.stringify(JSON.parse(body), null, 2)}\n`;
    const r = await runWhk(['verify', '--scheme', 'standard', '--secret', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      '--header', 'webhook-id: msg_1', '--header', 'webhook-timestamp: 1700000000',
      '--header', `webhook-signature: v1,${createHmac('sha256', Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64')).update(`msg_1.1700000000.${body}`).digest('base64')}`,
      '--body', pretty, '--now', '1700000000']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^✗ invalid: no_match — /);
    expect(r.stdout).toMatch(/diagnosis: the signature matches this body re-serialized as compact JSON/);
  });

  it('detects the scheme and reports a stale Stripe timestamp', async () => {
    const t = 1700000000;
    const sig = createHmac('sha256', 'whsec_test').update(`${t}.${body}`).digest('hex');
    const r = await runWhk(['verify', '--secret', 'whsec_test', '--header', `Stripe-Signature: t=${t},v1=${sig}`, '--body', body, '--now', String(t + 301)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ invalid: timestamp_too_old — timestamp is 301 s old/);
    const ok = await runWhk(['verify', '--secret', 'whsec_test', '--header', `Stripe-Signature: t=${t},v1=${sig}`, '--body', body, '--now', String(t + 301), '--tolerance', '600']);
    expect(ok.code).toBe(0);
  });

  it('exits 1 when the signature header is missing, with the reason', async () => {
    const r = await runWhk(['verify', '--scheme', 'github', '--secret', 's', '--body', 'x', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).reason).toBe('missing_header');
  });

  it.each([
    [['verify', '--scheme', 'github', '--body', 'x'], /no secret/],
    [['verify', '--scheme', 'githbu', '--secret', 's', '--body', 'x'], /did you mean "github"/],
    [['verify', '--secret', 's', '--headers-file', '/nonexistent', '--body', 'x'], /cannot read --headers-file/],
    [['verify', '--secret', 's', '--header', 'no colon here', '--body', 'x'], /not a "Name: value" header line/],
    [['verify', '--secret', 's', '--header', 'X-Hub-Signature-256: sha256=00', '--body', 'x', '--now', 'yesterday'], /--now "yesterday" is not an integer/],
  ])('usage error %j exits 2', async (args, message) => {
    const r = await runWhk(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('whk schemes and help', () => {
  it('lists every scheme, as text and as JSON', async () => {
    const text = await runWhk(['schemes']);
    const json = await runWhk(['schemes', '--json']);
    const list = JSON.parse(json.stdout) as Array<{ name: string; headers: string[] }>;
    // The 16 hand-written schemes first, then the providers' catalogue (issue 10: at least 70 in all).
    expect(list.map((s) => s.name).slice(0, 16)).toEqual(['dfns', 'typeform', 'standard', 'svix', 'freepik', 'wealthkernel', 'stripe', 'github', 'slack', 'shopify', 'paddle', 'zoom', 'linear', 'square', 'twilio', 'discord']);
    expect(list.length).toBeGreaterThanOrEqual(70);
    for (const s of list) expect(text.stdout).toContain(s.headers[0]);
  });

  it('--help and --version exit 0', async () => {
    expect((await runWhk(['--help'])).code).toBe(0);
    expect((await runWhk(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect((await runWhk(['verify', '--help'])).stdout).toMatch(/--headers-file/);
  });
});
