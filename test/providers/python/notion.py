"""Notion webhook signer, written from Notion's webhooks reference:
https://developers.notion.com/reference/webhooks ("Validating event payloads")
X-Notion-Signature = "sha256=" + hex HMAC-SHA256 of the raw request body, keyed with the
subscription's verification_token (text) that Notion POSTs once when the subscription is created.
"""
from _common import emit, hexd, mac, read_case

if __name__ == "__main__":
    case = read_case()
    emit({"X-Notion-Signature": "sha256=" + hexd(mac("sha256", case["secret"], case["body"]))})
