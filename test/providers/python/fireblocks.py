"""Fireblocks webhook signatures, written from Fireblocks' text, independently of whk.

Source: "Validating webhooks", https://developers.fireblocks.com/reference/validating-webhooks
  - Legacy: Fireblocks-Signature: Base64(RSA512(WEBHOOK_PRIVATE_KEY, SHA512(eventBody))):
    SHA-512 of the raw body, RSA PKCS#1 v1.5, base64.
  - JWKS (webhooks v2): Fireblocks-Webhook-Signature: "<header>..<signature>", a detached JWS
    (RS512); to verify, put base64url(raw body) between the dots (RFC 7515 signing input:
    ASCII(BASE64URL(header) || '.' || BASE64URL(payload))), RSA PKCS#1 v1.5 with SHA-512.

RSA is done by the openssl CLI (standard library only otherwise).

Usage (JSON on stdin, JSON on stdout):
  fireblocks.py sign    {"body": str, "key": "<private key PEM file>", "kid": str}
                        -> {"Fireblocks-Signature": ..., "Fireblocks-Webhook-Signature": ...}
  fireblocks.py verify  {"body": str, "headers": {...}, "pub": "<public key PEM file>"}
                        -> {"legacy": bool|null, "jws": bool|null}
"""
import base64
import json
import os
import subprocess
import sys
import tempfile


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def openssl(args, data):
    r = subprocess.run(["openssl"] + args, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return r


def rsa_sha512_sign(key, data):
    r = openssl(["dgst", "-sha512", "-sign", key], data)
    if r.returncode != 0:
        raise SystemExit(r.stderr.decode())
    return r.stdout


def rsa_sha512_verify(pub, data, signature):
    with tempfile.TemporaryDirectory() as d:
        sig = os.path.join(d, "sig.bin")
        with open(sig, "wb") as f:
            f.write(signature)
        return openssl(["dgst", "-sha512", "-verify", pub, "-signature", sig], data).returncode == 0


def sign(case):
    body = case["body"].encode("utf-8")
    header = b64url(json.dumps({"alg": "RS512", "kid": case["kid"]}, separators=(",", ":")).encode())
    jws_sig = rsa_sha512_sign(case["key"], (header + "." + b64url(body)).encode())
    return {
        "Fireblocks-Signature": base64.b64encode(rsa_sha512_sign(case["key"], body)).decode(),
        "Fireblocks-Webhook-Signature": header + ".." + b64url(jws_sig),
    }


def verify(case):
    body = case["body"].encode("utf-8")
    headers = {k.lower(): v for k, v in case["headers"].items()}
    out = {"legacy": None, "jws": None}
    if "fireblocks-signature" in headers:
        out["legacy"] = rsa_sha512_verify(case["pub"], body, base64.b64decode(headers["fireblocks-signature"]))
    if "fireblocks-webhook-signature" in headers:
        header, empty, sig = headers["fireblocks-webhook-signature"].split(".")
        assert empty == ""
        assert json.loads(unb64url(header))["alg"] == "RS512"
        out["jws"] = rsa_sha512_verify(case["pub"], (header + "." + b64url(body)).encode(), unb64url(sig))
    return out


if __name__ == "__main__":
    case = json.loads(sys.stdin.read())
    print(json.dumps({"sign": sign, "verify": verify}[sys.argv[1]](case)))
