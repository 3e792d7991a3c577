"""Mux webhook signer.
Docs: https://www.mux.com/docs/core/verify-webhook-signatures
Mux-Signature: t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>.
"""
from _common import emit, hexd, mac, read_case, utf8

c = read_case()
t = str(c["timestamp"])
emit({"Mux-Signature": "t=%s,v1=%s" % (t, hexd(mac("sha256", utf8(c["secret"]), utf8(t + "." + c["body"]))))})
