"""TikTok for Developers webhook signer.
Docs: https://developers.tiktok.com/doc/webhooks-verification
TikTok-Signature: t=<timestamp>,s=<hex HMAC-SHA256(client secret, "<timestamp>.<body>")>.
"""
from _common import emit, hexd, mac, read_case, utf8

c = read_case()
t = str(c["timestamp"])
emit({"TikTok-Signature": "t=%s,s=%s" % (t, hexd(mac("sha256", utf8(c["secret"]), utf8(t + "." + c["body"]))))})
