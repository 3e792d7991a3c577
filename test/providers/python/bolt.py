# Bolt (checkout) webhooks / merchant callbacks.
# Source: https://help.bolt.com/developers/webhooks/hook-verification/
#   X-Bolt-Hmac-Sha256 = base64(HMAC-SHA256(signing secret, payload)); PHP sample:
#   base64_encode(hash_hmac('sha256', $payload, BOLT_SIGNING_SECRET, true)).
from _common import b64, emit, mac, read_case

case = read_case()
emit({"X-Bolt-Hmac-Sha256": b64(mac("sha256", case["secret"], case["body"]))})
