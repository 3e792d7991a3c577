# Frame.io (V4 and legacy) webhooks.
# Source: https://developer.frame.io/platform/v4/docs/guides/webhooks ("Verifying Webhook Signatures";
#   AdobeDocs/frameio-api src/pages/guides/Webhooks/index.md): message "v0:<timestamp>:<body>",
#   X-Frameio-Signature: v0=<hex HMAC-SHA256(signing secret, message)>, X-Frameio-Request-Timestamp: <unix s>.
#   (The docs' Python sample encodes with latin-1; this signer uses the body's UTF-8 bytes as sent.)
from _common import emit, hexd, mac, read_case

case = read_case()
ts = str(case["timestamp"])
message = b"v0:" + ts.encode() + b":" + case["body"].encode("utf-8")
emit({"X-Frameio-Request-Timestamp": ts, "X-Frameio-Signature": "v0=" + hexd(mac("sha256", case["secret"], message))})
