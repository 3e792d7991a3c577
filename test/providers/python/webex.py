"""Webex webhook signer.
Docs: https://developer.webex.com/blog/using-a-webhook-secret
X-Spark-Signature: <hex HMAC-SHA1(webhook secret, raw body)>.
"""
from _common import emit, hexd, mac, read_case, utf8

c = read_case()
emit({"X-Spark-Signature": hexd(mac("sha1", utf8(c["secret"]), utf8(c["body"])))})
