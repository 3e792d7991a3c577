"""PagerDuty v3 webhook signer.
Docs: https://developer.pagerduty.com/docs/webhooks/verifying-signatures
      (PagerDuty/developer-docs docs/webhooks/04-Signatures.md)
X-PagerDuty-Signature: v1=<hex HMAC-SHA256(secret, body)>[,v1=...] one per active secret.
A case may give a list of secrets (rotation) in "secrets".
"""
from _common import emit, hexd, mac, read_case, utf8

c = read_case()
secrets = c.get("secrets") or [c["secret"]]
emit({"X-PagerDuty-Signature": ",".join("v1=" + hexd(mac("sha256", utf8(s), utf8(c["body"]))) for s in secrets)})
