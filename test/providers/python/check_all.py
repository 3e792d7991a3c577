"""Run every provider signer in this folder against its vectors file; print OK/FAIL per provider.

A case passes when every header in its "headers" object equals the signer's output for that case
(published cases list only the headers the source publishes). Exit code 1 if any case fails.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.join(HERE, "..", "vectors")


def main(only):
    failed = 0
    for fname in sorted(os.listdir(VECTORS)):
        if not fname.endswith(".json"):
            continue
        name = fname[:-5]
        if only and name not in only:
            continue
        signer = os.path.join(HERE, name + ".py")
        with open(os.path.join(VECTORS, fname), encoding="utf-8") as f:
            spec = json.load(f)
        if not os.path.exists(signer):
            print("SKIP %-12s no signer" % name)
            continue
        bad = []
        for i, case in enumerate(spec["cases"]):
            inp = {k: v for k, v in case.items() if k not in ("headers", "published", "note")}
            run = subprocess.run([sys.executable, signer], input=json.dumps(inp), capture_output=True, text=True, cwd=HERE)
            if run.returncode != 0:
                bad.append("case %d: signer exited %d: %s" % (i, run.returncode, run.stderr.strip()))
                continue
            got = json.loads(run.stdout)
            for k, v in case["headers"].items():
                if got.get(k) != v:
                    bad.append("case %d: %s = %r, expected %r" % (i, k, got.get(k), v))
        published = sum(1 for c in spec["cases"] if c.get("published"))
        if bad:
            failed += 1
            print("FAIL %-12s %s" % (name, "; ".join(bad)))
        else:
            print("OK   %-12s %d cases (%d published)" % (name, len(spec["cases"]), published))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(set(sys.argv[1:])))
