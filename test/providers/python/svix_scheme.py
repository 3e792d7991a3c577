"""Svix signing as Svix documents it for receivers
(https://docs.svix.com/receiving/verifying-payloads/how-manual):
signed content = "{svix-id}.{svix-timestamp}.{raw body}"; HMAC-SHA256 keyed with the base64-decoded
part of the secret after "whsec_"; header svix-signature = "v1,<base64>" (space-separated list).
Used by providers that deliver through Svix (Resend, Clerk)."""
import base64

from _common import b64, mac


def svix_headers(case):
    secret = case["secret"]
    if secret.startswith("whsec_"):
        secret = secret[len("whsec_"):]
    key = base64.b64decode(secret)
    ts = str(case["timestamp"])
    msg_id = case["id"]
    sig = b64(mac("sha256", key, msg_id, ".", ts, ".", case["body"]))
    return {"svix-id": msg_id, "svix-timestamp": ts, "svix-signature": "v1," + sig}
