"""Modern Treasury webhook signer.
Docs: https://docs.moderntreasury.com/platform/reference/webhooks
X-Signature: <hex HMAC-SHA-256 of the body with the webhook key>.
"""
from _common import emit, hexd, mac, read_case, utf8

c = read_case()
emit({"X-Signature": hexd(mac("sha256", utf8(c["secret"]), utf8(c["body"])))})
