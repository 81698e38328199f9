"""Wall time and peak memory of one default global fit over many short series.

``GRUForecaster(horizon=12).fit(wide)`` on a wide frame of ``K`` monthly
series of 60 values each (a seasonal random walk with noise, one seed per
series), then ``predict()`` and ``predict_interval(coverage=[0.8, 0.95])``:
what a user with a large collection of short series waits for, where the
per-series work around the training (windows, stages, calibration, bands)
can cost more than the training itself. Each source tree runs in its own
interpreter (``PYTHONPATH``) with its own Numba cache, warmed by an untimed
small fit first; with several trees the runs alternate, so a busy spell of
the shared machine falls on both (compare ratios, not absolute times).

Usage::

    python benchmarks/many_series.py [--trees .,/path/to/other/checkout]
        [--series 1000,10000] [--repeat 1]
"""
import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CASE = r"""
import resource, time, warnings
import numpy as np, pandas as pd
warnings.simplefilter("ignore")
from tsgate import GRUForecaster

def series(n, seed):
    r = np.random.default_rng(seed)
    t = np.arange(n)
    return (150 + 0.01 * t + 10 * np.sin(2 * np.pi * t / 12) + np.cumsum(r.normal(0, 0.5, n))
            + r.normal(0, 2, n))

index = pd.date_range("1990-01-01", periods=60, freq="MS")
GRUForecaster(horizon=3, max_iter=1).fit(pd.Series(series(60, 1), index=index)).predict()
wide = pd.DataFrame({{f"s{{i}}": series(60, i) for i in range({k})}}, index=index)
t0 = time.perf_counter()
model = GRUForecaster(horizon=12, random_state=0).fit(wide)
t1 = time.perf_counter()
model.predict()
t2 = time.perf_counter()
model.predict_interval(coverage=[0.8, 0.95])
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def run(tree, cache, k):
    """(fit s, predict s, interval s, peak RSS MiB) of ``k`` series with ``tree``'s tsgate."""
    env = dict(os.environ, PYTHONPATH=str(Path(tree).resolve()), NUMBA_CACHE_DIR=cache)
    # cwd: the cache folder, so that ``-c``'s current-directory entry on sys.path
    # (ahead of PYTHONPATH) cannot import another checkout's tsgate
    out = subprocess.run([sys.executable, "-c", CASE.format(k=k)], env=env, check=True, cwd=cache,
                         capture_output=True, text=True).stdout.split()
    return tuple(float(v) for v in out[-4:])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--trees", default=".", help="source trees, comma-separated")
    p.add_argument("--series", default="1000", help="numbers of series, comma-separated")
    p.add_argument("--repeat", type=int, default=1)
    args = p.parse_args(argv)
    trees = args.trees.split(",")
    caches = [tempfile.mkdtemp(prefix="tsgate-many-") for _ in trees]
    print("| series | tree | fit s | predict s | interval s | peak RSS MiB |")
    print("|---|---|---|---|---|---|")
    for k in (int(v) for v in args.series.split(",")):
        for _ in range(args.repeat):
            for tree, cache in zip(trees, caches):
                fit, predict, interval, rss = run(tree, cache, k)
                print(f"| {k:,} | {tree} | {fit:.1f} | {predict:.2f} | {interval:.2f} | {rss:.0f} |",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
