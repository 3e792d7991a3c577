# Meta (Facebook, Instagram, WhatsApp, Messenger) Graph API webhooks.
# Source: https://developers.facebook.com/docs/graph-api/webhooks/getting-started#event-notifications
#   X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, payload)>, and the legacy
#   X-Hub-Signature: sha1=<hex HMAC-SHA1(app secret, payload)>. Meta signs "an escaped unicode version of
#   the payload, with lowercase hex digits" (non-ASCII as \uXXXX), which is the body as delivered.
from _common import emit, hexd, mac, read_case

case = read_case()
emit({
    "X-Hub-Signature-256": "sha256=" + hexd(mac("sha256", case["secret"], case["body"])),
    "X-Hub-Signature": "sha1=" + hexd(mac("sha1", case["secret"], case["body"])),
})
