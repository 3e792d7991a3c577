# Mailgun webhooks: the signature is inside the body.
# Source: https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks
#   "Concatenate timestamp and token values together with no separator. Encode the resulting
#   string with the HMAC algorithm, using your Webhook Signing Key as a key and SHA256 digest
#   mode. Compare the resulting hexdigest to the signature."
# Reads {"mode": "sign", secret, body (JSON text without its signature), timestamp, token}
#   -> prints {"body": <the body with {"signature": {...}} in front>}
# or    {"mode": "verify", secret, body (a whk-signed JSON or form body)} -> prints {"valid": bool}.
import hashlib
import hmac
import json
import sys
from urllib.parse import parse_qs

case = json.loads(sys.stdin.read())


def hexdigest(key, timestamp, token):
    return hmac.new(key.encode("utf-8"), ("%s%s" % (timestamp, token)).encode("utf-8"), hashlib.sha256).hexdigest()


if case["mode"] == "sign":
    ts, token = str(case["timestamp"]), case["token"]
    event = json.loads(case["body"])
    signed = {"signature": {"token": token, "timestamp": ts, "signature": hexdigest(case["secret"], ts, token)}}
    signed.update(event)
    sys.stdout.write(json.dumps({"body": json.dumps(signed, separators=(",", ":"), ensure_ascii=False)}) + "\n")
else:
    body = case["body"]
    if body.lstrip().startswith("{"):
        sig = json.loads(body)["signature"]
    else:
        sig = {k: v[0] for k, v in parse_qs(body).items()}
    ok = hmac.compare_digest(str(sig["signature"]), hexdigest(case["secret"], sig["timestamp"], sig["token"]))
    sys.stdout.write(json.dumps({"valid": ok}) + "\n")
