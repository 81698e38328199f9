"""Cold-start cost: the first fit + predict in a fresh process, with an empty
Numba cache (everything JIT-compiled) and with a warm ``cache=True`` cache.

Usage: python benchmarks/bench_compile.py
Each case runs in its own interpreter; NUMBA_CACHE_DIR points at a temporary
folder so the checkout's own cache is neither used nor disturbed.
"""
import os
import subprocess
import sys
import tempfile
import time

CASE = r"""
import time
t0 = time.perf_counter()
import numpy as np
import tsgate
t1 = time.perf_counter()
X = np.random.default_rng(0).normal(size=(64, 12, 1)).astype(np.float32)
y = X[:, -1, 0]
for cls in (tsgate.{cell}Regressor,):
    reg = cls(hidden_size=8, max_iter=1, random_state=0).fit(X, y)
    reg.predict(X[:1])
t2 = time.perf_counter()
print(f"{{t1 - t0:.2f}} {{t2 - t1:.2f}}")
"""


def run(cell, cache_dir):
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CASE.format(cell=cell)], env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1]), time.perf_counter() - t0


def main():
    print("| cell | cache | import s | first fit+predict s | whole process s |")
    print("|---|---|---|---|---|")
    for cell in ("LSTM", "GRU"):
        with tempfile.TemporaryDirectory() as cache:
            for label in ("cold (empty)", "warm"):
                imp, first, total = run(cell, cache)
                print(f"| {cell} | {label} | {imp:.2f} | {first:.2f} | {total:.2f} |", flush=True)


if __name__ == "__main__":
    main()
