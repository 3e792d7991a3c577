# Buildkite Pipelines webhooks, "signature" mode (the alternative "token" mode sends X-Buildkite-Token in clear).
# Source: https://buildkite.com/docs/apis/webhooks#webhook-signature (buildkite/docs pages/apis/webhooks):
#   X-Buildkite-Signature: timestamp=<unix s>,signature=<hex HMAC-SHA256(token, "<timestamp>.<raw body>")>
from _common import emit, hexd, mac, read_case

case = read_case()
ts = str(case["timestamp"])
sig = hexd(mac("sha256", case["secret"], ts.encode() + b"." + case["body"].encode("utf-8")))
emit({"X-Buildkite-Signature": "timestamp=%s,signature=%s" % (ts, sig)})
