"""Modern Treasury webhook signer.
Docs: https://docs.moderntreasury.com/platform/reference/webhooks
X-Signature: <hex HMAC-SHA-256 of the body with the webhook key>.
"""
from _case import read_case, utf8, digest, hexd, emit

c = read_case()
emit({"X-Signature": hexd(digest("sha256", utf8(c["secret"]), utf8(c["body"])))})
