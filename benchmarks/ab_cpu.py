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
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", required=True)
    ap.add_argument("--head", default=".")
    ap.add_argument("--rounds", type=int, default=2)
    args, extra = ap.parse_known_args(argv)
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
