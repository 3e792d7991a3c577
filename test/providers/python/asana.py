"""Asana webhook signer, written from Asana's webhooks guide:
https://developers.asana.com/docs/webhooks-guide (security section) and Asana's own example
receivers (Asana/devrel-examples, python/webhooks_v5/server.py).
The secret is the X-Hook-Secret value Asana sent in the handshake request (text); every event
delivery then carries X-Hook-Signature = hex HMAC-SHA256 of the raw request body.
"""
from _common import emit, hexd, mac, read_case

if __name__ == "__main__":
    case = read_case()
    emit({"X-Hook-Signature": hexd(mac("sha256", case["secret"], case["body"]))})
