"""Persona webhook signer, written from Persona's docs text:
https://docs.withpersona.com/v2022-09-01/docs/best-practices ("Checking Signatures"):
Persona-Signature: t=<unix timestamp>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the webhook secret>.
"""
from _case import read_case, utf8, digest, hexd, emit

c = read_case()
t = str(c["timestamp"])
emit({"Persona-Signature": "t=%s,v1=%s" % (t, hexd(digest("sha256", utf8(c["secret"]), utf8(t + "." + c["body"]))))})
