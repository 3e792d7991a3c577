/**
 * The seed documents against whk.
 *
 * Dfns (seed 000) and Typeform (seed 001) ship example code: it is copied below as verbatim as
 * possible and run with python3 (Dfns' Node sample too, with node), fed whk's output, and its
 * own signature fed to whk. Freepik (002) and WealthKernel (003) describe the algorithm in prose
 * only: a small Python implementation written from that prose stands in for them.
 *
 * Harness changes to the samples are limited to: the secret comes from the environment (as the
 * samples already do), the clock is pinned by replacing time.time / Date, and Django's settings
 * object is a stub.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { sign, verify } from '../../src/index.js';
import { NO_PYTHON, NOW, PYTHON, collectPython, runPython } from './_helpers.js';

// ---------------------------------------------------------------------------------------------
// Dfns, seed 000: "Verify events are sent from Dfns", the Python tab, verbatim.
const DFNS_PYTHON_SAMPLE = String.raw`
import os
import json
import hmac
import hashlib
import time

WEBHOOK_SECRET = os.environ["WEBHOOK_SECRET"]  # the webhook secret you got upon webhook creation
REPLAY_ATTACK_TOLERANCE = 5 * 60  # 5 minutes

def verify_dfns_webhook_signature(event_payload: dict, event_signature: str) -> bool:
    # event_payload should be the parsed JSON object
    message_to_sign = json.dumps(event_payload, separators=(',', ':'))

    expected_signature = "sha256=" + hmac.new(
        WEBHOOK_SECRET.encode(),
        message_to_sign.encode(),
        hashlib.sha256
    ).hexdigest()

    # Use constant-time comparison to avoid timing attacks
    is_signature_valid = hmac.compare_digest(expected_signature, event_signature)

    now = time.time()
    is_timestamp_valid = abs(now - event_payload["timestampSent"]) < REPLAY_ATTACK_TOLERANCE

    return is_signature_valid and is_timestamp_valid
`;

/** Runs the sample on each case; "sign" cases return the signature the sample's own lines compute. */
const DFNS_PYTHON_HARNESS = String.raw`
import sys

def sample_signature(event_payload):
    # the first statements of verify_dfns_webhook_signature, returning what it compares against
    message_to_sign = json.dumps(event_payload, separators=(',', ':'))
    return "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), message_to_sign.encode(), hashlib.sha256).hexdigest()

out = []
for case in json.load(sys.stdin):
    payload = json.loads(case["body"])
    if case["op"] == "sign":
        out.append(sample_signature(payload))
    else:
        time.time = lambda now=case["now"]: now
        out.append(verify_dfns_webhook_signature(payload, case["signature"]))
print(json.dumps(out))
`;

// Dfns, seed 000: the Node.js tab, verbatim.
const DFNS_NODE_SAMPLE = String.raw`
  const crypto = require('crypto')

  const WEBHOOK_SECRET = process.env.WEBHOOK_SECRET // the webhook secret you got upon webhook creation
  const REPLAY_ATTACK_TOLERANCE = 5 * 60 // 5 minutes

  function verifyDfnsWebhookSignature(eventPayload, eventSignature) {
    const messageToSign = JSON.stringify(eventPayload) // this assumes "eventPayload" was already JSON-parsed, and is an object (the full payload of the webhook event)

    const signature = crypto
      .createHmac('sha256', WEBHOOK_SECRET)
      .update(messageToSign)
      .digest('hex')

    const trustedSig = Buffer.from(${'`'}sha256=${'${signature}'}${'`'}, 'ascii')
    const untrustedSig = Buffer.from(eventSignature, 'ascii')

    const isSignatureValid = crypto.timingSafeEqual(trustedSig, untrustedSig) // using a constant-time equality comparison (to avoid timing attacks)

    const now = new Date().getTime() / 1000 // your server unix timestamp
    const isTimestampWithinTolerance = Math.abs(now - eventPayload.timestampSent) < REPLAY_ATTACK_TOLERANCE

    return isSignatureValid && isTimestampWithinTolerance
  }
`;
const DFNS_NODE_HARNESS = String.raw`
let pinnedMs = 0;
const RealDate = Date;
globalThis.Date = class extends RealDate { constructor(...a) { super(...(a.length ? a : [pinnedMs])); } };
const out = [];
for (const c of JSON.parse(require('fs').readFileSync(0, 'utf8'))) {
  pinnedMs = c.now * 1000;
  try { out.push(verifyDfnsWebhookSignature(JSON.parse(c.body), c.signature)); } catch (e) { out.push('threw ' + e.code); }
}
console.log(JSON.stringify(out));
`;

function dfnsNodeSample(secret: string, cases: Array<{ body: string; signature: string; now: number }>): Array<boolean | string> {
  const r = spawnSync(process.execPath, ['-e', DFNS_NODE_SAMPLE + DFNS_NODE_HARNESS], {
    input: JSON.stringify(cases), env: { ...process.env, WEBHOOK_SECRET: secret }, encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe.skipIf(!PYTHON)(`Dfns: the docs' own samples against whk${PYTHON ? '' : ` (${NO_PYTHON})`}`, () => {
  const SECRET = 'dfns-whsec-0123456789';
  const event = (over: Record<string, unknown> = {}) => ({
    id: 'wh-3fb9', date: '2023-11-14T22:13:20.000Z', kind: 'wallet.transfer.confirmed',
    data: { transferId: 'xfr-1', walletId: 'wa-1', amount: '1000000000000000000' }, timestampSent: NOW, deliveryAttempt: 1, ...over,
  });
  const compact = (o: object) => JSON.stringify(o);
  const whkSig = (body: string, secret = SECRET) => sign('dfns', { body, secrets: [secret] })['X-DFNS-WEBHOOK-SIGNATURE']!;
  const whk = (body: string, signature: string, now = NOW) => verify('dfns', { body, headers: { 'X-DFNS-WEBHOOK-SIGNATURE': signature }, secrets: [SECRET], now });

  const NON_ASCII = compact(event({ data: { memo: 'Paiement reçu — 5 € ✓', walletName: 'Trésorerie' } }));
  const BIG_INT = `{"id":"wh-9","kind":"wallet.blockchainevent.detected","data":{"value":123456789012345678901234567890,"blockNumber":9007199254740993},"timestampSent":${NOW},"deliveryAttempt":1}`;

  /** [what, body, signature, now, whk reason, Python sample, Node sample] */
  const ROWS: Array<[string, string, string, number, string, boolean, boolean | string]> = [
    ['whk-signed compact event', compact(event()), whkSig(compact(event())), NOW, 'ok', true, true],
    ['a retry (retryOf, deliveryAttempt 2)', compact(event({ deliveryAttempt: 2, retryOf: 'wh-3fb8' })), whkSig(compact(event({ deliveryAttempt: 2, retryOf: 'wh-3fb8' }))), NOW, 'ok', true, true],
    ['signed with another secret', compact(event()), whkSig(compact(event()), 'another'), NOW, 'no_match', false, false],
    ['a body byte changed', compact(event({ kind: 'wallet.transfer.failed' })), whkSig(compact(event())), NOW, 'no_match', false, false],
    ['timestampSent 299 s ago', compact(event({ timestampSent: NOW - 299 })), whkSig(compact(event({ timestampSent: NOW - 299 }))), NOW, 'ok', true, true],
    ['timestampSent 300 s ago (strict <)', compact(event({ timestampSent: NOW - 300 })), whkSig(compact(event({ timestampSent: NOW - 300 }))), NOW, 'timestamp_too_old', false, false],
    ['timestampSent 299 s ahead', compact(event({ timestampSent: NOW + 299 })), whkSig(compact(event({ timestampSent: NOW + 299 }))), NOW, 'ok', true, true],
    ['timestampSent 300 s ahead', compact(event({ timestampSent: NOW + 300 })), whkSig(compact(event({ timestampSent: NOW + 300 }))), NOW, 'timestamp_in_future', false, false],
    // The documented pitfalls. Non-ASCII text: the Python sample re-serializes with ensure_ascii
    // (\u00e7 ...), so it rejects what Dfns' Node signer (and whk) produce.
    ['non-ASCII text (Python sample escapes it: rejects)', NON_ASCII, whkSig(NON_ASCII), NOW, 'ok', false, true],
    // Integers beyond 2^53: JSON.parse rounds them, so the Node sample's JSON.stringify no longer
    // reproduces the signed bytes; Python keeps them exact; whk checks the raw bytes first.
    ['integers beyond 2^53 (Node sample rounds them: rejects)', BIG_INT, whkSig(BIG_INT), NOW, 'ok', true, false],
    // A signature of another length: the Node sample's timingSafeEqual throws instead of returning false.
    ['a truncated signature', compact(event()), `${whkSig(compact(event())).slice(0, -2)}`, NOW, 'malformed_header', false, 'threw ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH'],
  ];

  const python = collectPython<boolean[]>(DFNS_PYTHON_SAMPLE + DFNS_PYTHON_HARNESS,
    ROWS.map(([, body, signature, now]) => ({ op: 'verify', body, signature, now })), { WEBHOOK_SECRET: SECRET });
  const node = dfnsNodeSample(SECRET, ROWS.map(([, body, signature, now]) => ({ body, signature, now })));

  const table = ROWS.map(([what, body, signature, now, reason, py, js], i) => ({ what, body, signature, now, reason, py, js, i }));
  it.each(table)('$what: whk $reason, Python sample $py, Node sample $js', ({ body, signature, now, reason, py, js, i }) => {
    expect(whk(body, signature, now).reason).toBe(reason);
    expect(python[i]).toBe(py);
    expect(node[i]).toBe(js);
  });

  describe("the Python sample's own signature, checked by whk", () => {
    const bodies = {
      compact: compact(event()),
      indented: `${JSON.stringify(event(), null, 2)}\n`,
      nonAscii: NON_ASCII,
      bigInt: BIG_INT,
      bigIntSpaced: BIG_INT.replace(/,"/g, ', "'),
    };
    const sigs = collectPython<string[]>(DFNS_PYTHON_SAMPLE + DFNS_PYTHON_HARNESS,
      Object.values(bodies).map((body) => ({ op: 'sign', body })), { WEBHOOK_SECRET: SECRET });
    const sig = Object.fromEntries(Object.keys(bodies).map((k, i) => [k, sigs[i]!])) as Record<keyof typeof bodies, string>;

    it('equals whk\'s signature of the compact body', () => {
      expect(sig.compact).toBe(whkSig(bodies.compact));
    });

    it('compact body: ok on the raw bytes', () => {
      expect(whk(bodies.compact, sig.compact)).toMatchObject({ valid: true, matched: 'raw body' });
    });

    it('indented body: ok once its insignificant whitespace is removed, and says so', () => {
      expect(whk(bodies.indented, sig.indented)).toMatchObject({ valid: true, matched: 'body without its insignificant whitespace' });
    });

    it('non-ASCII body: no_match, diagnosed as Python json.dumps escaping non-ASCII', () => {
      const v = whk(bodies.nonAscii, sig.nonAscii);
      expect(v.reason).toBe('no_match');
      expect(v.valid ? '' : v.diagnosis).toMatch(/json\.dumps.*ensure_ascii|escapes non-ASCII/);
    });

    it('integers beyond 2^53 (raw body compact): ok — Python keeps them exact', () => {
      expect(whk(bodies.bigInt, sig.bigInt)).toMatchObject({ valid: true, matched: 'raw body' });
    });

    // The whitespace-stripping fallback keeps the digits that JSON.parse would round.
    it('integers beyond 2^53 in a re-spaced body: whk accepts, as the Python sample does', () => {
      expect(sig.bigIntSpaced).toBe(sig.bigInt);
      expect(whk(bodies.bigIntSpaced, sig.bigIntSpaced).reason).toBe('ok');
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Typeform, seed 001 (a Django guide): the verifySignature function of step 5, verbatim, and the
// header handling of the view's post() (its OCR-damaged copy in step 2, repaired: "sha name" ->
// "sha_name", missing parentheses closed).
const TYPEFORM_PYTHON = String.raw`
import base64
import hashlib
import hmac
import json
import os
import sys

class settings:  # stands in for django.conf.settings
    TYPEFORM_CLIENT_SECRET = os.environ["TYPEFORM_CLIENT_SECRET"]

class TypeformSubmissions:
    def verifySignature(self, receivedSignature: str, payload):

        WEBHOOK_SECRET = settings.TYPEFORM_CLIENT_SECRET
        digest = hmac.new(
            WEBHOOK_SECRET.encode("utf-8"), payload.encode("utf-8"), hashlib.sha256
        ).digest()
        e = base64.b64encode(digest).decode()


        if e == receivedSignature:
            return True
        return False

    def post(self, receivedSignature, raw_body):
        if receivedSignature is None:
            return 403
        sha_name, signature = receivedSignature.split("=", 1)
        if sha_name != "sha256":
            return 501
        is_valid = self.verifySignature(signature, raw_body)
        if is_valid != True:
            return 403
        return 200

    def sign(self, raw_body):
        # the digest lines of verifySignature, returned as the header Typeform sends
        digest = hmac.new(settings.TYPEFORM_CLIENT_SECRET.encode("utf-8"), raw_body.encode("utf-8"), hashlib.sha256).digest()
        return "sha256=" + base64.b64encode(digest).decode()

view = TypeformSubmissions()
out = []
for case in json.load(sys.stdin):
    out.append(view.sign(case["body"]) if case["op"] == "sign" else view.post(case.get("header"), case["body"]))
print(json.dumps(out))
`;

describe.skipIf(!PYTHON)(`Typeform: the Django guide's code against whk${PYTHON ? '' : ` (${NO_PYTHON})`}`, () => {
  const SECRET = 'typeform-whk-secret';
  const form = (answers: object) => JSON.stringify({ event_id: '01HX', event_type: 'form_response', form_response: { form_id: 'lT4Z3j', answers } });
  const BODIES = {
    ascii: form([{ type: 'text', text: 'whk-test' }]),
    nonAscii: form([{ type: 'text', text: 'Ça marche très bien ✓ — 日本' }]),
    indented: `${JSON.stringify({ event_id: '01HY', event_type: 'form_response', form_response: { answers: [] } }, null, 2)}\n`,
  };
  const whkHeader = (body: string, secret = SECRET) => sign('typeform', { body, secrets: [secret] })['Typeform-Signature']!;

  /** [what, body, header (undefined: absent), whk reason, the view's status] */
  const ROWS: Array<[string, string, string | undefined, string, number]> = [
    ['ASCII answers', BODIES.ascii, whkHeader(BODIES.ascii), 'ok', 200],
    ['non-ASCII answers', BODIES.nonAscii, whkHeader(BODIES.nonAscii), 'ok', 200],
    ['an indented body with a trailing newline', BODIES.indented, whkHeader(BODIES.indented), 'ok', 200],
    ['another secret', BODIES.ascii, whkHeader(BODIES.ascii, 'other'), 'no_match', 403],
    ['a body byte changed', BODIES.ascii.replace('whk-test', 'whk-tesu'), whkHeader(BODIES.ascii), 'no_match', 403],
    ['no Typeform-Signature header', BODIES.ascii, undefined, 'missing_header', 403],
    ['a sha1= header', BODIES.ascii, whkHeader(BODIES.ascii).replace('sha256=', 'sha1='), 'malformed_header', 501],
  ];
  const statuses = collectPython<number[]>(TYPEFORM_PYTHON, ROWS.map(([, body, header]) => ({ op: 'verify', body, header })), { TYPEFORM_CLIENT_SECRET: SECRET });

  const table = ROWS.map(([what, body, header, reason, status], i) => ({ what, body, header, reason, status, i }));
  it.each(table)('$what: whk $reason, the view answers $status', ({ body, header, reason, status, i }) => {
    const headers = header === undefined ? {} : { 'Typeform-Signature': header };
    expect(verify('typeform', { body, headers, secrets: [SECRET] }).reason).toBe(reason);
    expect(statuses[i]).toBe(status);
  });

  it("the guide's own signature verifies in whk, and equals whk's", () => {
    const sigs = runPython<string[]>(TYPEFORM_PYTHON, Object.values(BODIES).map((body) => ({ op: 'sign', body })), { TYPEFORM_CLIENT_SECRET: SECRET });
    Object.values(BODIES).forEach((body, i) => {
      expect(verify('typeform', { body, headers: { 'typeform-signature': sigs[i]! }, secrets: [SECRET] }).reason).toBe('ok');
      expect(whkHeader(body)).toBe(sigs[i]);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Freepik, seed 002: the page's Python snippets did not survive; this follows its prose.
// "concatenating the webhook-id, webhook-timestamp, and the request body with a period"
// "Encode the secret key as bytes. Obtain the HMAC-SHA256 hash ... Encode the hash in base64."
// "a list of space-delimited signatures and their corresponding version identifiers ... If any
// of the signatures match, the request is considered valid."
const FREEPIK_PYTHON = String.raw`
import base64, hashlib, hmac, json, sys

def content_to_sign(webhook_id, webhook_timestamp, body):
    return f"{webhook_id}.{webhook_timestamp}.{body}"

def generate_signature(secret, content):
    digest = hmac.new(secret.encode(), content.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()

def verify(secrets, headers, body):
    content = content_to_sign(headers["webhook-id"], headers["webhook-timestamp"], body)
    for versioned in headers["webhook-signature"].split(" "):
        version, signature = versioned.split(",", 1)
        for secret in secrets:
            if hmac.compare_digest(signature.encode(), generate_signature(secret, content).encode()):
                return True
    return False

def sign(secrets, webhook_id, webhook_timestamp, body):
    content = content_to_sign(webhook_id, webhook_timestamp, body)
    return " ".join("v1," + generate_signature(s, content) for s in secrets)

out = []
for c in json.load(sys.stdin):
    if c["op"] == "sign":
        out.append(sign(c["secrets"], c["id"], c["ts"], c["body"]))
    else:
        out.append(verify(c["secrets"], c["headers"], c["body"]))
print(json.dumps(out))
`;

describe.skipIf(!PYTHON)(`Freepik: an implementation of the prose against whk${PYTHON ? '' : ` (${NO_PYTHON})`}`, () => {
  const body = JSON.stringify({ event: 'image.generated', data: { prompt: 'un café à Zürich ☕', id: 'task_1' } });
  const A = 'fpk_secret_alpha';
  const B = 'fpk-sécret-β';
  const signed = (secrets: string[]) => sign('freepik', { body, secrets, timestamp: NOW, id: 'msg_fp' });

  const ROWS: Array<[string, Record<string, string>, string, string[], boolean]> = [
    ['one secret', signed([A]), body, [A], true],
    ['a non-ASCII secret (UTF-8 bytes)', signed([B]), body, [B], true],
    ['two secrets (rotation), checked with the second', signed([A, B]), body, [B], true],
    ['another secret', signed([A]), body, ['fpk_other'], false],
    ['a body byte changed', signed([A]), body.replace('task_1', 'task_2'), [A], false],
  ];
  const py = collectPython<boolean[]>(FREEPIK_PYTHON, ROWS.map(([, headers, b, secrets]) => ({ op: 'verify', headers, body: b, secrets })));

  const table = ROWS.map(([what, headers, b, secrets, ok], i) => ({ what, headers, b, secrets, ok, i }));
  it.each(table)('whk signs ($what): valid = $ok for whk and Python', ({ headers, b, secrets, ok, i }) => {
    expect(py[i]).toBe(ok);
    expect(verify('freepik', { body: b, headers, secrets, now: NOW }).valid).toBe(ok);
  });

  it('Python signs with two secrets; whk verifies with either, and its own header is identical', () => {
    const [header] = runPython<string[]>(FREEPIK_PYTHON, [{ op: 'sign', secrets: [A, B], id: 'msg_fp', ts: NOW, body }]);
    const headers = { 'webhook-id': 'msg_fp', 'webhook-timestamp': String(NOW), 'webhook-signature': header! };
    expect(verify('freepik', { body, headers, secrets: [A], now: NOW }).reason).toBe('ok');
    expect(verify('freepik', { body, headers, secrets: [B], now: NOW }).reason).toBe('ok');
    expect(verify('auto', { body, headers, secrets: [B], now: NOW })).toMatchObject({ valid: true, scheme: 'freepik' });
    expect(signed([A, B])['webhook-signature']).toBe(header);
  });
});

// ---------------------------------------------------------------------------------------------
// WealthKernel, seed 003 (guide of 2022-03-30): prose only.
// "split the header ... using comma (,) as a delimiter. The timestamp can be identified by the t=
// prefix. The HMACs can be identified by a scheme prefix, e.g. v1=" / "take the body ... and
// concatenate the value of the timestamp element to the end" / "HMAC with SHA-256 ... using your
// secret as the key ... Encode the generated HMAC in base64" / tolerance: the receiver's choice.
const WEALTHKERNEL_PYTHON = String.raw`
import base64, hashlib, hmac, json, sys

def compute(secret, body, t):
    return base64.b64encode(hmac.new(secret.encode(), (body + t).encode(), hashlib.sha256).digest()).decode()

def verify(header, body, secrets, now, tolerance):
    t, hmacs = None, []
    for element in header.split(","):
        if element.startswith("t="):
            t = element[len("t="):]
        elif element.startswith("v1="):
            hmacs.append(element[len("v1="):])
    if t is None or not hmacs:
        return False
    signature_ok = any(hmac.compare_digest(compute(s, body, t), h) for s in secrets for h in hmacs)
    return signature_ok and abs(now - int(t)) <= tolerance

def sign(secrets, body, t):
    return ",".join(["t=" + t] + ["v1=" + compute(s, body, t) for s in secrets[:2]])

out = []
for c in json.load(sys.stdin):
    if c["op"] == "sign":
        out.append(sign(c["secrets"], c["body"], str(c["t"])))
    else:
        out.append(verify(c["header"], c["body"], c["secrets"], c["now"], 300))
print(json.dumps(out))
`;

describe.skipIf(!PYTHON)(`WealthKernel: an implementation of the prose against whk${PYTHON ? '' : ` (${NO_PYTHON})`}`, () => {
  const body = JSON.stringify({ event: { type: 'transactions.transaction_settled', id: 'evt_wk_1' }, payload: { amount: { amount: 12.5, currency: 'GBP' }, note: 'Dépôt' } });
  const header = (secrets: string[], t = NOW) => sign('wealthkernel', { body, secrets, timestamp: t })['X-Webhook-Signature']!;

  const ROWS: Array<[string, string, string, string[], boolean]> = [
    ['one secret', header(['wk1']), body, ['wk1'], true],
    ['two secrets, checked with the second', header(['wk1', 'wk2']), body, ['wk2'], true],
    ['another secret', header(['wk1']), body, ['wk3'], false],
    ['a body byte changed', header(['wk1']), body.replace('Dépôt', 'Dépôs'), ['wk1'], false],
    ['t 300 s ago', header(['wk1'], NOW - 300), body, ['wk1'], true],
    ['t 301 s ago', header(['wk1'], NOW - 301), body, ['wk1'], false],
    ['t 301 s ahead', header(['wk1'], NOW + 301), body, ['wk1'], false],
  ];
  const py = collectPython<boolean[]>(WEALTHKERNEL_PYTHON, ROWS.map(([, h, b, secrets]) => ({ op: 'verify', header: h, body: b, secrets, now: NOW })));

  const table = ROWS.map(([what, h, b, secrets, ok], i) => ({ what, h, b, secrets, ok, i }));
  it.each(table)('whk signs ($what): valid = $ok for whk and Python', ({ h, b, secrets, ok, i }) => {
    expect(py[i]).toBe(ok);
    expect(verify('wealthkernel', { body: b, headers: { 'X-Webhook-Signature': h }, secrets, now: NOW }).valid).toBe(ok);
  });

  it('Python signs (at most two v1); whk verifies with each, and its own header is identical', () => {
    const [h] = runPython<string[]>(WEALTHKERNEL_PYTHON, [{ op: 'sign', secrets: ['wk1', 'wk2', 'wk3'], body, t: NOW }]);
    for (const s of ['wk1', 'wk2']) expect(verify('wealthkernel', { body, headers: { 'x-webhook-signature': h! }, secrets: [s], now: NOW }).reason).toBe('ok');
    expect(verify('wealthkernel', { body, headers: { 'x-webhook-signature': h! }, secrets: ['wk3'], now: NOW }).reason).toBe('no_match');
    expect(header(['wk1', 'wk2', 'wk3'])).toBe(h);
  });
});
