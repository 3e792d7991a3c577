"""Replicate webhook signer, from https://replicate.com/docs/topics/webhooks/verify-webhook: Standard Webhooks headers."""
from _case import read_case, emit
from standard_webhooks import standard_headers

emit(standard_headers(read_case()))
