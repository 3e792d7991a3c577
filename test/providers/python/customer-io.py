# Customer.io reporting webhooks.
# Source: https://docs.customer.io/journeys/webhooks/ (securely verify requests):
#   X-CIO-Timestamp: <unix seconds>; X-CIO-Signature: hex HMAC-SHA256(signing key, "v0:" + timestamp + ":" + body)
from _common import emit, hexd, mac, read_case

case = read_case()
ts = str(case["timestamp"])
emit({"X-CIO-Timestamp": ts, "X-CIO-Signature": hexd(mac("sha256", case["secret"], "v0:" + ts + ":" + case["body"]))})
