# Mailchimp Transactional (Mandrill) webhooks.
# Source: "How to Authenticate Webhook Requests",
# https://mailchimp.com/developer/transactional/guides/track-respond-activity-webhooks/#authenticating-webhook-requests
#   1. a string with the webhook's URL exactly as entered (query string included);
#   2. sort the request's POST variables alphabetically by key;
#   3. append each POST variable's key and value to the URL string, with no delimiter;
#   4. HMAC-SHA1 with the webhook's authentication key; 5. base64 encode;
#   6. compare with the X-Mandrill-Signature header.
# Reads {secret, body (form-encoded), url} and prints {"X-Mandrill-Signature": ...}.
import base64
import hashlib
import hmac
import json
import sys
from urllib.parse import parse_qsl

case = json.loads(sys.stdin.read())
params = dict(parse_qsl(case["body"], keep_blank_values=True))
signed = case["url"] + "".join(k + params[k] for k in sorted(params))
digest = hmac.new(case["secret"].encode("utf-8"), signed.encode("utf-8"), hashlib.sha1).digest()
sys.stdout.write(json.dumps({"X-Mandrill-Signature": base64.b64encode(digest).decode("ascii")}) + "\n")
