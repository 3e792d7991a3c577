# Clearbit webhooks.
# Source: official SDK clearbit/clearbit-ruby lib/clearbit/webhook.rb:
#   X-Request-Signature == 'sha1=' + hex HMAC-SHA1(Clearbit API key, raw body)
from _common import read_case, mac, hex_, emit

case = read_case()
emit({"X-Request-Signature": "sha1=" + hex_(mac("sha1", case["secret"], case["body"]))})
