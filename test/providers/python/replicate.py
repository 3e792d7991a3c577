"""Replicate webhook signer, from https://replicate.com/docs/topics/webhooks/verify-webhook: Standard Webhooks headers."""
from _common import emit, read_case
from standard_webhooks import standard_headers

emit(standard_headers(read_case()))
