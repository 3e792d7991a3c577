# ClickUp webhooks.
# Source: https://developer.clickup.com/docs/webhooksignature
#   X-Signature: HMAC of the request body with the webhook.secret, SHA-256, "always digested in hexadecimal".
from _common import read_case, mac, hex_, emit

case = read_case()
emit({"X-Signature": hex_(mac("sha256", case["secret"], case["body"]))})
