# Box webhooks (V2) signatures.
# Source: https://developer.box.com/guides/webhooks/v2/signatures-v2/ (manual verification) and the
#   official SDK box/box-node-sdk src/internal/utilsNode.ts computeWebhookSignature:
#   HMAC-SHA256(key, body bytes followed by the BOX-DELIVERY-TIMESTAMP value), base64; one signature per key:
#   BOX-SIGNATURE-PRIMARY with the primary key, BOX-SIGNATURE-SECONDARY with the secondary key.
#   The SDK only computes when BOX-SIGNATURE-VERSION == "1" and BOX-SIGNATURE-ALGORITHM == "HmacSHA256".
# Box signs the body as it sends it: PHP-style JSON (non-ASCII as lowercase \uXXXX, '/' as '\/'); the SDKs
#   also retry with that escaping re-applied when a framework hands them raw UTF-8 (box-sdk-gen tests).
# Extra case key: "secondary" (the secondary signature key), since Box sends two signatures.
from _common import b64, emit, mac, read_case

case = read_case()
ts = str(case["timestamp"])
message = case["body"].encode("utf-8") + ts.encode("utf-8")
headers = {
    "BOX-DELIVERY-TIMESTAMP": ts,
    "BOX-SIGNATURE-ALGORITHM": "HmacSHA256",
    "BOX-SIGNATURE-VERSION": "1",
    "BOX-SIGNATURE-PRIMARY": b64(mac("sha256", case["secret"], message)),
}
if case.get("secondary"):
    headers["BOX-SIGNATURE-SECONDARY"] = b64(mac("sha256", case["secondary"], message))
if case.get("id"):
    headers["BOX-DELIVERY-ID"] = case["id"]
emit(headers)
