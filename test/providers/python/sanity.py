"""Sanity (GROQ-powered webhooks) signer, written from Sanity's toolkit @sanity/webhook
(sanity-io/webhook-toolkit src/signature.ts) and docs https://www.sanity.io/docs/webhooks:
sanity-webhook-signature = "t=<ms>,v1=<sig>", sig = base64url (no padding) HMAC-SHA256 over
"<ms>.<raw body>", keyed with the webhook's secret (text).
"""
from _common import b64url, emit, mac, read_case

if __name__ == "__main__":
    case = read_case()
    ts = str(case["timestamp"])
    sig = b64url(mac("sha256", case["secret"], ts, ".", case["body"])).rstrip("=")
    emit({"sanity-webhook-signature": "t=%s,v1=%s" % (ts, sig)})
