"""Tally (tally.so forms) webhook signer, written from Tally's help page
https://tally.so/help/webhooks ("Add a signing secret": Tally-Signature carries an HMAC-SHA256 of
the webhook payload keyed with the signing secret). Base64 encoding of the digest: as quoted from
Tally's example by third parties; see the definition's status.
"""
from _common import b64, emit, mac, read_case

if __name__ == "__main__":
    case = read_case()
    emit({"Tally-Signature": b64(mac("sha256", case["secret"], case["body"]))})
