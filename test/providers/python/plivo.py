"""Plivo callback signer (V3, V2 and the legacy X-Plivo-Signature), written from Plivo's docs:
  V3: https://www.plivo.com/docs/voice/concepts/signature-validation -- the final request URL
      (scheme, host, port, path, query) and, for a POST, the POST parameters sorted by name
      (case-sensitive), each name + value appended to the URL; for a GET the parameters are in
      the query. Then "." + X-Plivo-Signature-V3-Nonce, HMAC-SHA256 with the Auth Token, base64.
      How the parts are joined (query parameters sorted as k=v&k=v, decoded; "." between a
      non-empty query and the POST parameters; a bare "?" when there are POST parameters but no
      query) is as Plivo's SDKs assemble it (plivo-python utils/signature_v3.py), since the docs
      page gives it only by example.
  V2: https://www.plivo.com/docs/messaging/concepts/signature-validation -- HMAC-SHA256 with the
      Auth Token over the base URI (no query) followed directly by X-Plivo-Signature-V2-Nonce, base64.
  legacy X-Plivo-Signature: HMAC-SHA1 with the Auth Token over the full URL followed by the POST
      parameters sorted by name, name + value each, base64.
Input: {secret, url, method, body (form-encoded), nonce3?, nonce2?, legacy?}. Stdlib only.
"""
from urllib.parse import parse_qsl, urlsplit

from _common import b64, emit, mac, read_case


def pairs(text):
    return parse_qsl(text, keep_blank_values=True)


def grouped(items):
    out = {}
    for k, v in items:
        out.setdefault(k, []).append(v)
    return out


def base_of(url):
    p = urlsplit(url)
    host = p.netloc.rsplit("@", 1)[-1]
    return "%s://%s%s" % (p.scheme or "http", host, p.path)


def v3_content(method, url, body):
    p = urlsplit(url)
    query = grouped(pairs(p.query))
    q = "&".join("%s=%s" % (k, v) for k in sorted(query) for v in sorted(query[k]))
    if method.upper() == "GET":
        return base_of(url) + ("?" + q if q else "")
    params = grouped(pairs(body)) if body.strip() and not body.lstrip().startswith(("{", "[")) else {}
    out = base_of(url)
    if q or params:
        out += "?" + q
    if q and params:
        out += "."
    return out + "".join(k + v for k in sorted(params) for v in sorted(params[k]))


if __name__ == "__main__":
    case = read_case()
    secret, url, body = case["secret"], case["url"], case.get("body", "")
    method = case.get("method", "POST")
    out = {}
    if "nonce3" in case:
        sig = b64(mac("sha256", secret, v3_content(method, url, body), ".", case["nonce3"]))
        out.update({"X-Plivo-Signature-V3": sig, "X-Plivo-Signature-Ma-V3": sig, "X-Plivo-Signature-V3-Nonce": case["nonce3"]})
    if "nonce2" in case:
        sig = b64(mac("sha256", secret, base_of(url), case["nonce2"]))
        out.update({"X-Plivo-Signature-V2": sig, "X-Plivo-Signature-Ma-V2": sig, "X-Plivo-Signature-V2-Nonce": case["nonce2"]})
    if case.get("legacy"):
        params = grouped(pairs(body))
        out["X-Plivo-Signature"] = b64(mac("sha1", secret, url + "".join(k + v for k in sorted(params) for v in sorted(params[k]))))
    emit(out)
