"""Sonatype Nexus Repository webhook signer.
Docs: https://help.sonatype.com/en/enabling-a-repository-webhook-capability.html
X-Nexus-Webhook-Signature: <hex HMAC-SHA1 of the JSON body with the Secret Key>.
"""
from _common import emit, hexd, mac, read_case, utf8

c = read_case()
emit({"X-Nexus-Webhook-Signature": hexd(mac("sha1", utf8(c["secret"]), utf8(c["body"])))})
