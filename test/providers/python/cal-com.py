"""Cal.com webhook signer, written from Cal.com's docs
(https://cal.com/docs/developing/guides/automation/webhooks, "Verifying the authenticity of the
received payload") and its sender (calcom/cal.com packages/features/webhooks/lib/sendPayload.ts):
X-Cal-Signature-256 = hex HMAC-SHA256 of the raw body, keyed with the webhook's secret (text).
Without a secret Cal.com sends the literal "no-secret-provided".
"""
from _common import emit, hexd, mac, read_case

if __name__ == "__main__":
    case = read_case()
    secret = case.get("secret")
    sig = hexd(mac("sha256", secret, case["body"])) if secret else "no-secret-provided"
    emit({"X-Cal-Signature-256": sig})
