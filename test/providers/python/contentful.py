"""Contentful webhook request-verification signer, written from Contentful's docs
(https://www.contentful.com/developers/docs/webhooks/request-verification/) and its toolkit
(@contentful/node-apps-toolkit, src/requests/sign-request.ts and utils.ts):
signed text = METHOD \\n normalized path \\n "k1:v1;k2:v2;..." \\n body, where the headers are the
ones listed in x-contentful-signed-headers (lower-cased, trimmed, sorted by name; the list always
includes x-contentful-signed-headers and x-contentful-timestamp themselves); HMAC-SHA256 hex keyed
with the space's 64-character signing secret (text). Timestamp in epoch milliseconds.
Case inputs: method, url (the path, with optional query), headers (the other headers to sign).
"""
from urllib.parse import quote

from _common import emit, hexd, mac, read_case

# encodeURI leaves these unescaped besides ASCII letters and digits.
ENCODE_URI_SAFE = ";,/?:@&=+$-_.!~*'()#"
# querystring.escape (like encodeURIComponent) leaves these unescaped.
QS_ESCAPE_SAFE = "-_.!~*'()"


def normalized_path(uri):
    pathname, _, search = uri.partition("?")
    escaped = quote(search, safe=QS_ESCAPE_SAFE) if search else ""
    return quote(pathname + ("?" + escaped if escaped else ""), safe=ENCODE_URI_SAFE)


if __name__ == "__main__":
    case = read_case()
    ts = str(case["timestamp"])
    headers = {k.lower().strip(): v.strip() for k, v in (case.get("headers") or {}).items()}
    names = sorted(set(headers) | {"x-contentful-signed-headers", "x-contentful-timestamp"})
    signed_list = ",".join(names)
    headers["x-contentful-timestamp"] = ts
    headers["x-contentful-signed-headers"] = signed_list
    canonical = "\n".join([case.get("method", "POST"), normalized_path(case["url"]),
                           ";".join("%s:%s" % (k, headers[k]) for k in names), case.get("body", "")])
    emit({"x-contentful-signature": hexd(mac("sha256", case["secret"], canonical)),
          "x-contentful-signed-headers": signed_list, "x-contentful-timestamp": ts})
