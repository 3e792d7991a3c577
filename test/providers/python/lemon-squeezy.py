"""Lemon Squeezy webhook signer, written from Lemon Squeezy's docs:
https://docs.lemonsqueezy.com/help/webhooks/signing-requests
The signing secret (any string you choose, used as text) keys an HMAC-SHA256 of the raw request
body; the hex digest goes in X-Signature. The event name travels in X-Event-Name (and in
meta.event_name): https://docs.lemonsqueezy.com/help/webhooks
"""
import json

from _common import emit, hexd, mac, read_case

if __name__ == "__main__":
    case = read_case()
    headers = {"X-Signature": hexd(mac("sha256", case["secret"], case["body"]))}
    try:
        headers["X-Event-Name"] = json.loads(case["body"])["meta"]["event_name"]
    except (ValueError, KeyError, TypeError):
        pass
    emit(headers)
