"""Time of tsgate's own matrix product (``kernels/cpu/matmul.gemm``) at the
kernels' shapes, for one or more source trees in one run.

Each tree runs in its own process (its own Numba cache, under a temporary
folder), trees alternating round by round, so a before/after comparison sees
the same machine load. Per shape and tree it prints the best of the rounds:
microseconds per call (one thread, accumulate into ``out``) and GFLOP/s.
With ``--isa avx2`` Numba emits AVX2 code (``NUMBA_CPU_NAME=haswell
NUMBA_CPU_FEATURES=""``), as on a machine without AVX-512.

``--one-process`` times every tree's product in ONE process instead, each
tree's ``tsgate`` copied under a package name of its own
(``tsgate_ab0``, ``tsgate_ab1``, ...), the trees alternating every few
milliseconds (``--rounds`` pairs per shape, 40 by default there), and
prints each tree's median and the median of its per-round ratio to the
first tree's, with whether their results are bit-equal. On a VM whose
neighbours move a product by 2x from one second to the next (session 42),
separate processes disagreed run to run; alternating in one process they
did not.

Usage::

    git worktree add /tmp/base <commit>
    python benchmarks/bench_products.py --trees /tmp/base,. [--rounds 2] [--isa native|avx2]
    python benchmarks/bench_products.py --trees /tmp/base,. --one-process
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _trees import copy_as

# (M, K, N, trans_a, where): (rows x K) @ (K x N), op(a) = a.T where trans_a
SHAPES = [
    (1, 64, 192, False, "GRU step, one window, hidden 64"),
    (8, 64, 192, False, "GRU step, 8 windows"),
    (12, 64, 192, False, "8 + 4 rows"),
    (64, 64, 192, False, "GRU step, batch 64"),
    (64, 64, 12, False, "dense head, horizon 12"),
    (64, 64, 20, False, "dense head, horizon 20"),
    (13, 64, 37, False, "8 + 4 + 1 rows, 2 x 16 + 5 columns"),
    (2, 64, 48, False, "two rows, 32 + 16 columns"),
    (1, 3000, 192, True, "x^T dgates, 1 feature"),
    (3, 3000, 192, True, "x^T dgates, 3 features"),
    (64, 3008, 256, True, "h^T dgates, LSTM W1, 47 steps x 64 rows"),
    (64, 1504, 256, True, "h^T dgates, LSTM W1, a tile of 32 rows"),
    (32, 1504, 96, True, "h^T dgates, GRU hidden 32, a tile of 32 rows"),
    (64, 64, 256, False, "LSTM step, hidden 64, batch 64 (W1)"),
    (32, 64, 256, False, "LSTM step, hidden 64, a tile of 32 rows"),
    (64, 128, 512, False, "LSTM step, hidden 128, 64 rows (W2)"),
    (32, 128, 512, False, "LSTM step, hidden 128, a tile of 32 rows"),
    (64, 512, 128, False, "LSTM backward step, da W_h^T, hidden 128 (W2)"),
    (64, 256, 64, False, "LSTM backward step, da W_h^T, hidden 64 (W1)"),
    (64, 128, 384, False, "GRU step, hidden 128"),
]

CHILD = r"""
import json, sys, time
import numpy as np
from numba import njit
from tsgate.kernels.cpu.matmul import gemm

@njit
def loop(a, ta, b, out, n):
    for _ in range(n):
        gemm(a, ta, b, False, out, 1.0)

rng = np.random.default_rng(0)
res = []
for M, K, N, ta in json.loads(sys.argv[1]):
    a = rng.standard_normal((K, M) if ta else (M, K)).astype(np.float32)
    b = rng.standard_normal((K, N)).astype(np.float32)
    out = np.zeros((M, N), np.float32)
    n = max(10, int(2e8 / (2 * M * K * N)))
    loop(a, ta, b, out, 2)
    times = []
    for _ in range(5):
        t = time.perf_counter()
        loop(a, ta, b, out, n)
        times.append((time.perf_counter() - t) / n)
    res.append(min(times))
print(json.dumps(res))
"""


def run(tree, isa, cache):
    env = dict(os.environ, PYTHONPATH=str(Path(tree).resolve()), NUMBA_CACHE_DIR=cache,
               NUMBA_NUM_THREADS="1")
    if isa == "avx2":
        env.update(NUMBA_CPU_NAME="haswell", NUMBA_CPU_FEATURES="")
    shapes = json.dumps([s[:4] for s in SHAPES])
    # run in the tree: ``python -c`` puts the working folder first on sys.path
    out = subprocess.run([sys.executable, "-c", CHILD, shapes], env=env, cwd=tree, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])


INTERLEAVED = r"""
import json, statistics, sys, time
import numpy as np
from numba import njit

sys.path.insert(0, sys.argv[1])
names, shapes, rounds = json.loads(sys.argv[2]), json.loads(sys.argv[3]), int(sys.argv[4])
loops = []
for name in names:  # one timing loop per tree, its gemm a global of the loop
    gemm = __import__(name + ".kernels.cpu.matmul", fromlist=["gemm"]).gemm
    ns = {"gemm": gemm, "njit": njit}
    exec("@njit\ndef loop(a, ta, b, out, n):\n    for _ in range(n):\n"
         "        gemm(a, ta, b, False, out, 1.0)\n", ns)
    loops.append(ns["loop"])
rng = np.random.default_rng(0)
res = []
for M, K, N, ta in shapes:
    a = rng.standard_normal((K, M) if ta else (M, K)).astype(np.float32)
    b = rng.standard_normal((K, N)).astype(np.float32)
    outs = [np.zeros((M, N), np.float32) for _ in loops]
    for loop, out in zip(loops, outs):
        loop(a, ta, b, out, 1)  # compile
        out[:] = 0
        loop(a, ta, b, out, 3)
    equal = all(np.array_equal(outs[0], o) for o in outs[1:])
    n = max(10, int(3e7 / (2 * M * K * N)))
    times = [[] for _ in loops]
    for _ in range(rounds):
        for loop, out, t in zip(loops, outs, times):
            t0 = time.perf_counter()
            loop(a, ta, b, out, n)
            t.append((time.perf_counter() - t0) / n)
    res.append({"median": [statistics.median(t) for t in times],
                "ratio": [statistics.median([y / x for x, y in zip(times[0], t)]) for t in times],
                "equal": equal})
print(json.dumps(res))
"""


def one_process(trees, isa, rounds):
    """Every tree's product timed in one process, alternating (``--one-process``)."""
    with tempfile.TemporaryDirectory() as tmp:
        names = []
        for i, tree in enumerate(trees):
            names.append(copy_as(tree, tmp, f"tsgate_ab{i}").name)
        env = dict(os.environ, NUMBA_CACHE_DIR=os.path.join(tmp, "cache"), NUMBA_NUM_THREADS="1")
        if isa == "avx2":
            env.update(NUMBA_CPU_NAME="haswell", NUMBA_CPU_FEATURES="")
        shapes = json.dumps([s[:4] for s in SHAPES])
        out = subprocess.run([sys.executable, "-c", INTERLEAVED, tmp, json.dumps(names), shapes,
                              str(rounds)], env=env, check=True, capture_output=True,
                             text=True).stdout
    res = json.loads(out.splitlines()[-1])
    print(f"## {isa}, one thread, one process, {rounds} alternating rounds: median us "
          f"(median ratio to {trees[0]})\n")
    print("| (M x K) @ (K x N) | where | " + " | ".join(trees) + " | bits equal |")
    print("|---|---|" + "---|" * len(trees) + "---|")
    for (M, K, N, ta, where), r in zip(SHAPES, res):
        cells = [f"{m * 1e6:.2f} ({q:.3f})" for m, q in zip(r["median"], r["ratio"])]
        name = f"({K}x{M})^T @ {K}x{N}" if ta else f"{M}x{K} @ {K}x{N}"
        print(f"| {name} | {where} | " + " | ".join(cells) + f" | {r['equal']} |")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trees", default=".", help="comma-separated source trees")
    ap.add_argument("--rounds", type=int, default=None,
                    help="best of this many rounds (2), or pairs with --one-process (40)")
    ap.add_argument("--isa", choices=["native", "avx2"], default="native")
    ap.add_argument("--one-process", action="store_true",
                    help="alternate the trees' products in one process (--rounds: pairs, 40)")
    args = ap.parse_args(argv)
    trees = args.trees.split(",")
    if args.one_process:
        one_process(trees, args.isa, args.rounds or 40)
        return
    args.rounds = args.rounds or 2
    best = {t: [float("inf")] * len(SHAPES) for t in trees}
    with tempfile.TemporaryDirectory() as tmp:
        caches = {t: os.path.join(tmp, str(i)) for i, t in enumerate(trees)}
        for _ in range(args.rounds):
            for t in trees:
                best[t] = [min(x, y) for x, y in zip(best[t], run(t, args.isa, caches[t]))]
    print(f"## {args.isa}, one thread, best of {args.rounds} rounds x 5 repeats\n")
    print("| (M x K) @ (K x N) | where | " + " | ".join(trees) + " |")
    print("|---|---|" + "---|" * len(trees))
    for i, (M, K, N, ta, where) in enumerate(SHAPES):
        flops = 2 * M * K * N
        cells = [f"{best[t][i] * 1e6:.2f} us ({flops / best[t][i] / 1e9:.0f} GF/s)" for t in trees]
        name = f"({K}x{M})^T @ {K}x{N}" if ta else f"{M}x{K} @ {K}x{N}"
        print(f"| {name} | {where} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
