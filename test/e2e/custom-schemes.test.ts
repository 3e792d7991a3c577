/**
 * Custom schemes, end to end: the issue's acme definition, exactly as written there, in a file
 * (--scheme-file) and in the config folder ($XDG_CONFIG_HOME/whk/schemes/), through the built
 * whk: sign, verify, listen (200 and 401), send and probe (against a receiver written in Python
 * from the definition's meaning, not with whk), schemes / schemes show, and every kind of bad
 * definition file (exit 2, one line naming the file and the key).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWhk, startWhk } from '../helpers/cli.js';
import { ACME, ACME_JSON, acmeHeader, acmeSig } from '../schemes/_acme.js';

const dir = mkdtempSync(join(tmpdir(), 'whk-custom-'));
const ACME_FILE = join(dir, 'acme.json');
writeFileSync(ACME_FILE, ACME_JSON);
/** A config home whose whk/schemes/ folder holds acme.json. */
const XDG = join(dir, 'config');
mkdirSync(join(XDG, 'whk', 'schemes'), { recursive: true });
writeFileSync(join(XDG, 'whk', 'schemes', 'acme.json'), ACME_JSON);
/** A config home that holds nothing. */
const EMPTY_XDG = join(dir, 'empty-config');
const withConfig = { env: { XDG_CONFIG_HOME: XDG } };
const noConfig = { env: { XDG_CONFIG_HOME: EMPTY_XDG } };

const T = 1_700_000_000;
const BODY = '{"type":"payment.succeeded","id":"pay_1","amount":4200}';

/** The acme signature by Python's hmac module, from the definition's meaning. */
function pythonAcme(secret: string, t: number, body: string): string {
  const r = spawnSync('python3', ['-c', 'import hmac, hashlib, sys; print(hmac.new(sys.argv[1].encode(), (sys.argv[2] + "." + sys.argv[3]).encode(), hashlib.sha256).hexdigest())', secret, String(t), body], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

describe('whk sign and verify with the acme definition', () => {
  it('sign: the header, as Python computes it; --scheme is implied by the only definition of --scheme-file', async () => {
    const r = await runWhk(['sign', '--scheme-file', ACME_FILE, '--secret', 's3cret', '--timestamp', String(T), '--body', BODY], noConfig);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(`X-Acme-Signature: t=${T},v1=${pythonAcme('s3cret', T, BODY)}\n`);
  });

  it('sign --scheme acme finds the definition in the config folder; two secrets give two v1', async () => {
    const r = await runWhk(['sign', '--scheme', 'acme', '--secret', 'old', '--secret', 's3cret', '--timestamp', String(T), '--body', BODY], withConfig);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`X-Acme-Signature: t=${T},v1=${pythonAcme('old', T, BODY)},v1=${pythonAcme('s3cret', T, BODY)}\n`);
  });

  it('verify: valid, and the verdict says the check is the custom definition\'s', async () => {
    const header = `X-Acme-Signature: ${acmeHeader('s3cret', T, BODY)}`;
    const r = await runWhk(['verify', '--scheme-file', ACME_FILE, '--scheme', 'acme', '--secret', 's3cret', '--header', header, '--body', BODY, '--now', String(T + 12)], noConfig);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`✓ valid (acme, raw body, timestamp 12 s old)\n  check: custom definition (${ACME_FILE}): HMAC-SHA256 hex over "timestamp.body"\n`);
    const json = await runWhk(['verify', '--scheme-file', ACME_FILE, '--secret', 's3cret', '--header', header, '--body', BODY, '--now', String(T + 12), '--json'], noConfig);
    expect(JSON.parse(json.stdout)).toEqual({
      valid: true, scheme: 'acme', reason: 'ok', message: 'signature matches the raw body, timestamp 12 s old', diagnosis: null,
      matched: 'raw body', secretIndex: 0, age: 12, check: `custom definition (${ACME_FILE}): HMAC-SHA256 hex over "timestamp.body"`,
    });
  });

  it('verify: pairs in any order, v1 repeated, unknown pairs ignored; 301 s old or ahead is refused (exit 1)', async () => {
    const sig = acmeSig('s3cret', T, BODY);
    const args = (value: string, now: number) => ['verify', '--scheme-file', ACME_FILE, '--secret', 's3cret', '--header', `X-Acme-Signature: ${value}`, '--body', BODY, '--now', String(now)];
    expect((await runWhk(args(`v0=x,v1=${'0'.repeat(64)},v1=${sig},t=${T}`, T + 300), noConfig)).code).toBe(0);
    const old = await runWhk(args(`t=${T},v1=${sig}`, T + 301), noConfig);
    expect(old.code).toBe(1);
    expect(old.stdout).toMatch(/^✗ invalid: timestamp_too_old — timestamp is 301 s old, beyond the 300 s tolerance \(t= in X-Acme-Signature\)/);
    expect((await runWhk(args(`t=${T},v1=${sig}`, T - 301), noConfig)).stdout).toMatch(/^✗ invalid: timestamp_in_future/);
  });

  it('verify --scheme auto (the default) detects acme from the config folder and from --scheme-file', async () => {
    const header = `X-Acme-Signature: ${acmeHeader('s3cret', T, BODY)}`;
    const fromFolder = await runWhk(['verify', '--secret', 's3cret', '--header', header, '--body', BODY, '--now', String(T)], withConfig);
    expect(fromFolder.stdout).toMatch(/^✓ valid \(acme, raw body, timestamp 0 s old\)\n {2}check: custom definition \(.*config\/whk\/schemes\/acme\.json\)/);
    const none = await runWhk(['verify', '--secret', 's3cret', '--header', header, '--body', BODY], noConfig);
    expect(none.code).toBe(1);
    expect(none.stdout).toMatch(/^✗ invalid: missing_header — no signature header of any known scheme/);
  });

  it('verify diagnoses a re-serialized body and parts in the wrong order', async () => {
    const pretty = JSON.stringify(JSON.parse(BODY), null, 2);
    const header = `X-Acme-Signature: ${acmeHeader('s3cret', T, BODY)}`;
    const r = await runWhk(['verify', '--scheme-file', ACME_FILE, '--secret', 's3cret', '--header', header, '--body', pretty, '--now', String(T)], noConfig);
    expect(r.stdout).toMatch(/diagnosis: the signature matches this body re-serialized as compact JSON/);
    const swapped = createHmac('sha256', 's3cret').update(`${BODY}.${T}`).digest('hex');
    const w = await runWhk(['verify', '--scheme-file', ACME_FILE, '--secret', 's3cret', '--header', `X-Acme-Signature: t=${T},v1=${swapped}`, '--body', BODY, '--now', String(T)], noConfig);
    expect(w.stdout).toContain('diagnosis: the sender signed "body.timestamp": the parts are in another order: acme signs "timestamp.body"');
  });

  it('a typo in --scheme suggests the custom scheme; whk sign --scheme dfns never reads the config folder', async () => {
    const typo = await runWhk(['sign', '--scheme-file', ACME_FILE, '--scheme', 'acm', '--secret', 's', '--body', 'x'], noConfig);
    expect(typo).toMatchObject({ code: 2, stdout: '', stderr: 'whk: unknown scheme "acm": did you mean "acme"? (whk schemes lists them all) (see whk sign --help)\n' });
    // A broken file in the folder: a built-in scheme's name never gets to it; a custom name does.
    const broken = join(dir, 'broken-config');
    mkdirSync(join(broken, 'whk', 'schemes'), { recursive: true });
    writeFileSync(join(broken, 'whk', 'schemes', 'zz.json'), '{ "name": ');
    const env = { env: { XDG_CONFIG_HOME: broken } };
    expect((await runWhk(['sign', '--scheme', 'dfns', '--secret', 's', '--body', '{}'], env)).code).toBe(0);
    expect((await runWhk(['verify', '--scheme', 'github', '--secret', 's', '--header', 'X-Hub-Signature-256: sha256=00', '--body', 'x'], env)).code).toBe(1);
    const custom = await runWhk(['sign', '--scheme', 'acme', '--secret', 's', '--body', '{}'], env);
    expect(custom.code).toBe(2);
    expect(custom.stderr).toMatch(new RegExp(`^whk: ${join(broken, 'whk', 'schemes', 'zz.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not JSON \\(.+\\)\\n$`));
  });
});

describe('bad definition files: exit 2, one line naming the file, the key and what is wrong', () => {
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const cases: Array<[string, string, string, string]> = [
    ['the issue\'s example', 'acme.json', JSON.stringify({ ...ACME, hmac: 'sha257' }), 'acme.json: "hmac": "sha257" is not one of sha1, sha256, sha512'],
    ['not JSON', 'broken.json', '{ "name": "acme", }', 'broken.json: not JSON ('],
    ['an unknown key', 'typo.json', JSON.stringify({ ...ACME, hamc: 'sha256' }), 'typo.json: unknown key "hamc": did you mean "hmac"?'],
    ['in an array', 'many.json', JSON.stringify([ACME, { ...ACME, name: 'acme2', encoding: 'b64' }]), 'many.json #2: "encoding": "b64" is not one of hex, base64, base64url'],
    ['a built-in name', 'gh.json', JSON.stringify({ ...ACME, name: 'github' }), 'gh.json: "name": "github" is a built-in scheme: give yours another name'],
    ['an unsigned timestamp', 'unsigned.json', JSON.stringify({ ...ACME, signs: '{body}' }), 'unsigned.json: "signs": "{body}" does not include {timestamp}, so the timestamp in "value" is not signed: anyone could change it; add {timestamp} to "signs"'],
  ];
  it.each(cases)('%s', async (_what, name, text, message) => {
    const sub = join(dir, `bad-${name.replace('.json', '')}`);
    mkdirSync(sub, { recursive: true });
    const p = file(join(`bad-${name.replace('.json', '')}`, name), text);
    const r = await runWhk(['sign', '--scheme-file', p, '--secret', 's', '--body', '{}'], noConfig);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toHaveLength(2); // one line, then the final newline
    expect(r.stderr.startsWith(`whk: ${join(sub, name)}${message.slice(name.length)}`)).toBe(true);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a missing file, and the same name in two files', async () => {
    const missing = await runWhk(['verify', '--scheme-file', join(dir, 'nope.json'), '--secret', 's', '--body', 'x'], noConfig);
    expect(missing).toMatchObject({ code: 2, stderr: `whk: cannot read --scheme-file ${join(dir, 'nope.json')}: no such file: check the path (see whk verify --help)\n` });
    const twice = await runWhk(['verify', '--scheme-file', ACME_FILE, '--scheme-file', ACME_FILE, '--secret', 's', '--body', 'x'], noConfig);
    expect(twice).toMatchObject({ code: 2, stderr: `whk: ${ACME_FILE}: "name": "acme" is already defined by ${ACME_FILE} (see whk verify --help)\n` });
  });

  it('every command that takes --scheme takes --scheme-file', async () => {
    const bad = file('bad-every.json', JSON.stringify({ ...ACME, hmac: 'md5' }));
    for (const args of [['sign'], ['verify'], ['listen', '--port', '0'], ['send', 'http://127.0.0.1:9/'], ['replay', '-', '--to', 'http://127.0.0.1:9/'], ['probe', 'http://127.0.0.1:9/'], ['schemes']]) {
      const r = await runWhk([...args, '--scheme-file', bad], noConfig);
      expect([args[0], r.code, r.stderr]).toEqual([args[0], 2, `whk: ${bad}: "hmac": "md5" is not one of sha1, sha256, sha512 (see whk ${args[0]} --help)\n`]);
    }
  });
});

describe('whk listen with the acme definition', () => {
  const post = (url: string, body: string, headers: Record<string, string>) =>
    fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

  it('answers 200 to a delivery signed by hand and 401 to a bad one, with type, id and the diagnosis', async () => {
    const readyFile = join(dir, 'listen-ready.txt');
    const w = startWhk(['listen', '--port', '0', '--scheme-file', ACME_FILE, '--scheme', 'acme', '--secret', 's3cret', '--json', '--ready-file', readyFile], noConfig);
    try {
      const ready = JSON.parse(await w.waitFor(/"type":"ready"/, 'stdout')) as { url: string };
      const now = Math.floor(Date.now() / 1000);
      const ok = await post(ready.url, BODY, { 'X-Acme-Signature': acmeHeader('s3cret', now, BODY), 'X-Acme-Delivery': 'dlv_1' });
      expect(ok.status).toBe(200);
      const first = JSON.parse(await w.waitFor(/"seq":1/, 'stdout'));
      expect(first).toMatchObject({ scheme: 'acme', eventType: 'payment.succeeded', eventId: 'dlv_1', verdict: { valid: true, reason: 'ok' }, response: { status: 200 } });

      const wrong = await post(ready.url, BODY, { 'X-Acme-Signature': acmeHeader('other', now, BODY), 'X-Acme-Delivery': 'dlv_2' });
      expect(wrong.status).toBe(401);
      expect(await wrong.text()).toMatch(/no_match/);
      // Signed over the compact body, received pretty-printed: the diagnosis (in the worker thread) names it.
      const pretty = JSON.stringify(JSON.parse(BODY), null, 2);
      const reencoded = await post(ready.url, pretty, { 'X-Acme-Signature': acmeHeader('s3cret', now, BODY), 'X-Acme-Delivery': 'dlv_3' });
      expect(reencoded.status).toBe(401);
      const third = JSON.parse(await w.waitFor(/"seq":3/, 'stdout'));
      expect(third.verdict).toMatchObject({ valid: false, reason: 'no_match', check: `custom definition (${ACME_FILE}): HMAC-SHA256 hex over "timestamp.body"` });
      expect(third.verdict.diagnosis).toMatch(/^the signature matches this body re-serialized as compact JSON/);
    } finally {
      w.child.kill('SIGINT');
    }
    expect((await w.exited).code).toBe(130);
  });

  it('the diagnosis worker of the build gets the custom definitions (its own registry) and diagnoses by name', async () => {
    const worker = new Worker(fileURLToPath(new URL('../../dist/bin/commands/diagnose-worker.js', import.meta.url)), {
      workerData: { definitions: [{ definition: ACME, source: 'acme.json' }] },
    });
    try {
      const answer = new Promise<{ id: number; verdict?: { reason: string; diagnosis?: string } }>((resolve) => worker.once('message', resolve));
      const headers = { 'x-acme-signature': acmeHeader('s3cret', T, BODY) };
      worker.postMessage({ id: 7, scheme: 'acme', input: { body: Buffer.from(JSON.stringify(JSON.parse(BODY), null, 2)), headers, secrets: ['s3cret'], now: T } });
      const m = await answer;
      expect(m.id).toBe(7);
      expect(m.verdict?.reason).toBe('no_match');
      expect(m.verdict?.diagnosis).toMatch(/^the signature matches this body re-serialized as compact JSON/);
    } finally {
      await worker.terminate();
    }
  });

  it('--scheme auto (the default) with the config folder: the first valid acme delivery fixes the scheme', async () => {
    const w = startWhk(['listen', '--port', '0', '--secret', 's3cret', '--json'], withConfig);
    try {
      const ready = JSON.parse(await w.waitFor(/"type":"ready"/, 'stdout')) as { url: string };
      const ok = await post(ready.url, BODY, { 'X-Acme-Signature': acmeHeader('s3cret', Math.floor(Date.now() / 1000), BODY) });
      expect(ok.status).toBe(200);
      await w.waitFor(/verifying as acme from now on/, 'stderr');
      const stale = await post(ready.url, BODY, { 'X-Acme-Signature': acmeHeader('s3cret', Math.floor(Date.now() / 1000) - 3600, BODY) });
      expect(stale.status).toBe(401);
      expect(JSON.parse(await w.waitFor(/"seq":2/, 'stdout')).verdict.reason).toBe('timestamp_too_old');
    } finally {
      w.child.kill('SIGINT');
    }
    await w.exited;
  });
});

/**
 * An acme receiver in Python, written from the definition's meaning (not with whk): pairs in any
 * order, v1 may repeat, unknown pairs ignored, HMAC-SHA256 over "<t>.<raw body>" with the secret's
 * UTF-8 bytes, 300 s either way (mode "strict"), or no timestamp check at all (mode "lax", a
 * receiver with a bug). It answers {"ok", "why", "type"} (the type at /type of the body).
 */
const RECEIVER = String.raw`
import hmac, hashlib, json, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer
SECRET = sys.argv[1].encode('utf-8')
MODE = sys.argv[2]

def check(header, body):
    if header is None:
        return False, 'no X-Acme-Signature'
    t, sigs = None, []
    for part in header.split(','):
        k, eq, v = part.strip().partition('=')
        if not eq:
            continue
        if k == 't' and t is None:
            t = v
        elif k == 'v1':
            sigs.append(v)
    if t is None or not t.isdigit():
        return False, 'no timestamp'
    want = hmac.new(SECRET, t.encode() + b'.' + body, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(want, s) for s in sigs):
        return False, 'no match'
    if MODE == 'strict' and abs(time.time() - int(t)) > 300:
        return False, 'timestamp out of tolerance'
    return True, 'ok'

class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
        ok, why = check(self.headers.get('X-Acme-Signature'), body)
        try:
            kind = json.loads(body).get('type')
        except Exception:
            kind = None
        out = json.dumps({'ok': ok, 'why': why, 'type': kind}).encode()
        self.send_response(200 if ok else 401)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(out)))
        self.end_headers()
        self.wfile.write(out)
    def log_message(self, *args):
        pass

server = HTTPServer(('127.0.0.1', 0), Handler)
print(server.server_port, flush=True)
server.serve_forever()
`;

function startReceiver(mode: 'strict' | 'lax'): Promise<{ url: string; child: ChildProcessWithoutNullStreams }> {
  const child = spawn('python3', ['-c', RECEIVER, 's3cret', mode], { stdio: ['pipe', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`the Python receiver exited (${code})`)));
    createInterface({ input: child.stdout }).once('line', (port) => resolve({ url: `http://127.0.0.1:${port.trim()}/webhooks`, child }));
  });
}

describe('whk send and whk probe against an acme receiver written in Python', () => {
  let strict: { url: string; child: ChildProcessWithoutNullStreams };
  let lax: { url: string; child: ChildProcessWithoutNullStreams };
  beforeAll(async () => {
    [strict, lax] = await Promise.all([startReceiver('strict'), startReceiver('lax')]);
  });
  afterAll(() => {
    strict?.child.kill();
    lax?.child.kill();
  });

  it('send: the receiver accepts the sample event (its type where the definition says)', async () => {
    const r = await runWhk(['send', strict.url, '--scheme-file', ACME_FILE, '--secret', 's3cret', '--json'], noConfig);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ ok: true, scheme: 'acme', event: 'whk.test', status: 200 });
    expect(JSON.parse(report.deliveries[0].response.body)).toEqual({ ok: true, why: 'ok', type: 'whk.test' });
  });

  it('send: a body of your own, byte for byte', async () => {
    const bodyFile = join(dir, 'body.json');
    writeFileSync(bodyFile, `${BODY}\n`);
    const r = await runWhk(['send', strict.url, '--scheme', 'acme', '--secret', 's3cret', '--body-file', bodyFile, '--json'], withConfig);
    expect(r.code).toBe(0);
    expect(JSON.parse(JSON.parse(r.stdout).deliveries[0].response.body)).toEqual({ ok: true, why: 'ok', type: 'payment.succeeded' });
  });

  it.each([
    ['--tamper', 'body', 'no match'], ['--tamper', 'signature', 'no match'], ['--stale', '10m', 'timestamp out of tolerance'],
    ['--future', '10m', 'timestamp out of tolerance'], ['--wrong-secret', undefined, 'no match'], ['--no-signature', undefined, 'no X-Acme-Signature'],
  ])('send %s %s: refused (exit 0, --expect 4xx), for the reason the receiver gives', async (flag, value, why) => {
    const r = await runWhk(['send', strict.url, '--scheme-file', ACME_FILE, '--secret', 's3cret', flag, ...(value ? [value] : []), '--json'], noConfig);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.status).toBe(401);
    expect(JSON.parse(report.deliveries[0].response.body).why).toBe(why);
  });

  it('probe: the correct receiver passes every check', async () => {
    const r = await runWhk(['probe', strict.url, '--scheme-file', ACME_FILE, '--secret', 's3cret'], noConfig);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^whk probe .* \(acme\)/);
    expect(r.stdout).toMatch(/PASS {2}stale timestamp/);
    expect(r.stdout).toMatch(/PASS {2}timestamp in the future/);
    expect(r.stdout).toMatch(/PASS {2}secret rotation/);
    expect(r.stdout).toMatch(/\d+ checks: \d+ pass, 0 fail, 0 warn/);
  });

  it('probe: a receiver that skips the timestamp check fails the stale and future checks (exit 1)', async () => {
    const r = await runWhk(['probe', lax.url, '--scheme', 'acme', '--secret', 's3cret', '--json'], withConfig);
    expect(r.code).toBe(1);
    const failed = (JSON.parse(r.stdout) as { checks: Array<{ id: string; result: string }> }).checks.filter((x) => x.result === 'FAIL').map((x) => x.id);
    expect(failed).toEqual(['stale-timestamp', 'future-timestamp']);
  });
});

describe('whk schemes with custom schemes', () => {
  it('lists them after the built-in ones, keeping every key; --json says where each comes from', async () => {
    const r = await runWhk(['schemes', '--json'], withConfig);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    const acme = list.find((s) => s.name === 'acme')!;
    expect(acme).toMatchObject({
      provider: 'Acme Payments (in-house)', headers: ['X-Acme-Signature'], docs: 'https://docs.acme.example/webhooks#signatures',
      builtIn: false, definition: true, multipleSecrets: true, timestampRule: 't= in X-Acme-Signature, ±300 s',
    });
    expect(acme.source).toMatch(/config\/whk\/schemes\/acme\.json$/);
    expect(list.findIndex((s) => s.name === 'acme')).toBe(list.length - 1);
    const github = list.find((s) => s.name === 'github')!;
    expect(github).toMatchObject({ builtIn: true, source: null, definition: true, docs: expect.stringMatching(/^https:\/\/docs\.github\.com\//) });
    expect(list.find((s) => s.name === 'dfns')).toMatchObject({ builtIn: true, definition: false });
    for (const s of list) expect(Object.keys(s)).toEqual(expect.arrayContaining(['name', 'provider', 'headers', 'algorithm', 'timestamp', 'timestampRule', 'secretFormat', 'multipleSecrets', 'needsUrl', 'contentType']));
    const human = await runWhk(['schemes'], withConfig);
    expect(human.stdout).toMatch(/acme {10}Acme Payments \(in-house\)\n {2}headers {5}X-Acme-Signature\n[\s\S]*\n {2}docs {8}https:\/\/docs\.acme\.example\/webhooks#signatures\n {2}defined in {2}.*acme\.json\n$/);
  });

  it('show --definition prints a definition; a built-in one, renamed, signs as the built-in scheme', async () => {
    const acme = await runWhk(['schemes', 'show', 'acme', '--definition', '--scheme-file', ACME_FILE], noConfig);
    expect(JSON.parse(acme.stdout)).toEqual(ACME);
    const gh = await runWhk(['schemes', 'show', 'github', '--definition'], noConfig);
    expect(gh.code).toBe(0);
    const copy = join(dir, 'my-github.json');
    writeFileSync(copy, JSON.stringify({ ...JSON.parse(gh.stdout), name: 'my-github' }));
    const ours = await runWhk(['sign', '--scheme-file', copy, '--secret', "It's a Secret to Everybody", '--body', 'Hello, World!'], noConfig);
    expect(ours.stdout).toBe('X-Hub-Signature-256: sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17\n');
    const theirs = await runWhk(['sign', '--scheme', 'github', '--secret', "It's a Secret to Everybody", '--body', 'Hello, World!'], noConfig);
    expect(theirs.stdout.split('\n')[0]).toBe(ours.stdout.trim());
  });

  it('show: the rules of one scheme, --json with its definition; a scheme written in code has none (exit 2)', async () => {
    const r = await runWhk(['schemes', 'show', 'acme'], withConfig);
    expect(r.stdout).toMatch(/^acme {10}Acme Payments \(in-house\)\n[\s\S]*\n {2}definition {2}whk schemes show acme --definition\n$/);
    const json = JSON.parse((await runWhk(['schemes', 'show', 'stripe', '--json'], noConfig)).stdout);
    expect(json).toMatchObject({ name: 'stripe', builtIn: true, definition: { name: 'stripe', value: 't={timestamp},v1={signature}' } });
    const dfns = await runWhk(['schemes', 'show', 'dfns', '--definition'], noConfig);
    expect(dfns.code).toBe(2);
    expect(dfns.stderr).toMatch(/^whk: dfns is written in code, not as a definition \(its rules do not fit the format\): no definition to print; these have one: typeform, standard, /);
    expect((await runWhk(['schemes', 'show', 'nope'], noConfig))).toMatchObject({ code: 2, stderr: 'whk: unknown scheme "nope" (whk schemes lists them all) (see whk schemes show --help)\n' });
  });

  it('sign --header gives the value of a header a definition signs ({header:Name})', async () => {
    const tenant = join(dir, 'tenant.json');
    writeFileSync(tenant, JSON.stringify({ name: 'tenant', hmac: 'sha256', encoding: 'base64', header: 'X-Sig', signs: '{header:X-Tenant}:{body}' }));
    const r = await runWhk(['sign', '--scheme-file', tenant, '--secret', 'k', '--header', 'X-Tenant: eu-1', '--body', BODY], noConfig);
    expect(r.stdout).toBe(`X-Sig: ${createHmac('sha256', 'k').update(`eu-1:${BODY}`).digest('base64')}\nX-Tenant: eu-1\n`);
    const missing = await runWhk(['sign', '--scheme-file', tenant, '--secret', 'k', '--body', BODY], noConfig);
    expect(missing).toMatchObject({ code: 2, stderr: "whk: tenant signs the X-Tenant header: give its value (--header 'X-Tenant: <value>') (see whk sign --help)\n" });
    const unsigned = await runWhk(['sign', '--scheme', 'github', '--secret', 'k', '--header', 'X-Tenant: eu-1', '--body', BODY], noConfig);
    expect(unsigned.code).toBe(2);
  });
});
