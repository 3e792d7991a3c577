"""Heroku app webhooks signer, written from Heroku's docs text:
https://devcenter.heroku.com/articles/app-webhooks and heroku/webhooks-docs devcenter/app-webhooks.md
("Heroku-Webhook-Hmac-SHA256 will contain the signature obtained from signing the body with the
secret value"; "Deliveries will set the HMAC-SHA256 of the body using this secret"), whose example
header value is base64 (44 characters ending in "=").
"""
from _common import b64, emit, mac, read_case, utf8

c = read_case()
emit({"Heroku-Webhook-Hmac-SHA256": b64(mac("sha256", utf8(c["secret"]), utf8(c["body"])))})
