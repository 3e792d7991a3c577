"""Xero webhook signer.
Docs: https://developer.xero.com/documentation/webhooks/configuring-your-server
x-xero-signature: <base64 HMACSHA256(webhook signing key, payload)>.
"""
from _common import b64, emit, mac, read_case, utf8

c = read_case()
emit({"x-xero-signature": b64(mac("sha256", utf8(c["secret"]), utf8(c["body"])))})
