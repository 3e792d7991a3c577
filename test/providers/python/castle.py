# Castle webhooks.
# Source: official SDKs castle/castle-ruby lib/castle/webhooks/verify.rb and castle/castle-python
#   castle/webhooks/verify.py: X-Castle-Signature = base64(HMAC-SHA256(API secret, raw body)).
from _common import b64, emit, mac, read_case

case = read_case()
emit({"X-Castle-Signature": b64(mac("sha256", case["secret"], case["body"]))})
