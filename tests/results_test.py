"""The one results format (docs/results.schema.json), from every command that times.

Usage: results_test.py PRCM SCHEMA WORKDIR CASE
  schema:   `bench --module`, `bench EXPERIMENT` and `run --json` each write JSON that the
            schema accepts (and the schema is not vacuous: a row or context missing a
            field is refused), with --csv beside it; `prcm report` reads each of them
            and writes CSV, Markdown and Google Benchmark's JSON.
  progress: the progress of an experiment on a stderr that is not a terminal is plain
            lines, no carriage return; --quiet writes none.
"""
import copy
import csv
import json
import os
import shutil
import sys

import jsonschema
import numpy as np
from safetensors.numpy import save_file

from cli_support import expect, run_prcm

PRCM, SCHEMA, work, CASE = sys.argv[1:5]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)


def prcm(*args):
    return run_prcm(PRCM, *args, cwd=work)


def path(name):
    return os.path.join(work, name)


if CASE == "schema":
    validator = jsonschema.Draft202012Validator(json.load(open(SCHEMA)))
    quick = ["--warmup", "1", "--repeat", "3"]
    expect(prcm("bench", "--module", "SE_Module", "--shape", "1,8,16,16", *quick, "--json", path("module.json"),
                "--csv", path("module.csv")), 0)
    expect(prcm("bench", "components", *quick, "--json", path("experiment.json"), "--csv", path("experiment.csv")), 0)
    rng = np.random.default_rng(0)
    np.save(path("x.npy"), rng.standard_normal((1, 8, 6, 7)).astype(np.float32))
    save_file({"basis": rng.standard_normal((4, 8)).astype(np.float32),
               "fuser.weight": rng.standard_normal((8, 4)).astype(np.float32)}, path("w.safetensors"))
    expect(prcm("run", "--module", "prcm", "-w", path("w.safetensors"), "-i", path("x.npy"), "-o", path("y.npy"),
                "--verify", *quick, "--json", path("run.json"), "--csv", path("run.csv")), 0)

    rows_of = {"module": 1, "experiment": 7, "run": 1}
    for name, rows in rows_of.items():
        doc = json.load(open(path(name + ".json")))
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(doc)]
        assert not errors, f"{name}.json: {errors[:5]}"
        assert len(doc["rows"]) == rows, (name, len(doc["rows"]))
        for row in doc["rows"]:
            assert row["verification"]["verdict"] == "PASSED", row
            assert row["latency_ms"]["median"] > 0 and row["copy_ms"]["median"] > 0
        assert len(list(csv.DictReader(open(path(name + ".csv"))))) == rows, name
        # prcm report reads each, into every form it writes.
        outputs = [path(f"{name}.{k}") for k in ("report.csv", "md", "gbench.json")]
        expect(prcm("report", path(name + ".json"), "--csv", outputs[0], "--markdown", outputs[1],
                    "--gbench", outputs[2], "--out", path(name + "_charts")), 0)
        report_rows = list(csv.DictReader(open(outputs[0])))
        assert len(report_rows) == rows and report_rows[0]["verdict"] == "PASSED", report_rows
        assert float(report_rows[0]["median_ms"]) == doc["rows"][0]["latency_ms"]["median"]
        markdown = open(outputs[1]).read()
        assert markdown.startswith("# Performance") and doc["context"]["git_commit"] in markdown
        # Google Benchmark's tools/compare.py needs these of every benchmark.
        gbench = json.load(open(outputs[2]))
        assert gbench["context"]["date"] == doc["context"]["date"]
        assert len(gbench["benchmarks"]) == rows
        assert abs(gbench["benchmarks"][0]["real_time"] - 1000 * doc["rows"][0]["latency_ms"]["median"]) < 1e-9
        for b in gbench["benchmarks"]:
            assert {"name", "run_type", "iterations", "real_time", "cpu_time", "time_unit"} <= b.keys(), b
            assert b["time_unit"] == "us" and b["real_time"] > 0
        assert len({b["name"] for b in gbench["benchmarks"]}) == rows, "benchmark names must be unique"
    module = json.load(open(path("module.json")))
    assert module["rows"][0]["module"] == "se" and module["rows"][0]["hyper_parameters"] == {"reduction": 4}
    assert "fma_peak" not in module["rows"][0], "SE is not compute-bound: no FMA peak"
    run = json.load(open(path("run.json")))
    assert run["rows"][0]["shape"] == [1, 8, 6, 7] and run["rows"][0]["hyper_parameters"] == {"num_basis": 4}
    assert run["context"]["command"].startswith("prcm run --module prcm")

    # The schema refuses what it should: it is no test if everything passes it.
    for mutate in (lambda d: d["context"].pop("git_commit"), lambda d: d["rows"][0].pop("verification"),
                   lambda d: d["rows"][0]["latency_ms"].pop("median"), lambda d: d.update(version=1),
                   lambda d: d["rows"][0]["hyper_parameters"].update(bogus=1),
                   lambda d: d["rows"][0].pop("copy_ms")):
        bad = copy.deepcopy(module)
        mutate(bad)
        assert not validator.is_valid(bad), "the schema accepted a document missing a required field"
    print("ok: 3 commands' JSON valid against the schema; report read each into CSV, Markdown and gbench JSON")

elif CASE == "progress":
    # stderr is a pipe here, not a terminal.
    r = prcm("bench", "components", "--warmup", "0", "--repeat", "1")
    expect(r, 0)
    assert "\r" not in r.stderr, "a carriage return in a log"
    lines = [l for l in r.stderr.splitlines() if l.startswith("[components ")]
    assert len(lines) == 7, r.stderr
    r = prcm("bench", "components", "--warmup", "0", "--repeat", "1", "--quiet")
    expect(r, 0)
    assert r.stderr == "", r.stderr
    print("ok: plain progress lines in a log, none with --quiet")

else:
    sys.exit(f"unknown case {CASE}")
