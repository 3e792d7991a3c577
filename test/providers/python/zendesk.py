"""Zendesk webhook signer.
Docs: https://developer.zendesk.com/documentation/webhooks/verifying/
X-Zendesk-Webhook-Signature: base64(HMACSHA256(secret, TIMESTAMP + BODY)),
X-Zendesk-Webhook-Signature-Timestamp: TIMESTAMP.
"""
from _case import read_case, utf8, digest, b64, emit

c = read_case()
t = str(c["timestamp"])
emit({"X-Zendesk-Webhook-Signature": b64(digest("sha256", utf8(c["secret"]), utf8(t + c.get("body", "")))),
      "X-Zendesk-Webhook-Signature-Timestamp": t})
