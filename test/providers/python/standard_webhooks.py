"""Standard Webhooks signing as providers that use it document it for receivers
(Replicate https://replicate.com/docs/topics/webhooks/verify-webhook; OpenAI's webhook docs):
signed content "<webhook-id>.<webhook-timestamp>.<body>", HMAC-SHA256 keyed with the base64-decoded
part of the secret after "whsec_", header webhook-signature "v1,<base64>" (space-separated list)."""
import base64

from _common import b64, mac, utf8


def standard_headers(case):
    secret = case["secret"]
    if secret.startswith("whsec_"):
        secret = secret[len("whsec_"):]
    key = base64.b64decode(secret)
    ts = str(case["timestamp"])
    sig = b64(mac("sha256", key, utf8(case["id"] + "." + ts + "." + case["body"])))
    return {"webhook-id": case["id"], "webhook-timestamp": ts, "webhook-signature": "v1," + sig}
