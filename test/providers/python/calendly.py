# Calendly webhook subscriptions with a signing key.
# Source: https://developer.calendly.com/docs/webhooks/overview ("Signature" row) and
#   https://developer.calendly.com/api-docs/overview/webhooks/webhook-signatures :
#   Calendly-Webhook-Signature: t=<unix>,v1=<hex HMAC-SHA256(key, "<t>." + raw_body)>
from _common import emit, hexd, mac, read_case

case = read_case()
ts = str(case["timestamp"])
sig = hexd(mac("sha256", case["secret"], ts.encode() + b"." + case["body"].encode("utf-8")))
emit({"Calendly-Webhook-Signature": "t=%s,v1=%s" % (ts, sig)})
