"""Nylas webhook signer, written from Nylas's docs text (SDK release notes
https://developer.nylas.com/docs/new/v2-changelogs/2023-04-04-node-sdk-v6-10-0 and Nylas's own Ruby
example): X-Nylas-Signature = hex HMAC-SHA256 of the raw body keyed with the webhook secret.
"""
from _common import emit, hexd, mac, read_case, utf8

c = read_case()
emit({"X-Nylas-Signature": hexd(mac("sha256", utf8(c["secret"]), utf8(c["body"])))})
