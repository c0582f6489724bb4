#!/usr/bin/env python3
"""Render a results file of scripts/peer_bench.py (--json) as Markdown.

    .venv/bin/python scripts/peer_report.py docs/results/peers.json --markdown docs/peers.md --readme README.md

--markdown writes the whole report: the machine and versions, the noise rule, the geometric
means per block and overall against each peer, every comparison prcm still loses, and each
experiment's table at each thread count. --readme replaces the part of README.md between the
markers `<!-- peers:begin -->` and `<!-- peers:end -->` with the summary (the geometric means
and the losses). Either file is written whole or not at all; without either, the report goes
to stdout. It reads only the JSON: it measures nothing.

Exit status: 0 ok; 2 bad arguments or a results file that cannot be read or is not
peer_bench's (no rows); 4 an output could not be written.
"""
import argparse
import json
import math
import os
import sys
import tempfile

NAMES = {"torch": "PyTorch eager", "inductor": "torch.compile", "onnxruntime": "ONNX Runtime",
         "openvino": "OpenVINO"}
BEGIN, END = "<!-- peers:begin -->", "<!-- peers:end -->"


def geomean(values):
    values = [v for v in values if v and v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


# What peer_bench prints and writes, and this report renders: one computation of each.
def summarize(rows, peers):
    """{block, and "overall": {peer: {"geomean", "slowest"}}} of prcm's speed-ups."""
    out = {}
    for label in [*dict.fromkeys(r["block"] for r in rows), None]:
        mine = [r for r in rows if label is None or r["block"] == label]
        out[label or "overall"] = {n: {"geomean": geomean([r["speedup_vs"][n] for r in mine]),
                                       "slowest": min(r["speedup_vs"][n] for r in mine)} for n in peers}
    return out


def slower(rows, peers, band):
    """The noise rule: (row, peer) where prcm is slower than the peer beyond the band."""
    return [(r, n) for r in rows for n in peers if r["speedup_vs"][n] < 1 / (1 + band)]


def rows_paired(data):
    """Whether the run judged prcm against each peer on the rounds they took side by side."""
    return all("prcm_ms_vs" in r for r in data["rows"])


def shape_text(shape):
    return "x".join(str(s) for s in shape)


def threads_text(counts):
    return " and ".join(str(t) for t in counts) + (" thread" if counts == [1] else " threads")


def load(path):
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"cannot read {path}: {e}")
    if not isinstance(data, dict) or not data.get("rows") or not data.get("peers"):
        fail(f"{path} holds no peer_bench rows (was it written by peer_bench.py --json with an "
             "experiment besides overhead?)")
    return data


def fail(message, status=2):
    print(f"peer_report: {message}", file=sys.stderr)
    sys.exit(status)


def source_lines(data, path):
    m, t = data.get("machine", {}), data.get("timing", {})
    versions = ", ".join(f"{k} {m[k]}" for k in ("torch", "onnxruntime", "openvino") if k in m)
    threads = sorted({r["threads"] for r in data["rows"]})
    when = f" on {m['measured']}" if "measured" in m else ""
    commit = f", prcm {m['commit']}" if "commit" in m else ""
    lines = [f"Measured{when} on {m.get('cpu', 'an unnamed CPU')} ({m.get('cores', '?')} cores), "
             f"prcm's CPU target {m.get('prcm_cpu_target', '?')}{commit}, {versions}; "
             f"{threads_text(threads)}; {t.get('rounds', '?')} rounds of {t.get('warmup', '?')} warm-up / "
             f"{t.get('repeat', '?')} timed calls, each system's figure the median of its rounds' medians."]
    if "command" in m:
        lines.append(f"Command: `{m['command']}`.")
    trip = m.get("cpu_round_trip_ns") or {}
    if trip.get("before") is not None:
        after = f", {trip['after']} ns after" if trip.get("after") is not None else ""
        lines.append(f"CPUs 0 and 1 were {trip['before']} ns apart before the run (a cache line's round trip, "
                     f"`build/bin/core_round_trip`){after}: on a VM, two-thread figures on small maps follow it.")
    band = t.get("band", 0.03)
    lines.append(f"The noise rule: prcm counts as slower than a peer only where its figure is more than "
                 f"{band:.0%} above the peer's; a configuration that looks slower is measured again "
                 f"({t.get('confirm_rounds', '?')} more rounds of prcm and the peers it trails) and judged "
                 f"on all its rounds" + (", prcm's figure against a peer the median of its rounds in the turns "
                                        "that peer took too" if rows_paired(data) else "") +
                 f". Every figure comes after the peer's output agreed with prcm's "
                 f"(rtol = atol = 1e-4). Source: `{path}`.")
    return lines


def summary(data):
    peers, rows = data["peers"], data["rows"]
    band = data.get("timing", {}).get("band", 0.03)
    out = ["| block | " + " | ".join(f"vs {NAMES.get(n, n)}" for n in peers) + " |",
           "|---|" + "---|" * len(peers)]
    for label, per_peer in summarize(rows, peers).items():
        overall = label == "overall"
        cells = []
        for n in peers:
            g = f"{per_peer[n]['geomean']:.2f}x"
            cells.append(f"{f'**{g}**' if overall else g} (slowest {per_peer[n]['slowest']:.2f}x)")
        out.append(f"| {'**overall**' if overall else label} | " + " | ".join(cells) + " |")
    comparisons = len(rows) * len(peers)
    losses = slower(rows, peers, band)
    out += ["", f"{len(rows)} configurations, {comparisons} comparisons: prcm is slower than a peer by more "
                f"than {band:.0%} in {len(losses)}."]
    if losses:
        out += ["", "| block | input | threads | experiment | peer | prcm ms | peer ms | speed-up |",
                "|---|---|---|---|---|---|---|---|"]
        for r, n in sorted(losses, key=lambda p: p[0]["speedup_vs"][p[1]]):
            out.append(f"| {r['block']} | {shape_text(r['shape'])} | {r['threads']} | {r['experiment']} | {NAMES.get(n, n)} | "
                       f"{r.get('prcm_ms_vs', {}).get(n, r['prcm_ms']):.4f} | {r['peers_ms'][n]:.4f} | "
                       f"{r['speedup_vs'][n]:.2f}x |")
    return out


def tables(data):
    peers, rows = data["peers"], data["rows"]
    out = []
    for experiment in dict.fromkeys(r["experiment"] for r in rows):
        for threads in sorted({r["threads"] for r in rows if r["experiment"] == experiment}):
            mine = [r for r in rows if r["experiment"] == experiment and r["threads"] == threads]
            out += ["", f"### {experiment}, {threads_text([threads])} (ms, and prcm's speed-up)", "",
                    "| block | input | prcm | " + " | ".join(NAMES.get(n, n) for n in peers) + " |",
                    "|---|---|---|" + "---|" * len(peers)]
            for r in mine:
                out.append(f"| {r['block']} | {shape_text(r['shape'])} | {r['prcm_ms']:.4f} | " +
                           " | ".join(f"{r['peers_ms'][n]:.4f} ({r['speedup_vs'][n]:.2f}x)" for n in peers) + " |")
    return out


def report(data, path):
    out = ["# prcm against its peers on the CPU", "",
           f"Generated by `scripts/peer_report.py {path} --markdown FILE` from the results file `{path}` "
           "(written by `scripts/peer_bench.py --json`): do not edit it by hand; run the benchmark again and "
           "regenerate it (README \"Peers\").", ""]
    out += [line + "\n" for line in source_lines(data, path)]
    out += ["## Geometric means of prcm's speed-up, and every loss", ""] + summary(data)
    out += ["", "## Every configuration"] + tables(data)
    return "\n".join(out) + "\n"


def readme_block(data, path, markdown):
    where = f" Every configuration: [`{markdown}`]({markdown})." if markdown else ""
    return "\n".join([BEGIN, "", " ".join(source_lines(data, path)) + where, ""] + summary(data) + ["", END])


def write_whole(path, text):
    """Whole or not at all: a temporary file in the same folder, renamed over `path`.
    Raises OSError where it cannot (scripts/peer_bench.py writes its JSON through it too)."""
    fd, tmp = tempfile.mkstemp(prefix=".prcm-", dir=os.path.dirname(os.path.abspath(path)))
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp's 0600 is not what a user's file gets
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results", help="a results file of peer_bench.py --json")
    p.add_argument("--markdown", help="write the whole report here")
    p.add_argument("--readme", help="replace the summary between the peers markers of this file (README.md)")
    a = p.parse_args()
    data = load(a.results)
    if a.readme:
        try:
            with open(a.readme) as f:
                text = f.read()
        except OSError as e:
            p.error(f"cannot read {a.readme}: {e}")
        if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(BEGIN) > text.index(END):
            p.error(f"{a.readme} must hold {BEGIN} once, then {END} once")
    outputs = []
    if a.markdown:
        outputs.append((a.markdown, report(data, a.results)))
    if a.readme:
        start, end = text.index(BEGIN), text.index(END) + len(END)
        markdown = os.path.relpath(a.markdown, os.path.dirname(os.path.abspath(a.readme))) if a.markdown else None
        outputs.append((a.readme, text[:start] + readme_block(data, a.results, markdown) + text[end:]))
    for path, text in outputs:
        try:
            write_whole(path, text)
        except OSError as e:
            fail(f"cannot write {path}: {e}", 4)
    if not a.markdown and not a.readme:
        sys.stdout.write(report(data, a.results))


if __name__ == "__main__":
    main()
