"""Worldline (Connect/Direct) webhook signer.
Docs: https://docs.connect.worldline-solutions.com/documentation/webhooks/event-structure/
SDK vector: connect-sdk-nodejs / connect-sdk-php WebhooksHelper tests.
X-GCS-Signature: <base64 HMAC-SHA256(secret key as UTF-8, body)>; X-GCS-KeyId: <key id>.
The key id, when given, comes from the case's headers["X-GCS-KeyId"].
"""
from _common import b64, emit, mac, read_case, utf8

c = read_case()
out = {"X-GCS-Signature": b64(mac("sha256", utf8(c["secret"]), utf8(c["body"])))}
key_id = (c.get("headers") or {}).get("X-GCS-KeyId")
if key_id is not None:
    out["X-GCS-KeyId"] = key_id
emit(out)
