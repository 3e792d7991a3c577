"""Xero webhook signer.
Docs: https://developer.xero.com/documentation/webhooks/configuring-your-server
x-xero-signature: <base64 HMACSHA256(webhook signing key, payload)>.
"""
from _case import read_case, utf8, digest, b64, emit

c = read_case()
emit({"x-xero-signature": b64(digest("sha256", utf8(c["secret"]), utf8(c["body"])))})
