"""Webex webhook signer.
Docs: https://developer.webex.com/blog/using-a-webhook-secret
X-Spark-Signature: <hex HMAC-SHA1(webhook secret, raw body)>.
"""
from _case import read_case, utf8, digest, hexd, emit

c = read_case()
emit({"X-Spark-Signature": hexd(digest("sha1", utf8(c["secret"]), utf8(c["body"])))})
