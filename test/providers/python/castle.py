# Castle webhooks.
# Source: official SDKs castle/castle-ruby lib/castle/webhooks/verify.rb and castle/castle-python
#   castle/webhooks/verify.py: X-Castle-Signature = base64(HMAC-SHA256(API secret, raw body)).
from _common import read_case, mac, b64, emit

case = read_case()
emit({"X-Castle-Signature": b64(mac("sha256", case["secret"], case["body"]))})
