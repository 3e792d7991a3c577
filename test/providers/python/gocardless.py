# GoCardless webhooks.
# Source: https://developer.gocardless.com/getting-started/stay-up-to-date-with-webhooks-v2
#   Webhook-Signature: hex HMAC-SHA256 of the request body, keyed with the webhook endpoint's secret.
from _common import read_case, mac, hex_, emit

case = read_case()
emit({"Webhook-Signature": hex_(mac("sha256", case["secret"], case["body"]))})
