# Discourse webhooks.
# Source: https://meta.discourse.org/t/configure-webhooks-that-trigger-on-discourse-events-to-integrate-with-external-services/49045
#   X-Discourse-Event-Signature: "sha256=" + hex HMAC-SHA256(secret, raw body)
from _common import emit, hexd, mac, read_case

case = read_case()
emit({"X-Discourse-Event-Signature": "sha256=" + hexd(mac("sha256", case["secret"], case["body"]))})
