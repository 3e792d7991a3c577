"""Persona webhook signer, written from Persona's docs text:
https://docs.withpersona.com/v2022-09-01/docs/best-practices ("Checking Signatures"):
Persona-Signature: t=<unix timestamp>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the webhook secret>.
"""
from _common import emit, hexd, mac, read_case, utf8

c = read_case()
t = str(c["timestamp"])
emit({"Persona-Signature": "t=%s,v1=%s" % (t, hexd(mac("sha256", utf8(c["secret"]), utf8(t + "." + c["body"]))))})
