"""`prcm tune` end to end: a short search on the CPU, then --resume, the refusals,
and the mechanics on OpenCL (PoCL). Usage: tune_cli_test.py PRCM CASE.

Each case checks the exit code, the message and the record's contents."""
import json
import os
import shutil
import sys
import tempfile

from cli_support import expect, run_prcm

PRCM, CASE = sys.argv[1], sys.argv[2]
work = tempfile.mkdtemp(prefix="prcm-tune-test-")
SKIPPED = 77


def prcm(*args, **kwargs):
    return run_prcm(PRCM, *args, **kwargs)


def trials(path):
    with open(path) as f:
        return json.load(f)["trials"]


def check_trials(ts, device):
    for t in ts:
        assert t["module"] == "scale" and t["device"] == device, t
        for field in ("target", "device_model", "knobs", "pattern", "time"):
            assert t[field], f"trial {t['id']} has no {field}"
        if t["status"] != "verified":
            continue
        for r in t["results"]:
            # The candidate's time and the hand schedule's, from the same run.
            assert r["verified"] and r["median_ms"] > 0 and r["hand_median_ms"] > 0, r
    ids = [t["id"] for t in ts]
    assert len(set(ids)) == len(ids), "an id is used twice"


record = os.path.join(work, "t.json")
shape = ["--module", "scale", "--shapes", "1,8,16,16;1,16,32,32"]

if CASE == "search_and_resume":
    r = prcm("tune", *shape, "--budget", "15s", "--out", record)
    expect(r, 0, "apply   cmake -DPRCM_TUNING=")
    first = trials(record)
    check_trials(first, "cpu")
    verified = [t for t in first if t["status"] == "verified"]
    assert len(verified) >= 10, f"only {len(verified)} verified trials in 15 s"
    assert [t["origin"] for t in first].count("hand") == 1, "the hand defaults are timed once, as the noise floor"
    # Without --resume an existing record is not replaced.
    before = open(record).read()
    expect(prcm("tune", *shape, "--budget", "5s", "--out", record), 2, "exists: give --resume")
    assert open(record).read() == before
    # --resume adds trials and repeats none; the earlier ones stay as they were.
    expect(prcm("tune", *shape, "--budget", "10s", "--out", record, "--resume", "--seed", "2"), 0, "(resumed: ")
    second = trials(record)
    check_trials(second, "cpu")
    assert len(second) > len(first), "--resume added no trial"
    assert second[: len(first)] == first or all(
        {k: v for k, v in a.items() if k != "confirmation"} == {k: v for k, v in b.items() if k != "confirmation"}
        for a, b in zip(first, second)), "--resume changed an earlier trial"
    knobs = [t["knobs"] for t in second]
    assert len(set(knobs)) == len(knobs), "--resume repeated a trial"
elif CASE == "refusals":
    expect(prcm("tune", "--budget", "5s", "--out", record), 2, "give --module NAME or --all")
    expect(prcm("tune", *shape, "--budget", "5 minutes", "--out", record), 2, "--budget '5 minutes' is not a duration")
    expect(prcm("tune", "--module", "nope", "--out", record), 2, "unknown module 'nope'")
    expect(prcm("tune", "--module", "gap", "--shapes", "latency", "--out", record), 2,
           "experiment 'latency' has no configuration of gap")
    expect(prcm("tune", "--module", "prcm", "--shapes", "1,64,x,64", "--out", record), 2, "--shapes: --shape")
    # A corrupt record: a clear error, and the file left as it was.
    with open(record, "w") as f:
        f.write('{"format": "prcm-tuning-record", "version": 1, "trials": [{"id": 1')
    before = open(record).read()
    expect(prcm("tune", *shape, "--budget", "5s", "--out", record, "--resume"), 2, record, "not valid JSON")
    assert open(record).read() == before
    assert not os.path.exists(os.path.join(work, "tuning")), "a refused run made a folder"
    expect(prcm("tune", *shape, "--budget", "5s", "--out", record, "--resume", "--generator", "/no/such/file"), 2,
           "not valid JSON")
    os.remove(record)
    expect(prcm("tune", *shape, "--budget", "5s", "--out", record, "--generator", "/no/such/file"), 3,
           "no generator executable at /no/such/file")
    assert not os.path.exists(record)
    r = prcm("list")
    if "cuda: not available" in r.stdout:
        expect(prcm("tune", *shape, "--device", "cuda", "--budget", "5s", "--out", record), 3, "cuda: no CUDA device here")
elif CASE == "opencl":
    r = prcm("list")
    if "opencl: available" not in r.stdout:
        print(f"SKIPPED  tune on opencl: no OpenCL device here")
        sys.exit(SKIPPED)
    r = prcm("tune", "--module", "scale", "--shapes", "1,8,16,16", "--device", "opencl", "--budget", "20s",
             "--out", record)
    expect(r, 0, "on opencl (x86-64-linux-opencl)")
    ts = trials(record)
    check_trials(ts, "opencl")
    assert ts[0]["pattern"] == "gpu_elementwise", ts[0]["pattern"]
    assert sum(t["status"] == "verified" for t in ts) >= 2, "no candidate verified on OpenCL"
else:
    sys.exit(f"unknown case {CASE}")
shutil.rmtree(work)
print("ok")
