"""Trello webhook signer, written from Trello's docs
(https://developer.atlassian.com/cloud/trello/guides/rest-api/webhooks/#webhook-signatures):
"X-Trello-Webhook is a base64 digest of an HMAC-SHA1 hash. The hashed content is the concatenation
of the full request body and the callbackURL exactly as it was provided during webhook creation.
The key used to sign this text is your application's secret."
"""
from _common import b64, emit, mac, read_case

if __name__ == "__main__":
    case = read_case()
    emit({"X-Trello-Webhook": b64(mac("sha1", case["secret"], case["body"], case["url"]))})
