# Checkout.com workflow webhooks.
# Source: https://www.checkout.com/docs/developer-resources/webhooks/manage-webhooks/set-up-your-webhook-receiver
#   "We generate the HMAC by hashing the contents of the webhook notification using the key you provide
#    in your workflow's webhook action, and then send it in the hex-encoded (Base16) Cko-Signature header."
#   (SHA-256, over the raw body)
from _common import emit, hexd, mac, read_case

case = read_case()
emit({"Cko-Signature": hexd(mac("sha256", case["secret"], case["body"]))})
