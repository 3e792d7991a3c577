"""Zendesk webhook signer.
Docs: https://developer.zendesk.com/documentation/webhooks/verifying/
X-Zendesk-Webhook-Signature: base64(HMACSHA256(secret, TIMESTAMP + BODY)),
X-Zendesk-Webhook-Signature-Timestamp: TIMESTAMP.
"""
from _common import b64, emit, mac, read_case, utf8

c = read_case()
t = str(c["timestamp"])
emit({"X-Zendesk-Webhook-Signature": b64(mac("sha256", utf8(c["secret"]), utf8(t + c.get("body", "")))),
      "X-Zendesk-Webhook-Signature-Timestamp": t})
