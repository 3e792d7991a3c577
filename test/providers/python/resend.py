"""Resend webhook signer, written from Resend's docs:
https://resend.com/docs/webhooks/verify-webhooks-requests
Resend delivers through Svix: headers svix-id, svix-timestamp, svix-signature; the SDK's
webhooks.verify() hands them to a Standard Webhooks verifier with the whsec_ signing secret.
Svix's own description of the scheme: https://docs.svix.com/receiving/verifying-payloads/how-manual
"""
from _common import emit, read_case
from svix_scheme import svix_headers

if __name__ == "__main__":
    emit(svix_headers(read_case()))
