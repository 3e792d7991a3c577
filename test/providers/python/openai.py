"""OpenAI webhook signer, from OpenAI's webhook docs (Standard Webhooks; the SDKs' verify_signature): Standard Webhooks headers."""
from _common import emit, read_case
from standard_webhooks import standard_headers

emit(standard_headers(read_case()))
