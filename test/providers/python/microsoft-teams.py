"""Microsoft Teams outgoing webhook signer.
Docs: https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-outgoing-webhook
Official sample: OfficeDev/msteams-samples-outgoing-webhook-nodejs app.js
Authorization: HMAC <base64 HMAC-SHA256(base64-decoded security token, raw body)>.
"""
import base64
from _common import b64, emit, mac, read_case, utf8

c = read_case()
key = base64.b64decode(c["secret"])
emit({"Authorization": "HMAC " + b64(mac("sha256", key, utf8(c["body"])))})
