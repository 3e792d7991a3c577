"""HCP Terraform / Terraform Enterprise notification signer.
Docs: https://developer.hashicorp.com/terraform/cloud-docs/workspaces/settings/notifications
X-TFE-Notification-Signature: HMAC-SHA512 of the body keyed by the notification token.
Encoding: hex (see the definition's notes: not stated in the docs text read).
"""
from _common import emit, hexd, mac, read_case, utf8

c = read_case()
emit({"X-TFE-Notification-Signature": hexd(mac("sha512", utf8(c["secret"]), utf8(c["body"])))})
