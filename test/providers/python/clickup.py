# ClickUp webhooks.
# Source: https://developer.clickup.com/docs/webhooksignature
#   X-Signature: HMAC of the request body with the webhook.secret, SHA-256, "always digested in hexadecimal".
from _common import emit, hexd, mac, read_case

case = read_case()
emit({"X-Signature": hexd(mac("sha256", case["secret"], case["body"]))})
