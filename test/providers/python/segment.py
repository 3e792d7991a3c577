"""Segment Webhooks destination signer, written from Segment's docs
(https://segment.com/docs/connections/destinations/catalog/actions-webhook/ : "If you provide a
shared secret, Segment will sign requests with an HMAC in the X-Signature request header. The HMAC
is a hex-encoded SHA1 hash generated using this shared secret and the request body.") and
segmentio/action-destinations (webhook extendRequest).
"""
from _common import emit, hexd, mac, read_case

if __name__ == "__main__":
    case = read_case()
    emit({"X-Signature": hexd(mac("sha1", case["secret"], case["body"]))})
