# Gitea webhooks (Gitea type).
# Source: https://docs.gitea.com/usage/webhooks
#   X-Gitea-Signature: hex HMAC-SHA256 of the payload with the webhook's secret.
from _common import read_case, mac, hex_, emit

case = read_case()
emit({"X-Gitea-Signature": hex_(mac("sha256", case["secret"], case["body"]))})
