"""MongoDB Atlas alert webhook signer.
Docs: https://www.mongodb.com/docs/atlas/tutorial/webhook-integration/
X-MMS-Signature: <base64 HMAC-SHA-1 of the request body, Webhook Secret as key>.
"""
from _common import b64, emit, mac, read_case, utf8

c = read_case()
emit({"X-MMS-Signature": b64(mac("sha1", utf8(c["secret"]), utf8(c["body"])))})
