# Intercom webhooks (topic subscriptions).
# Source: https://developers.intercom.com/intercom-api-reference/v1.0/reference/signed-notifications
#   X-Hub-Signature: sha1=<hex HMAC-SHA1(secret, JSON notification body)> (40 hex chars);
#   the key is the subscription's hub_secret (v1.0) / the app's client_secret (Developer Hub apps).
from _common import emit, hexd, mac, read_case

case = read_case()
emit({"X-Hub-Signature": "sha1=" + hexd(mac("sha1", case["secret"], case["body"]))})
