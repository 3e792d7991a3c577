# Gitea webhooks (Gitea type).
# Source: https://docs.gitea.com/usage/webhooks
#   X-Gitea-Signature: hex HMAC-SHA256 of the payload with the webhook's secret.
from _common import emit, hexd, mac, read_case

case = read_case()
emit({"X-Gitea-Signature": hexd(mac("sha256", case["secret"], case["body"]))})
