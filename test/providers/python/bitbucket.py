# Bitbucket webhooks with a secret.
# Source: Bitbucket Data Center "Event payload" docs (https://confluence.atlassian.com/bitbucketserver/event-payload-938025882.html#Eventpayload-HTTPheaders):
#   "each request is signed via HMAC ... The default for this algorithm is HMACSha256. The header X-Hub-Signature
#    ... x-hub-signature: sha256=<hex>" ; the receiver HMACs the received body with the secret as key.
#   Bitbucket Cloud added the same secret/header in 2023 (https://bitbucket.org/blog/enhanced-webhook-security).
from _common import emit, hexd, mac, read_case

case = read_case()
emit({"X-Hub-Signature": "sha256=" + hexd(mac("sha256", case["secret"], case["body"]))})
