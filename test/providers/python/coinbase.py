# Coinbase Commerce webhooks.
# Source: https://docs.cdp.coinbase.com/commerce/api-arcitecture/webhooks-security and official SDK
#   coinbase/coinbase-commerce-node lib/Webhook.js: X-CC-Webhook-Signature = hex HMAC-SHA256(shared secret, raw payload).
from _common import emit, hexd, mac, read_case

case = read_case()
emit({"X-CC-Webhook-Signature": hexd(mac("sha256", case["secret"], case["body"]))})
