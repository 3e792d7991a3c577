"""Revolut Merchant API webhook signer, written from Revolut's docs text:
https://developer.revolut.com/docs/guides/accept-payments/tutorials/work-with-webhooks/verify-the-payload-signature
payload_to_sign = "v1." + Revolut-Request-Timestamp (ms) + "." + raw body; Revolut-Signature =
"v1=<hex HMAC-SHA256>", one entry per active signing secret, comma-separated.
A case may give a list of secrets (rotation) in "secrets".
"""
from _common import emit, hexd, mac, read_case, utf8

c = read_case()
t = str(c["timestamp"])
secrets = c.get("secrets") or [c["secret"]]
sigs = ",".join("v1=" + hexd(mac("sha256", utf8(s), utf8("v1." + t + "." + c["body"]))) for s in secrets)
emit({"Revolut-Signature": sigs, "Revolut-Request-Timestamp": t})
