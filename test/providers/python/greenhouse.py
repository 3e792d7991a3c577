# Greenhouse Recruiting web hooks.
# Source: https://developers.greenhouse.io/webhooks.html
#   Signature: "sha256 " + hex HMAC-SHA256(secret key, body)
from _common import emit, hexd, mac, read_case

case = read_case()
emit({"Signature": "sha256 " + hexd(mac("sha256", case["secret"], case["body"]))})
