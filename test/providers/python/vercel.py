"""Vercel webhook signer, written from Vercel's docs:
https://vercel.com/docs/webhooks/webhooks-api#securing-webhooks
x-vercel-signature = hex HMAC-SHA1 of the raw request body, keyed with the webhook's secret
(account webhooks) or the integration's client secret (integration webhooks), used as text.
"""
from _common import emit, hexd, mac, read_case

if __name__ == "__main__":
    case = read_case()
    emit({"x-vercel-signature": hexd(mac("sha1", case["secret"], case["body"]))})
