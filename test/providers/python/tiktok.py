"""TikTok for Developers webhook signer.
Docs: https://developers.tiktok.com/doc/webhooks-verification
TikTok-Signature: t=<timestamp>,s=<hex HMAC-SHA256(client secret, "<timestamp>.<body>")>.
"""
from _case import read_case, utf8, digest, hexd, emit

c = read_case()
t = str(c["timestamp"])
emit({"TikTok-Signature": "t=%s,s=%s" % (t, hexd(digest("sha256", utf8(c["secret"]), utf8(t + "." + c["body"]))))})
