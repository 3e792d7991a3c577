# DocuSign Connect HMAC.
# Source: https://developers.docusign.com/platform/webhooks/connect/validate/
#   "Extract the text of the plain text JSON payload as an array of bytes. The entire body of the POST
#    request is used, including line endings. Compute a SHA256 HMAC hash for the array of bytes.
#    Base64-encode the hash." The secret becomes the key as UTF-8 bytes. There is one
#   x-docusign-signature header per active Connect key: X-DocuSign-Signature-1, -2, ...
from _common import b64, emit, mac, read_case

case = read_case()
keys = case.get("secrets") or [case["secret"]]
emit({"X-DocuSign-Signature-%d" % (i + 1): b64(mac("sha256", k, case["body"])) for i, k in enumerate(keys)})
