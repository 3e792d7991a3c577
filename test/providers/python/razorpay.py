"""Razorpay webhook signer, written from Razorpay's docs:
https://razorpay.com/docs/webhooks/validate-test/
X-Razorpay-Signature = hex HMAC-SHA256 of the raw webhook body keyed with the webhook secret set
in the Dashboard (text). The delivery's event id travels in x-razorpay-event-id
(https://razorpay.com/docs/webhooks/best-practices/).
"""
from _common import emit, hexd, mac, read_case

if __name__ == "__main__":
    case = read_case()
    headers = {"X-Razorpay-Signature": hexd(mac("sha256", case["secret"], case["body"]))}
    if "id" in case:
        headers["x-razorpay-event-id"] = case["id"]
    emit(headers)
