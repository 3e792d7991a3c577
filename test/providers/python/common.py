"""Shared plumbing for the independent signers: read one JSON case from stdin, print headers.

Each provider file computes its signature from that provider's own documentation; this module
only does I/O and the three digest encodings, so that no provider's rules live here.
"""
import base64
import hashlib
import hmac
import json
import sys

ALGS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def read_case():
    return json.load(sys.stdin)


def utf8(s):
    return s.encode("utf-8") if isinstance(s, str) else s


def mac(alg, key, *parts):
    m = hmac.new(utf8(key), digestmod=ALGS[alg])
    for p in parts:
        m.update(utf8(p))
    return m.digest()


def hexd(d):
    return d.hex()


def b64(d):
    return base64.b64encode(d).decode("ascii")


def b64url(d):
    return base64.urlsafe_b64encode(d).decode("ascii")


def emit(headers):
    sys.stdout.write(json.dumps(headers, ensure_ascii=False, sort_keys=True) + "\n")
