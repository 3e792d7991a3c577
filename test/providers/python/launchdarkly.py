"""LaunchDarkly webhook signer.
Docs: https://launchdarkly.com/docs/home/infrastructure/webhooks#sign-a-webhook
X-LD-Signature: <hex HMAC-SHA256 of the payload, the webhook secret as key>.
"""
from _common import emit, hexd, mac, read_case, utf8

c = read_case()
emit({"X-LD-Signature": hexd(mac("sha256", utf8(c["secret"]), utf8(c["body"])))})
