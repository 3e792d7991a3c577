# Alchemy Notify webhooks.
# Source: https://docs.alchemy.com/reference/notify-api-faq ("How do I validate the webhook event?")
#   X-Alchemy-Signature = hex HMAC-SHA256 of the raw body, key = the webhook's signing key as UTF-8 text.
from _common import emit, hexd, mac, read_case

case = read_case()
emit({"X-Alchemy-Signature": hexd(mac("sha256", case["secret"], case["body"]))})
