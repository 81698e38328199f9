"""Before/after: ``bench_cpu.py`` of two source trees in one run.

Runs ``benchmarks/bench_cpu.py`` of a BASE checkout and of a HEAD checkout
alternately (base, head, base, head, ...), each in its own process with its
own fresh Numba cache, and prints per workload the median of each tree's
ratios to PyTorch (measured in the same process, so machine drift divides
out) and head / base. Used to check that a refactoring slowed nothing.

Usage::

    git worktree add /tmp/base <commit>
    python benchmarks/ab_cpu.py --base /tmp/base --head . [--rounds 2] [bench_cpu options]

Extra options (``--workloads W1,W3 --windows 2048 --epochs 3 --isa native``)
go to both trees' ``bench_cpu.py``.

``--one-process`` compares the two trees' epochs directly instead, without
PyTorch: both trees' ``tsgate`` packages are copied under names of their own
(``tsgate_ab0`` for BASE, ``tsgate_ab1`` for HEAD, their absolute imports
renamed) and imported into ONE process, which trains each tree's network
on the same windows, an epoch of one tree then an epoch of the other
(``--epochs`` pairs, 10 by default), and prints per workload and cell each
tree's median epoch, the median of the per-pair ratios head / base, and
whether the two trees' networks then forecast one window alike, bit for bit. A
VM whose neighbours move an epoch by 30% from minute to minute moves both
trees' epochs of a pair alike. Options: ``--workloads``, ``--cells``,
``--windows``, ``--epochs``, ``--isa native|avx2``.

    python benchmarks/ab_cpu.py --base /tmp/base --head . --one-process --workloads W1,W2
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _trees import copy_as

ROW = re.compile(r"^\| (\w+) \| (W\d) \|.*\| ([\d.]+)x \| [\d.]+ \| [\d.]+ \| [\d.]+ \| ([\d.]+)x \|")


def run(tree, extra):
    """Rows {(isa, cell, workload): (epoch ratio, public predict ratio)} of one run.

    ``isa`` is the table's heading (``native``, ``avx2``; ``-`` before any):
    with ``--isa both`` each run prints one table per instruction set, and
    keying by the cell alone kept only the last (the AVX2 one).
    """
    env = dict(os.environ, PYTHONPATH=str(tree))
    out = subprocess.run([sys.executable, str(Path(tree) / "benchmarks" / "bench_cpu.py"), *extra],
                         env=env, cwd=tree, capture_output=True, text=True, check=True).stdout
    rows, isa = {}, "-"
    for line in out.splitlines():
        if line.startswith("## "):
            isa = line[3:].strip()
        m = ROW.match(line)
        if m:
            rows[(isa, m.group(1), m.group(2))] = (float(m.group(3)), float(m.group(4)))
    return rows


PAIRED = r"""
import json, statistics, sys, time
import numpy as np

sys.path[:0] = [sys.argv[1], sys.argv[2]]  # the copies, then bench_cpu
from bench_cpu import WORKLOADS, make_data, tsgate_runner
opts = json.loads(sys.argv[3])

rows = []
for cell in opts["cells"]:
    for name in opts["workloads"]:
        F, T, H, L, B, N = WORKLOADS[name]
        X, Y = make_data(F, T, opts["windows"] or N)
        runs = [tsgate_runner(cell, F, T, H, L, B, X, Y, package=p)
                for p in ("tsgate_ab0", "tsgate_ab1")]
        for epoch, _ in runs:
            epoch()  # compile, allocate
        times = [[], []]
        for _ in range(opts["epochs"]):
            for (epoch, _), t in zip(runs, times):
                t0 = time.perf_counter()
                epoch()
                t.append(time.perf_counter() - t0)
        # the two trees' networks after the same epochs: the same window's forecast, bit for bit
        equal = bool(np.array_equal(runs[0][1](), runs[1][1]()))
        rows.append([cell, name, statistics.median(times[0]), statistics.median(times[1]),
                     statistics.median([h / b for b, h in zip(*times)]), equal])
print(json.dumps(rows))
"""


def one_process(base, head, argv):
    """Both trees' epochs alternating in one process (``--one-process``)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--workloads", default="W1,W2,W3")
    ap.add_argument("--cells", default="lstm,gru")
    ap.add_argument("--windows", type=int, default=None)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--isa", choices=["native", "avx2"], default="native")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        for i, tree in enumerate((base, head)):
            copy_as(tree, tmp, f"tsgate_ab{i}")
        env = dict(os.environ, NUMBA_CACHE_DIR=os.path.join(tmp, "cache"))
        if args.isa == "avx2":
            env.update(NUMBA_CPU_NAME="haswell", NUMBA_CPU_FEATURES="")
        opts = {"cells": args.cells.split(","), "workloads": args.workloads.split(","),
                "windows": args.windows, "epochs": args.epochs}
        out = subprocess.run([sys.executable, "-c", PAIRED, tmp, str(head / "benchmarks"),
                              json.dumps(opts)], env=env, check=True, capture_output=True,
                             text=True).stdout
    print(f"base={base} head={head} one process, {args.epochs} epoch pairs, {args.isa}")
    print("| cell | workload | base epoch s | head epoch s | head / base (median of pairs) "
          "| same forecast |")
    print("|---|---|---|---|---|---|")
    for cell, name, b, h, ratio, equal in json.loads(out.splitlines()[-1]):
        print(f"| {cell} | {name} | {b:.3f} | {h:.3f} | {ratio:.3f} | {equal} |")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", required=True)
    ap.add_argument("--head", default=".")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--one-process", action="store_true",
                    help="alternate the two trees' epochs in one process, without PyTorch")
    args, extra = ap.parse_known_args(argv)
    if args.one_process:
        one_process(Path(args.base).resolve(), Path(args.head).resolve(), extra)
        return
    extra = " ".join(extra).replace("--isa ", "--isa=").split()  # older bench_cpu.py: one token
    base, head = Path(args.base).resolve(), Path(args.head).resolve()
    results = {"base": [], "head": []}
    for r in range(args.rounds):
        for name, tree in (("base", base), ("head", head)):
            results[name].append(run(tree, extra))
            print(f"round {r + 1} {name} done", file=sys.stderr, flush=True)
    keys = sorted(set().union(*results["base"], *results["head"]))
    print(f"base={base} head={head} rounds={args.rounds} options={' '.join(extra)}")
    print("| isa | cell | workload | epoch / torch, base | head | head / base "
          "| public predict / torch, base | head | head / base |")
    print("|---|---|---|---|---|---|---|---|---|")
    for key in keys:
        med = {name: [statistics.median(run_[key][i] for run_ in runs if key in run_)
                      for i in (0, 1)] for name, runs in results.items()}
        (eb, pb), (eh, ph) = med["base"], med["head"]
        print(f"| {key[0]} | {key[1]} | {key[2]} | {eb:.2f}x | {eh:.2f}x | {eh / eb:.2f} "
              f"| {pb:.2f}x | {ph:.2f}x | {ph / pb:.2f} |")


if __name__ == "__main__":
    main()
