"""Amazon SNS message signatures, written from AWS's text, independently of whk.

Source: "Verifying the signatures of Amazon SNS messages",
https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
(and its step list in awsdocs/amazon-sns-developer-guide, doc_source/sns-verify-signature-of-message.md):
  - the string to sign is a newline-delimited list of name-value pairs, each "name\\n value\\n",
    in byte-sort order;
  - Notification: Message, MessageId, Subject (if included), Timestamp, TopicArn, Type;
  - SubscriptionConfirmation and UnsubscribeConfirmation: Message, MessageId, SubscribeURL,
    Timestamp, Token, TopicArn, Type;
  - Message and Subject are taken with their escapes decoded (the JSON values);
  - SignatureVersion 1 signs with SHA1, 2 with SHA256 (RSA); Signature is base64;
  - the public key comes from the X.509 certificate at SigningCertURL (here: a file).

RSA is done by the openssl CLI (standard library only otherwise).

Usage (JSON on stdin, JSON on stdout):
  amazon-sns.py sign    {"message": {...}, "key": "<private key PEM file>"}  -> {"body": "<the JSON body, signed>"}
  amazon-sns.py verify  {"body": "<JSON body>", "cert": "<certificate PEM file>"} -> {"valid": bool, "stringToSign": str}
"""
import base64
import json
import os
import subprocess
import sys
import tempfile

FIELDS = {
    "Notification": ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"],
    "SubscriptionConfirmation": ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
    "UnsubscribeConfirmation": ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
}
DIGEST = {"1": "-sha1", "2": "-sha256"}


def string_to_sign(message):
    out = ""
    for name in FIELDS[message["Type"]]:
        if name == "Subject" and name not in message:
            continue
        out += name + "\n" + message[name] + "\n"
    return out


def openssl(args, data=None):
    return subprocess.run(["openssl"] + args, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def sign(case):
    message = dict(case["message"])
    message.setdefault("SignatureVersion", "1")
    text = string_to_sign(message).encode("utf-8")
    r = openssl(["dgst", DIGEST[message["SignatureVersion"]], "-sign", case["key"]], text)
    if r.returncode != 0:
        raise SystemExit(r.stderr.decode())
    message["Signature"] = base64.b64encode(r.stdout).decode()
    # SNS's own layout: two-space indent, " : " between name and value.
    body = json.dumps(message, indent=2, ensure_ascii=False).replace('": ', '" : ')
    return {"body": body}


def verify(case):
    message = json.loads(case["body"])
    text = string_to_sign(message)
    with tempfile.TemporaryDirectory() as d:
        pub = os.path.join(d, "pub.pem")
        sig = os.path.join(d, "sig.bin")
        r = openssl(["x509", "-pubkey", "-noout", "-in", case["cert"], "-out", pub])
        if r.returncode != 0:
            raise SystemExit(r.stderr.decode())
        with open(sig, "wb") as f:
            f.write(base64.b64decode(message["Signature"]))
        r = openssl(["dgst", DIGEST[message["SignatureVersion"]], "-verify", pub, "-signature", sig], text.encode("utf-8"))
    return {"valid": r.returncode == 0, "stringToSign": text}


if __name__ == "__main__":
    case = json.loads(sys.stdin.read())
    print(json.dumps({"sign": sign, "verify": verify}[sys.argv[1]](case)))
