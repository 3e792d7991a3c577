"""Orb webhook signer.
Source: official SDK orb-billing (npm), src/resources/webhooks.ts
X-Orb-Timestamp: <ISO 8601>; X-Orb-Signature: v1=<hex HMAC-SHA256(secret, "v1:<timestamp>:<body>")>.
"""
from _common import emit, hexd, mac, read_case, utf8

c = read_case()
t = str(c["timestamp"])
sig = hexd(mac("sha256", utf8(c["secret"]), utf8("v1:" + t + ":" + c["body"])))
emit({"X-Orb-Timestamp": t, "X-Orb-Signature": "v1=" + sig})
