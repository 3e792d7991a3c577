"""Jira webhook signer.
Docs: https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks
      https://confluence.atlassian.com/adminjiraserver/managing-webhooks-938846912.html
X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>.
"""
from _common import emit, hexd, mac, read_case, utf8

c = read_case()
emit({"X-Hub-Signature": "sha256=" + hexd(mac("sha256", utf8(c["secret"]), utf8(c["body"])))})
