"""Run every independent signer against its vectors file and print OK/FAIL per provider.

python3 test/providers/python/check_all.py [name ...]
python3 test/providers/python/check_all.py --fill name   # write the signer's headers into the
    cases marked "published": false that have no "headers" yet (how generated cases are made)

A case's inputs are secret, body, timestamp, id, url, method, and requestHeaders (passed to the
signer as "headers"); "headers" is what the provider would send.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.join(HERE, "..", "vectors")


def run_case(name, case):
    given = {k: case[k] for k in ("secret", "body", "timestamp", "id", "url", "method") if k in case}
    if "requestHeaders" in case:
        given["headers"] = case["requestHeaders"]
    out = subprocess.run([sys.executable, os.path.join(HERE, name + ".py")], input=json.dumps(given),
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return False, out.stderr.strip()
    got = json.loads(out.stdout)
    want = case["headers"]
    return got == want, "" if got == want else "want %s\n      got  %s" % (json.dumps(want), json.dumps(got))


def signer_output(name, case):
    given = {k: case[k] for k in ("secret", "body", "timestamp", "id", "url", "method") if k in case}
    if "requestHeaders" in case:
        given["headers"] = case["requestHeaders"]
    out = subprocess.run([sys.executable, os.path.join(HERE, name + ".py")], input=json.dumps(given),
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def fill(names):
    for name in names:
        path = os.path.join(VECTORS, name + ".json")
        with open(path, encoding="utf-8") as fh:
            vec = json.load(fh)
        for case in vec["cases"]:
            if not case.get("published") and "headers" not in case:
                case["headers"] = signer_output(name, case)
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(vec, fh, ensure_ascii=False, indent=2)
            fh.write("\n")


def main(names):
    files = sorted(f[:-5] for f in os.listdir(VECTORS) if f.endswith(".json"))
    failed = 0
    for name in names or files:
        with open(os.path.join(VECTORS, name + ".json"), encoding="utf-8") as fh:
            vec = json.load(fh)
        results = [run_case(name, c) for c in vec["cases"]]
        published = sum(1 for c in vec["cases"] if c.get("published"))
        bad = [(i, why) for i, (ok, why) in enumerate(results) if not ok]
        status = "OK  " if not bad else "FAIL"
        failed += bool(bad)
        print("%s %-14s %d cases (%d published)" % (status, name, len(results), published))
        for i, why in bad:
            print("      case %d: %s" % (i, why))
    print("%d passed, %d failed" % (len(names or files) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--fill"]:
        fill(sys.argv[2:])
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
