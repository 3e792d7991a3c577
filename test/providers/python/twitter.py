"""X (Twitter) webhook signer.
Docs: https://developer.twitter.com/en/docs/twitter-api/enterprise/account-activity-api/guides/securing-webhooks
x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256(consumer secret, body)>.
"""
from _common import b64, emit, mac, read_case, utf8

c = read_case()
emit({"x-twitter-webhooks-signature": "sha256=" + b64(mac("sha256", utf8(c["secret"]), utf8(c["body"])))})
