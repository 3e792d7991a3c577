# AfterShip Tracking webhooks.
# Source: https://www.aftership.com/docs/tracking/webhook/webhook-signature
#   "Each webhook request includes a aftership-hmac-sha256 header. The signature is a base64-encoded
#    HMAC generated using sha256 algorithm with webhook request body and webhook secret of your account."
from _common import b64, emit, mac, read_case

case = read_case()
emit({"aftership-hmac-sha256": b64(mac("sha256", case["secret"], case["body"]))})
