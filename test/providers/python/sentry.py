"""Sentry integration-platform webhook signer.
Docs: https://docs.sentry.io/integrations/integration-platform/webhooks/
Source: getsentry/sentry app_platform_event.py (headers) and SentryApp.build_signature
Sentry-Hook-Signature: <hex HMAC-SHA256(client secret, body)>; the timestamp header is not signed.
"""
from _common import emit, hexd, mac, read_case, utf8

c = read_case()
emit({"Sentry-Hook-Signature": hexd(mac("sha256", utf8(c["secret"]), utf8(c["body"])))})
