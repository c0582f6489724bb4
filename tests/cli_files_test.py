"""The command line against hostile input: outputs that cannot or must not be
written, signals, and names that would drive a terminal. Usage:
cli_files_test.py PRCM CASE.

Every case checks the exit code, the message, and what is left in the folder."""
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np
from safetensors.numpy import save_file

from cli_support import expect, run_prcm

PRCM, CASE = sys.argv[1], sys.argv[2]
work = tempfile.mkdtemp(prefix="prcm-cli-files-")


def prcm(*args, **kwargs):
    return run_prcm(PRCM, *args, **kwargs)


def left_in(folder):
    return sorted(os.listdir(folder))


def full_disk():
    """RLIMIT_FSIZE 0 with SIGXFSZ ignored: every write to a file fails (EFBIG), as on a full disk."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.RLIM_INFINITY))


def run_files():
    """x.npy and w.safetensors for `prcm run --module prcm`."""
    rng = np.random.default_rng(3)
    x, w = os.path.join(work, "x.npy"), os.path.join(work, "w.safetensors")
    np.save(x, rng.standard_normal((1, 8, 5, 5), dtype=np.float32))
    save_file({"basis": rng.standard_normal((2, 8), dtype=np.float32),
               "fuser.weight": rng.standard_normal((8, 2), dtype=np.float32)}, w)
    return x, w


if CASE == "output_is_input":
    # However it is spelled, an output that is an input is refused before anything
    # runs, and the input is intact.
    x, w = run_files()
    os.link(x, os.path.join(work, "hard.npy"))
    before = open(x, "rb").read()
    for output in (x, os.path.join(work, ".", "x.npy"), os.path.join(work, "hard.npy"), w):
        r = prcm("run", "--module", "prcm", "--weights", w, "--input", x, "--output", output)
        expect(r, 2, "same file as the input")
        assert open(x, "rb").read() == before, "the input was changed"
    assert left_in(work) == ["hard.npy", "w.safetensors", "x.npy"], left_in(work)
    # The same command with its own output works.
    expect(prcm("run", "--module", "prcm", "--weights", w, "--input", x, "--output", os.path.join(work, "y.npy")), 0)

elif CASE == "full_disk":
    # A write that fails (EFBIG here, ENOSPC on a full disk) is exit 4, names the
    # file and the reason, and leaves neither the file nor a temporary.
    json_path, csv_path = os.path.join(work, "out.json"), os.path.join(work, "out.csv")
    r = prcm("bench", "params", "--json", json_path, preexec_fn=full_disk)
    expect(r, 4, json_path, os.strerror(27))  # EFBIG: File too large
    assert left_in(work) == [], left_in(work)
    r = prcm("bench", "params", "--csv", csv_path, preexec_fn=full_disk)
    expect(r, 4, csv_path, os.strerror(27))
    assert left_in(work) == [], left_in(work)
    r = prcm("bench", "--module", "prcm", "--shape", "1,8,8,8", "--warmup", "0", "--repeat", "1",
             "--json", json_path, preexec_fn=full_disk)
    expect(r, 4, json_path)
    assert left_in(work) == [], left_in(work)
    # An old file stays whole.
    with open(json_path, "w") as f:
        f.write("old\n")
    expect(prcm("bench", "params", "--json", json_path, preexec_fn=full_disk), 4)
    assert open(json_path).read() == "old\n"
    assert left_in(work) == ["out.json"], left_in(work)

elif CASE == "outputs_checked_first":
    # --csv naming a folder, a missing folder or a FIFO, refused at once (before a
    # benchmark would run) with the path and the reason; nothing is left behind.
    os.mkfifo(os.path.join(work, "fifo"))
    for csv, why in ((work, "is a folder"), (os.path.join(work, "no", "x.csv"), "does not exist"),
                     (os.path.join(work, "fifo"), "is a FIFO")):
        start = time.monotonic()
        r = prcm("bench", "latency", "--csv", csv)
        expect(r, 2, csv, why)
        assert time.monotonic() - start < 10, "the benchmark ran before the output was checked"
    os.symlink(os.path.join(work, "elsewhere.json"), os.path.join(work, "link.json"))
    expect(prcm("bench", "params", "--json", os.path.join(work, "link.json")), 2, "symbolic link")
    expect(prcm("bench", "params", "--json", os.path.join(work, "a"), "--csv", os.path.join(work, "a")), 2,
           "same file")
    assert left_in(work) == ["fifo", "link.json"], left_in(work)
    # A new file gets the mode an ordinary open() gives it (0666 & ~umask), not 0600.
    out = os.path.join(work, "params.json")
    expect(prcm("bench", "params", "--json", out, preexec_fn=lambda: os.umask(0o022)), 0)
    assert os.stat(out).st_mode & 0o777 == 0o644, oct(os.stat(out).st_mode)

elif CASE == "interrupt":
    # SIGINT (exit 130) and SIGTERM (exit 143) in the middle of `bench all`: one line
    # says so, stdout ends with a whole line (stdout is a pipe here), nothing is left.
    for sig, code in ((signal.SIGINT, 130), (signal.SIGTERM, 143)):
        json_path = os.path.join(work, "all.json")
        p = subprocess.Popen([PRCM, "bench", "all", "--warmup", "0", "--repeat", "100000", "--json", json_path],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(2.0)
        p.send_signal(sig)
        out, err = p.communicate(timeout=60)
        print(out.decode(errors="replace")[-400:], err.decode(errors="replace")[-200:], "exit", p.returncode)
        assert p.returncode == code, f"exit {p.returncode}, expected {code}"
        assert b"prcm: interrupted" in err
        assert out and out.endswith(b"\n"), f"stdout ends mid-line: {out[-80:]!r}"
        assert left_in(work) == [], left_in(work)

elif CASE == "control_characters":
    # A name with an escape sequence reaches the terminal escaped.
    evil = "\x1b[31mred\x07\x9b"
    for args in (["verify", "--module", evil], ["bench", evil], ["verify", "--module", "prcm", "--device", evil],
                 ["verify", "--module", "prcm", "--shape", "1,2," + evil], ["report", os.path.join(work, evil)],
                 ["bench", "params", "--json", os.path.join(work, evil, "x.json")],
                 ["verify", "--module", "prcm", "--" + evil]):
        r = prcm(*args)
        assert r.returncode == 2, r.returncode
        text = r.stdout + r.stderr
        assert "\\x1b[31mred\\x07" in text, "the name is not shown escaped"
        assert not any(c in text for c in "\x1b\x07\x9b"), "a control character reached the terminal"

elif CASE == "report_files":
    # A results file whose names would leave the output folder, or whose rows lack
    # fields or have them of the wrong type; an --out that is a file.
    import json
    row = {"experiment": "../../escape", "part": "", "device": "cpu", "block": "B", "sweep": "1", "sweep_value": 1,
           "module": "prcm", "hyper_parameters": {}, "shape": [1, 2, 3, 4], "schedule": "hand", "params": 1,
           "verification": {"verdict": "PASSED"}, "calls": {"warmup": 1, "repeat": 2},
           "latency_ms": {"mean": 1.0, "std": 0.0, "min": 1.0, "median": 1.0, "p90": 1.0},
           "copy_ms": {"mean": 0.5, "std": 0.0, "min": 0.5, "median": 0.5, "p90": 0.5}}
    def doc(rows, context=None, summary=None):
        return {"format": "prcm-results", "version": 2, "context": {} if context is None else context,
                "experiments": [], "rows": rows, "summary": summary or []}
    results = os.path.join(work, "r.json")
    with open(results, "w") as f:
        json.dump(doc([row]), f)
    out = os.path.join(work, "out")
    expect(prcm("report", results, "--out", out), 0)
    assert left_in(work) == ["out", "r.json"], left_in(work)
    assert len([n for n in left_in(out) if n.endswith(".svg")]) == 1 and "index.html" in left_in(out), left_in(out)
    assert all(not n.startswith(".") for n in left_in(out)), left_in(out)
    refused = "is not a prcm results file"
    with open(results, "w") as f:
        json.dump(doc([{"experiment": "x", "latency_ms": {}}]), f)
    expect(prcm("report", results, "--out", out), 2, refused)
    with open(results, "w") as f:  # a context and a summary of the wrong types
        json.dump(doc([row], {"threads": "two"}, [1]), f)
    expect(prcm("report", results, "--out", out), 2, refused)
    with open(results, "w") as f:
        json.dump(doc([row], []), f)
    expect(prcm("report", results, "--out", out), 2, refused)
    with open(results, "w") as f:  # a newer version than this prcm reads
        json.dump(dict(doc([row]), version=3), f)
    expect(prcm("report", results, "--out", out), 2, refused, "newer than this prcm reads")
    with open(results, "w") as f:  # an earlier prcm's experiment file (version 1) is still read
        v1_row = {k: v for k, v in row.items() if k not in ("verification", "calls", "hyper_parameters")}
        json.dump({"machine": {"cpu": "x", "threads": 2}, "timing": {"cpu": {"warmup": 1, "repeat": 2}},
                   "rows": [dict(v1_row, verdict="PASSED")]}, f)
    expect(prcm("report", results, "--csv", os.path.join(work, "v1.csv")), 0)
    expect(prcm("report", results, "--out", results), 2, "is not a folder")
    expect(prcm("report", results, "--out", os.path.join(results, "sub")), 2)
    expect(prcm("report", results, "--csv", results), 2)  # the results file itself

elif CASE == "memory":
    # A problem within Halide's indexing but beyond this machine's memory is refused
    # with how much it needs, before anything is allocated.
    mem = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    if mem > 40 << 30:
        print(f"SKIPPED  {CASE}: this machine has {mem >> 30} GiB; the largest problem Halide can index needs about 48")
        sys.exit(77)
    r = prcm("verify", "--module", "prcm", "--shape", "1,1,1,2147483647")
    expect(r, 2, "the problem needs about", "GiB", "of memory")

else:
    sys.exit(f"unknown case {CASE}")
print("ok")
