"""Tiny helpers shared by the independent signers in this folder.

Standard library only. Reads one JSON case from stdin:
  {secret, body, timestamp?, id?, url?, method?, headers?}
and prints the JSON object of headers the provider would send.
Written for whk's provider checks; it does not import or imitate whk's code.
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
    return text.encode("utf-8")


def digest(alg, key, message):
    """Raw HMAC digest; key and message are bytes."""
    return hmac.new(key, message, ALGS[alg]).digest()


def b64(raw):
    return base64.b64encode(raw).decode("ascii")


def hexd(raw):
    return raw.hex()


def emit(headers):
    sys.stdout.write(json.dumps(headers, ensure_ascii=False, sort_keys=True) + "\n")
