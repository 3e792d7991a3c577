"""Pinwheel webhook signer.
Docs: https://docs.pinwheelapi.com/docs/webhook-signature-verification
msg = UTF-8("v2:<x-timestamp>:") + raw body; key = API secret;
X-Pinwheel-Signature: v2=<hex HMAC-SHA256(key, msg)>.
"""
from _common import emit, hexd, mac, read_case, utf8

c = read_case()
t = str(c["timestamp"])
msg = utf8("v2:" + t + ":") + utf8(c["body"])
emit({"X-Timestamp": t, "X-Pinwheel-Signature": "v2=" + hexd(mac("sha256", utf8(c["secret"]), msg))})
