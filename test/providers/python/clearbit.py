# Clearbit webhooks.
# Source: official SDK clearbit/clearbit-ruby lib/clearbit/webhook.rb:
#   X-Request-Signature == 'sha1=' + hex HMAC-SHA1(Clearbit API key, raw body)
from _common import emit, hexd, mac, read_case

case = read_case()
emit({"X-Request-Signature": "sha1=" + hexd(mac("sha1", case["secret"], case["body"]))})
