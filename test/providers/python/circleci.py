# CircleCI outbound webhooks.
# Source: https://circleci.com/docs/webhooks/ ("Validate webhooks"): header circleci-signature holds
#   comma-separated versioned signatures; currently only v1 = hex HMAC-SHA256(signing secret, request body).
from _common import emit, hexd, mac, read_case

case = read_case()
emit({"circleci-signature": "v1=" + hexd(mac("sha256", case["secret"], case["body"]))})
