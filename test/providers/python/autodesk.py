# Autodesk Platform Services (APS) webhooks.
# Source: https://aps.autodesk.com/en/docs/webhooks/v1/tutorials/how-to-verify-payload-signature/
#   "the Webhooks service computes an HMAC hash signature of the callback payload using your secret
#    token as the key ... sends the callback ... with the signature in the x-adsk-signature header.
#    The value is prefixed with sha1hash=."  (HMAC-SHA1, hex digest of the raw body)
from _common import emit, hexd, mac, read_case

case = read_case()
emit({"x-adsk-signature": "sha1hash=" + hexd(mac("sha1", case["secret"], case["body"]))})
