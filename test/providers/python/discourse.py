# Discourse webhooks.
# Source: https://meta.discourse.org/t/configure-webhooks-that-trigger-on-discourse-events-to-integrate-with-external-services/49045
#   X-Discourse-Event-Signature: "sha256=" + hex HMAC-SHA256(secret, raw body)
from _common import read_case, mac, hex_, emit

case = read_case()
emit({"X-Discourse-Event-Signature": "sha256=" + hex_(mac("sha256", case["secret"], case["body"]))})
