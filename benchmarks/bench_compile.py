"""Cold start: the first default forecast in a fresh process, with an empty
Numba cache (everything JIT-compiled), with a warm ``cache=True`` cache, and
after ``tsgate warmup``; beside it, the import time of tsgate's dependencies.

The case is the one a new user runs first:
``LSTMForecaster(horizon=12).fit(load_airline()).predict()`` (and the GRU twin).
Each case runs in its own interpreter; NUMBA_CACHE_DIR points at a temporary
folder so the checkout's own cache is neither used nor disturbed. Wall times
on a shared machine vary with its load; the CPU seconds of the process
(user + system) vary much less, so both are printed.

Usage: python benchmarks/bench_compile.py [--repeat 1]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

CASE = r"""
import time, warnings
c0, t0 = time.process_time(), time.perf_counter()
import numba, pandas, sklearn  # tsgate's heavy dependencies
c1, t1 = time.process_time(), time.perf_counter()
import tsgate
from tsgate.datasets import load_airline
c2, t2 = time.process_time(), time.perf_counter()
c3, t3 = c2, t2
warnings.simplefilter("ignore")
tsgate.{cls}(horizon=12).fit(load_airline()).predict()
c4, t4 = time.process_time(), time.perf_counter()
print(t1 - t0, t2 - t1, c2 - c1, t4 - t3, c4 - c3)
"""


def run(cell, cache_dir):
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    code = CASE.format(cls=f"{cell}Forecaster")
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    return [float(v) for v in out] + [time.perf_counter() - t0]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args(argv)
    print("| cell | Numba cache | deps import s | tsgate import s (CPU s) "
          "| first fit + predict s (CPU s) | whole process s |")
    print("|---|---|---|---|---|---|")
    for _ in range(args.repeat):
        for cell in ("LSTM", "GRU"):
            with tempfile.TemporaryDirectory() as cache:
                for label in ("cold (empty)", "warm"):
                    deps, imp, imp_cpu, first, first_cpu, total = run(cell, cache)
                    print(f"| {cell} | {label} | {deps:.2f} | {imp:.2f} ({imp_cpu:.2f}) "
                          f"| {first:.2f} ({first_cpu:.2f}) | {total:.2f} |", flush=True)
            with tempfile.TemporaryDirectory() as cache:
                subprocess.run([sys.executable, "-m", "tsgate.cli", "warmup", "--model",
                                cell.lower(), "--no-parallel"], check=True, capture_output=True,
                               env=dict(os.environ, NUMBA_CACHE_DIR=cache))
                deps, imp, imp_cpu, first, first_cpu, total = run(cell, cache)
                print(f"| {cell} | after `tsgate warmup` | {deps:.2f} | {imp:.2f} ({imp_cpu:.2f}) "
                      f"| {first:.2f} ({first_cpu:.2f}) | {total:.2f} |", flush=True)


if __name__ == "__main__":
    main()
