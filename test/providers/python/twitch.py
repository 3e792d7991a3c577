"""Twitch EventSub (webhook transport) signer, written from Twitch's docs:
https://dev.twitch.tv/docs/eventsub/handling-webhook-events/#verifying-the-event-message
HMAC-SHA256, keyed with the subscription's secret (text), over the concatenation of the
Twitch-Eventsub-Message-Id header, the Twitch-Eventsub-Message-Timestamp header (RFC 3339, as
sent) and the raw body, with no separators; sent as "sha256=<hex>" in
Twitch-Eventsub-Message-Signature.
"""
from _common import emit, hexd, mac, read_case

if __name__ == "__main__":
    case = read_case()
    ts = str(case["timestamp"])
    sig = hexd(mac("sha256", case["secret"], case["id"], ts, case["body"]))
    emit({"Twitch-Eventsub-Message-Id": case["id"], "Twitch-Eventsub-Message-Timestamp": ts,
          "Twitch-Eventsub-Message-Signature": "sha256=" + sig})
