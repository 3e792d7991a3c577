# Greenhouse Recruiting web hooks.
# Source: https://developers.greenhouse.io/webhooks.html
#   Signature: "sha256 " + hex HMAC-SHA256(secret key, body)
from _common import read_case, mac, hex_, emit

case = read_case()
emit({"Signature": "sha256 " + hex_(mac("sha256", case["secret"], case["body"]))})
