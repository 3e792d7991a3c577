"""Pusher Channels webhook signer.
Source: official SDK pusher (npm pusher-http-node), lib/webhook.js and lib/token.js
X-Pusher-Key: <app key>; X-Pusher-Signature: <hex HMAC-SHA256(app secret, raw body)>.
The app key, when given, comes from the case's headers["X-Pusher-Key"].
"""
from _common import emit, hexd, mac, read_case, utf8

c = read_case()
out = {"X-Pusher-Signature": hexd(mac("sha256", utf8(c["secret"]), utf8(c["body"])))}
key = (c.get("headers") or {}).get("X-Pusher-Key")
if key is not None:
    out["X-Pusher-Key"] = key
emit(out)
