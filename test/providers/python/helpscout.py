# Help Scout webhooks.
# Source: https://developer.helpscout.com/webhooks
#   X-HelpScout-Signature: base64 of the HMAC-SHA1 of the raw request body, keyed with the webhook's secret key.
from _common import b64, emit, mac, read_case

case = read_case()
emit({"X-HelpScout-Signature": b64(mac("sha1", case["secret"], case["body"]))})
