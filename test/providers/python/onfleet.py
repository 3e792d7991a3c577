"""Onfleet webhook signer, written from Onfleet's docs text:
https://docs.onfleet.com/reference/secrets ("Onfleet uses HMAC with the SHA-512 hash function";
X-Onfleet-Signature is compared with an HMAC generated "using the hexadecimal format of your webhook
secrets and the full body of the webhook POST request in raw bytes"): key = bytes.fromhex(secret),
hex digest.
"""
from _common import emit, hexd, mac, read_case, utf8

c = read_case()
emit({"X-Onfleet-Signature": hexd(mac("sha512", bytes.fromhex(c["secret"]), utf8(c["body"])))})
