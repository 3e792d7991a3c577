"""Clerk webhook signer, written from Clerk's docs:
https://clerk.com/docs/webhooks/overview ("Clerk uses Svix to send our webhooks") and
https://clerk.com/docs/reference/backend/verify-webhook (verifyWebhook maps the svix-* headers it
receives onto a Standard Webhooks verifier, with the whsec_ signing secret).
Svix's own description of the scheme: https://docs.svix.com/receiving/verifying-payloads/how-manual
"""
from _common import emit, read_case
from svix_scheme import svix_headers

if __name__ == "__main__":
    emit(svix_headers(read_case()))
