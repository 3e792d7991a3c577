"""QuickNode Streams webhook signer, written from QuickNode's guide
(https://www.quicknode.com/guides/quicknode-products/streams/validating-incoming-streams-webhook-messages)
and its sample apps (quiknode-labs/qn-guide-examples Streams/userstream/src/lib/webhook-verify.ts):
x-qn-signature = hex HMAC-SHA256 over nonce + timestamp + payload (UTF-8), keyed with the Stream's
security token (text); nonce and timestamp (Unix seconds) travel in x-qn-nonce and x-qn-timestamp.
"""
from _common import emit, hexd, mac, read_case

if __name__ == "__main__":
    case = read_case()
    ts = str(case["timestamp"])
    nonce = case["id"]
    emit({"x-qn-nonce": nonce, "x-qn-timestamp": ts,
          "x-qn-signature": hexd(mac("sha256", case["secret"], nonce, ts, case["body"]))})
