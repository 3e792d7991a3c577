/**
 * An independent implementation of every scheme, in Python, written from the table in SCHEMES.md
 * (stdlib hmac/hashlib/base64; Ed25519 through the `cryptography` package when it is installed).
 * It signs; whk must produce the same headers and accept Python's. This is the "oracle signs"
 * direction for the providers whose SDK has no signer (Slack, Paddle, Linear, Square, Discord),
 * and the only second opinion for Zoom and Shopify, which ship no verifier in our devDependencies.
 */
import { describe, expect, it } from 'vitest';
import { sign, verify } from '../../src/index.js';
import { ED, NO_PYTHON, NOW, PYTHON, STD_KEY, URL_SQUARE, URL_TWILIO, collectPython, pythonHas, runPython } from './_helpers.js';

const SIGNERS = String.raw`
import base64, hashlib, hmac, json, sys
from urllib.parse import parse_qsl

def mac(alg, key, msg):
    if isinstance(key, str): key = key.encode()
    return hmac.new(key, msg.encode() if isinstance(msg, str) else msg, alg).digest()
b64 = lambda b: base64.b64encode(b).decode()

def ed25519_sign(seed_hex, message):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed_hex)).sign(message.encode())

def ed25519_verify(pub_hex, signature, message):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.exceptions import InvalidSignature
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(pub_hex)).verify(signature, message.encode())
        return True
    except InvalidSignature:
        return False

def headers(c):
    s, body, ts, url = c["secret"], c["body"], c.get("ts"), c.get("url")
    name = c["scheme"]
    if name == "dfns":
        return {"X-DFNS-WEBHOOK-SIGNATURE": "sha256=" + mac(hashlib.sha256, s, body).hex()}
    if name == "typeform":
        return {"Typeform-Signature": "sha256=" + b64(mac(hashlib.sha256, s, body))}
    if name in ("standard", "svix", "freepik"):
        p = "svix" if name == "svix" else "webhook"
        key = base64.b64decode(s[len("whsec_"):] if s.startswith("whsec_") else s) if name != "freepik" else s
        content = f'{c["id"]}.{ts}.{body}'
        return {p + "-id": c["id"], p + "-timestamp": str(ts), p + "-signature": "v1," + b64(mac(hashlib.sha256, key, content))}
    if name == "standard-v1a":
        content = f'{c["id"]}.{ts}.{body}'
        return {"webhook-id": c["id"], "webhook-timestamp": str(ts), "webhook-signature": "v1a," + b64(ed25519_sign(s, content))}
    if name == "wealthkernel":
        return {"X-Webhook-Signature": f"t={ts},v1=" + b64(mac(hashlib.sha256, s, body + str(ts)))}
    if name == "stripe":
        return {"Stripe-Signature": f"t={ts},v1=" + mac(hashlib.sha256, s, f"{ts}.{body}").hex()}
    if name == "github":
        return {"X-Hub-Signature-256": "sha256=" + mac(hashlib.sha256, s, body).hex(),
                "X-Hub-Signature": "sha1=" + mac(hashlib.sha1, s, body).hex()}
    if name in ("slack", "zoom"):
        sig, tsh = ("X-Slack-Signature", "X-Slack-Request-Timestamp") if name == "slack" else ("x-zm-signature", "x-zm-request-timestamp")
        return {sig: "v0=" + mac(hashlib.sha256, s, f"v0:{ts}:{body}").hex(), tsh: str(ts)}
    if name == "shopify":
        return {"X-Shopify-Hmac-Sha256": b64(mac(hashlib.sha256, s, body))}
    if name == "paddle":
        return {"Paddle-Signature": f"ts={ts};h1=" + mac(hashlib.sha256, s, f"{ts}:{body}").hex()}
    if name == "linear":
        return {"Linear-Signature": mac(hashlib.sha256, s, body).hex()}
    if name == "square":
        return {"x-square-hmacsha256-signature": b64(mac(hashlib.sha256, s, url + body))}
    if name == "twilio":
        params = {}
        for k, v in parse_qsl(body, keep_blank_values=True):
            params.setdefault(k, []).append(v)
        data = url + "".join(k + v for k in sorted(params) for v in sorted(set(params[k])))
        return {"X-Twilio-Signature": b64(mac(hashlib.sha1, s, data))}
    if name == "discord":
        return {"X-Signature-Ed25519": ed25519_sign(s, str(ts) + body).hex(), "X-Signature-Timestamp": str(ts)}
    raise ValueError(name)

out = []
for c in json.load(sys.stdin):
    if c.get("op") == "ed25519_verify":
        out.append(ed25519_verify(c["pub"], bytes.fromhex(c["sig_hex"]) if "sig_hex" in c else base64.b64decode(c["sig_b64"]), c["message"]))
    else:
        out.append(headers(c))
print(json.dumps(out))
`;

const HAS_CRYPTOGRAPHY = pythonHas('cryptography');

const BODIES = {
  json: JSON.stringify({ type: 'whk.test', data: { note: 'whk-test', n: 42 } }),
  unicode: JSON.stringify({ type: 'whk.test', data: { note: 'Grüße, 日本, 🚀' } }),
  indented: `${JSON.stringify({ type: 'whk.test', data: [1, 2, 3] }, null, 2)}\n`,
};

interface Row { scheme: string; secret: string; verifyKey?: string; url?: string; bodies?: string[] }

const ROWS: Row[] = [
  { scheme: 'dfns', secret: 'dfns-secret', bodies: [JSON.stringify({ kind: 'wallet.transfer.requested', data: { note: 'Grüße' }, timestampSent: NOW })] },
  { scheme: 'typeform', secret: 'tf-secret' },
  { scheme: 'standard', secret: STD_KEY },
  { scheme: 'svix', secret: STD_KEY },
  { scheme: 'freepik', secret: 'fpk_sécret' },
  { scheme: 'wealthkernel', secret: 'wk-secret' },
  { scheme: 'stripe', secret: 'whsec_stripe_secret' },
  { scheme: 'github', secret: "It's a Secret to Everybody" },
  { scheme: 'slack', secret: '8f742231b10e8888abcd99yyyzzz85a5' },
  { scheme: 'shopify', secret: 'shpss_0123' },
  { scheme: 'paddle', secret: 'pdl_ntfset_01_secret' },
  { scheme: 'zoom', secret: 'zoom-secret-token' },
  { scheme: 'linear', secret: 'lin_wh_secret', bodies: [JSON.stringify({ type: 'Issue', action: 'create', data: { title: 'Grüße' }, webhookTimestamp: NOW * 1000 })] },
  { scheme: 'square', secret: 'signature-key', url: URL_SQUARE },
  { scheme: 'twilio', secret: 'twilio-token', url: URL_TWILIO, bodies: ['Body=Gr%C3%BC%C3%9Fe+%F0%9F%9A%80&From=%2B1555&MediaUrl=b&MediaUrl=a&MediaUrl=b', 'CallSid=CA1&Digits=&To=%2B1800'] },
  ...(HAS_CRYPTOGRAPHY ? [{ scheme: 'discord', secret: ED.seedHex, verifyKey: ED.pubHex }] : []),
];

const cases = ROWS.flatMap((r) => (r.bodies ?? Object.values(BODIES)).map((body, n) => ({ ...r, body, n: String(n + 1) })));
const pyHeaders = collectPython<Array<Record<string, string>>>(SIGNERS, cases.map((c) => ({ scheme: c.scheme, secret: c.secret, body: c.body, ts: NOW, id: 'msg_py', url: c.url })));

describe.skipIf(!PYTHON)(`every scheme against Python${PYTHON ? '' : ` (${NO_PYTHON})`}`, () => {
  const table = cases.map((c, i) => ({ ...c, i }));

  it.each(table)('$scheme, body $n: whk signs exactly what Python signs', ({ scheme, secret, body, url, i }) => {
    expect(sign(scheme, { body, secrets: [secret], timestamp: NOW, id: 'msg_py', url })).toEqual(pyHeaders[i]);
  });

  it.each(table)("$scheme, body $n: whk verifies Python's signature, and not over another body", ({ scheme, secret, verifyKey, body, url, i }) => {
    const input = { headers: pyHeaders[i]!, secrets: [verifyKey ?? secret], now: NOW, url };
    expect(verify(scheme, { ...input, body })).toMatchObject({ valid: true, scheme });
    const changed = body.replace(/[a-y]/, (ch) => String.fromCharCode(ch.charCodeAt(0) + 1));
    expect(verify(scheme, { ...input, body: changed }).reason).toBe('no_match');
  });

  it.skipIf(!HAS_CRYPTOGRAPHY)('Python (cryptography) verifies what whk signs with Ed25519, and rejects a changed message', () => {
    const body = BODIES.unicode;
    const discord = sign('discord', { body, secrets: [ED.seedHex], timestamp: NOW });
    const v1a = sign('standard', { body, secrets: [ED.whsk], timestamp: NOW, id: 'msg_ed' })['webhook-signature']!.slice('v1a,'.length);
    const checks = runPython<boolean[]>(SIGNERS, [
      { op: 'ed25519_verify', pub: ED.pubHex, sig_hex: discord['X-Signature-Ed25519'], message: `${NOW}${body}` },
      { op: 'ed25519_verify', pub: ED.pubHex, sig_b64: v1a, message: `msg_ed.${NOW}.${body}` },
      { op: 'ed25519_verify', pub: ED.pubHex, sig_b64: v1a, message: `msg_ed.${NOW + 1}.${body}` },
    ]);
    expect(checks).toEqual([true, true, false]);
  });

  it.skipIf(!HAS_CRYPTOGRAPHY)('Python signs Standard Webhooks v1a; whk verifies it with the whpk_ key', () => {
    const body = BODIES.json;
    const [headers] = runPython<Array<Record<string, string>>>(SIGNERS, [{ scheme: 'standard-v1a', secret: ED.seedHex, body, ts: NOW, id: 'msg_py' }]);
    expect(verify('standard', { body, headers: headers!, secrets: [ED.whpk], now: NOW }).reason).toBe('ok');
    expect(sign('standard', { body, secrets: [ED.whsk], timestamp: NOW, id: 'msg_py' })).toEqual(headers);
  });
});
