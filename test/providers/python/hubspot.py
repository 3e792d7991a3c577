"""HubSpot request signer (v1, v2, v3), written from HubSpot's docs
(https://developers.hubspot.com/docs/api/webhooks/validating-requests, legacy apps, and
https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation):
  v1: X-HubSpot-Signature = hex SHA-256 (a plain hash, not an HMAC) of client_secret + body
  v2: X-HubSpot-Signature = hex SHA-256 of client_secret + method + URI + body
  v3: X-HubSpot-Signature-v3 = base64 HMAC-SHA256 keyed with the client secret over
      method + URI + body + X-HubSpot-Request-Timestamp (epoch ms), where in the URI the
      URL-encoded characters of the docs' table are decoded first:
      %3A : %2F / %3F ? %40 @ %21 ! %24 $ %27 ' %28 ( %29 ) %2A * %2C , %3B ;
The version is chosen by headers["X-HubSpot-Signature-Version"] (v1 | v2); with a timestamp the
v3 headers are produced.
"""
import hashlib
import re

from _common import b64, emit, mac, read_case

DECODE = {"3A": ":", "2F": "/", "3F": "?", "40": "@", "21": "!", "24": "$", "27": "'", "28": "(",
          "29": ")", "2A": "*", "2C": ",", "3B": ";"}


def v3_uri(uri):
    return re.sub(r"%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)", lambda m: DECODE[m.group(1).upper()], uri,
                  flags=re.IGNORECASE)


if __name__ == "__main__":
    case = read_case()
    secret, body = case["secret"], case.get("body", "")
    method, url = case.get("method", "POST"), case.get("url", "")
    out = {}
    version = (case.get("headers") or {}).get("X-HubSpot-Signature-Version")
    if version == "v1":
        out["X-HubSpot-Signature"] = hashlib.sha256((secret + body).encode("utf-8")).hexdigest()
        out["X-HubSpot-Signature-Version"] = "v1"
    elif version == "v2":
        out["X-HubSpot-Signature"] = hashlib.sha256((secret + method + url + body).encode("utf-8")).hexdigest()
        out["X-HubSpot-Signature-Version"] = "v2"
    if "timestamp" in case:
        ts = str(case["timestamp"])
        out["X-HubSpot-Request-Timestamp"] = ts
        out["X-HubSpot-Signature-v3"] = b64(mac("sha256", secret, method, v3_uri(url), body, ts))
    emit(out)
