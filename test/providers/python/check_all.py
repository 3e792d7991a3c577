"""Run every independent signer against its vectors file and print OK/FAIL per provider.

Usage: python3 test/providers/python/check_all.py [name ...]
Each case's inputs (secret, body, timestamp, id, url, method, headers, and extra inputs such as
"secrets") are fed to <name>.py on stdin; its printed headers must equal the case's "headers".
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.join(HERE, "..", "vectors")
META = {"published", "note", "headers", "requestHeaders"}


def check(name):
    with open(os.path.join(VECTORS, name + ".json"), encoding="utf-8") as f:
        doc = json.load(f)
    signer = os.path.join(HERE, name + ".py")
    failures = []
    for i, case in enumerate(doc["cases"]):
        inp = {k: v for k, v in case.items() if k not in META}
        # input headers (e.g. a key id) travel under "headers" too: pass those the signer reads
        inp["headers"] = {k: v for k, v in case["headers"].items() if k in ("X-GCS-KeyId", "X-Pusher-Key")}
        inp["headers"].update(case.get("requestHeaders", {}))
        run = subprocess.run([sys.executable, signer], input=json.dumps(inp, ensure_ascii=False).encode("utf-8"),
                             capture_output=True)
        if run.returncode != 0:
            failures.append("case %d: signer exited %d: %s" % (i, run.returncode, run.stderr.decode()[-300:]))
            continue
        got = json.loads(run.stdout)
        # Every expected header, as expected (a published example may show only the signature header).
        if any(got.get(k) != v for k, v in case["headers"].items()):
            failures.append("case %d%s: got %s, want %s" % (i, " (published)" if case.get("published") else "", got, case["headers"]))
    published = sum(1 for c in doc["cases"] if c.get("published"))
    return failures, len(doc["cases"]), published


def main():
    names = sys.argv[1:] or sorted(n[:-5] for n in os.listdir(VECTORS) if n.endswith(".json"))
    bad = 0
    for name in names:
        failures, n, published = check(name)
        status = "OK  " if not failures else "FAIL"
        print("%s %-16s %d cases (%d published)" % (status, name, n, published))
        for f in failures:
            print("     " + f)
        bad += bool(failures)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
