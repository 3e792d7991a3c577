"""Shared helpers for the independent per-provider signers (standard library only).

Each signer reads one JSON case from stdin:
  {"secret": str, "body": str, "timestamp"?: str|int, "id"?: str, "url"?: str, "method"?: str, "headers"?: {..}}
and prints the JSON object of the headers the provider would send.
The body is the exact text of the delivery; it is signed as its UTF-8 bytes.
These helpers only wrap hmac/hashlib/base64; every provider file states its own scheme.
"""
import base64
import hashlib
import hmac
import json
import sys

_ALGS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def read_case():
    return json.loads(sys.stdin.read())


def mac(alg, key, message):
    """Raw HMAC digest; key and message are str (encoded as UTF-8) or bytes."""
    if isinstance(key, str):
        key = key.encode("utf-8")
    if isinstance(message, str):
        message = message.encode("utf-8")
    return hmac.new(key, message, _ALGS[alg]).digest()


def hex_(digest):
    return digest.hex()


def b64(digest):
    return base64.b64encode(digest).decode("ascii")


def emit(headers):
    sys.stdout.write(json.dumps(headers, ensure_ascii=False, sort_keys=True) + "\n")
