"""Hygraph (formerly GraphCMS) signed-webhook signer, written from Hygraph's utils package
(@hygraph/utils, hygraph/hygraph-utils index.js generateWebhookSignature) and docs
https://hygraph.com/docs/api-reference/basics/webhooks#signed-webhooks:
signed text = the compact JSON object {"Body": <raw body as a string>, "EnvironmentName": <env>,
"TimeStamp": <ms>} (keys in that order); gcms-signature = "sign=<base64 HMAC-SHA256>, env=<env>,
t=<ms>", keyed with the webhook's secret key (text).
The environment name comes from headers.env in the case (default "master").
"""
import json

from _common import b64, emit, mac, read_case

if __name__ == "__main__":
    case = read_case()
    env = (case.get("headers") or {}).get("env", "master")
    ts = int(case["timestamp"])
    envelope = json.dumps({"Body": case["body"], "EnvironmentName": env, "TimeStamp": ts},
                          separators=(",", ":"), ensure_ascii=False)
    sig = b64(mac("sha256", case["secret"], envelope))
    emit({"gcms-signature": "sign=%s, env=%s, t=%d" % (sig, env, ts)})
