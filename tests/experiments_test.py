"""`prcm bench all` at a minimal repeat count: exits 0, every row verified, the JSON
and CSV hold every configuration of every experiment with the machine, and
`prcm report` turns the JSON into well-formed SVG charts and an index page.
Usage: experiments_test.py PRCM WORKDIR"""
import csv
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

prcm, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
out_json, out_csv, report = (os.path.join(work, n) for n in ("out.json", "out.csv", "report"))

r = subprocess.run([prcm, "bench", "all", "--repeat", "2", "--warmup", "1", "--json", out_json, "--csv", out_csv],
                   capture_output=True, text=True)
print(r.stdout[-3000:])
assert r.returncode == 0, f"bench all exited {r.returncode}: {r.stderr[-2000:]}"

doc = json.load(open(out_json))
expected = ["params", "latency", "components", "channels", "expansion", "poolsize", "resolution", "basis", "batch"]
assert doc["experiments"] == expected, doc["experiments"]
assert doc["format"] == "prcm-results" and doc["version"] == 2
for key in ("cpu", "threads", "halide_version", "cpu_target", "date", "git_commit", "build_type"):
    assert doc["context"].get(key), f"context lacks {key}"
rows = doc["rows"]
by_experiment = {}
for row in rows:
    by_experiment.setdefault(row["experiment"], []).append(row)
    verdict = row["verification"]["verdict"]
    assert verdict == "PASSED", f"{row['block']} {row['sweep']}: {verdict}"
    for stat in ("mean", "std", "min", "median", "p90"):
        assert row["latency_ms"][stat] >= 0
    assert row["copy_ms"]["median"] > 0 and row["ratio_to_copy"] > 0
# The configurations of DESIGN.md's experiment table, counted.
counts = {"latency": 15, "components": 7, "channels": 6 * 8, "expansion": 5, "poolsize": 6,
          "resolution": 5 * 5 + 5 * 2, "basis": 4 * 2, "batch": 5 * 2}
for experiment, n in counts.items():
    got = len(by_experiment.get(experiment, []))
    assert got == n, f"{experiment}: {got} rows, expected {n}"
assert doc["summary"], "no summary derived"
assert len(list(csv.DictReader(open(out_csv)))) == len(rows)

r = subprocess.run([prcm, "report", out_json, "--out", report], capture_output=True, text=True)
print(r.stdout, r.stderr)
assert r.returncode == 0
svgs = [f for f in os.listdir(report) if f.endswith(".svg")]
assert len(svgs) >= 9, svgs
for f in svgs:
    ET.parse(os.path.join(report, f))  # well-formed
index = open(os.path.join(report, "index.html")).read()
assert all(f in index for f in svgs)
print(f"{len(rows)} rows verified and timed; {len(svgs)} charts")
