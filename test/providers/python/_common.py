"""The one helper module of the independent signers in this folder (standard library only).

A signer reads one JSON case from stdin:
  {"secret": str, "body": str, "timestamp"?: str|int, "id"?: str, "url"?: str, "method"?: str, "headers"?: {..}}
and prints the JSON object of the headers the provider would send. The body is the exact text of
the delivery; it is signed as its UTF-8 bytes. Input and output are UTF-8 whatever the locale.

This module only does that I/O, HMAC and the digest encodings: every provider file states its own
scheme, from that provider's documentation. It does not import or imitate whk's code.
"""
import base64
import hashlib
import hmac
import json
import sys

ALGS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def read_case():
    return json.loads(sys.stdin.buffer.read().decode("utf-8"))


def utf8(text):
    """str -> its UTF-8 bytes; bytes unchanged."""
    return text.encode("utf-8") if isinstance(text, str) else text


def mac(alg, key, *parts):
    """Raw HMAC digest of the parts, one after the other; key and parts are str (UTF-8) or bytes."""
    m = hmac.new(utf8(key), digestmod=ALGS[alg])
    for part in parts:
        m.update(utf8(part))
    return m.digest()


def hexd(raw):
    return raw.hex()


def b64(raw):
    return base64.b64encode(raw).decode("ascii")


def b64url(raw):
    return base64.urlsafe_b64encode(raw).decode("ascii")


def emit(headers):
    out = json.dumps(headers, ensure_ascii=False, sort_keys=True) + "\n"
    sys.stdout.buffer.write(out.encode("utf-8"))
    sys.stdout.buffer.flush()
