# GoCardless webhooks.
# Source: https://developer.gocardless.com/getting-started/stay-up-to-date-with-webhooks-v2
#   Webhook-Signature: hex HMAC-SHA256 of the request body, keyed with the webhook endpoint's secret.
from _common import emit, hexd, mac, read_case

case = read_case()
emit({"Webhook-Signature": hexd(mac("sha256", case["secret"], case["body"]))})
