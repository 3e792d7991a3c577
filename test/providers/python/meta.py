# Meta (Facebook, Instagram, WhatsApp, Messenger) Graph API webhooks.
# Source: https://developers.facebook.com/docs/graph-api/webhooks/getting-started#event-notifications
#   X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, payload)>, and the legacy
#   X-Hub-Signature: sha1=<hex HMAC-SHA1(app secret, payload)>. Meta signs "an escaped unicode version of
#   the payload, with lowercase hex digits" (non-ASCII as \uXXXX), which is the body as delivered.
from _common import read_case, mac, hex_, emit

case = read_case()
emit({
    "X-Hub-Signature-256": "sha256=" + hex_(mac("sha256", case["secret"], case["body"])),
    "X-Hub-Signature": "sha1=" + hex_(mac("sha1", case["secret"], case["body"])),
})
