"""LaunchDarkly webhook signer.
Docs: https://launchdarkly.com/docs/home/infrastructure/webhooks#sign-a-webhook
X-LD-Signature: <hex HMAC-SHA256 of the payload, the webhook secret as key>.
"""
from _case import read_case, utf8, digest, hexd, emit

c = read_case()
emit({"X-LD-Signature": hexd(digest("sha256", utf8(c["secret"]), utf8(c["body"])))})
