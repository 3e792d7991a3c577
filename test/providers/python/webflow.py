"""Webflow webhook signer, written from Webflow's docs
(https://developers.webflow.com/data/docs/working-with-webhooks#validating-request-signatures)
and its SDK (webflow-api, src/wrapper/WebhooksClient.ts verifySignature):
x-webflow-signature = hex HMAC-SHA256 over "{x-webflow-timestamp}:{raw body}", keyed with the
webhook's secret or the OAuth app's client secret (text); the timestamp is epoch milliseconds.
"""
from _common import emit, hexd, mac, read_case

if __name__ == "__main__":
    case = read_case()
    ts = str(case["timestamp"])
    emit({"x-webflow-timestamp": ts,
          "x-webflow-signature": hexd(mac("sha256", case["secret"], ts, ":", case["body"]))})
