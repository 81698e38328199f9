"""How calm each competition subset's test period was against the stretches
before it: the yardstick of any interval calibrated on the past.

A forecaster calibrated on out-of-sample errors of the last horizon before
the forecast origin (tsgate's conformal bands, :mod:`tsgate.calibration`)
covers its nominal share of a test period exactly as wild as that tail; a
calmer test period is over-covered, a wilder one under-covered, whatever
the method. This script measures, model-free, how the test period compared:
per series, seasonal naive's mean absolute error over the test (fold 0) and
over each of the ``--folds`` horizons before it (fold k: the forecast from
``k * h`` steps before the end of the training part), on the log scale for
positive series, divided by the series' mean absolute one-step change before
the oldest fold; then the median over series per fold, and the ratio of the
test's to fold 1's (the tail a validation fit calibrates on).

With ``--coverage DIR`` (a ``collections.py --out`` folder), each subset's
80% coverage of that run's tsgate methods (mean over seeds) is printed
beside the ratio.

Usage::

    python benchmarks/period_errors.py --collections tourism,m1,m3 [--coverage DIR]
"""
import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._peers import load_subset


def fold_errors(x, y, h, m, folds):
    """Seasonal naive's scaled MAE (folds + 1,) of one series: the test
    part y (h,) after x (n,), then each of the ``folds`` horizons before it;
    NaN where the series is too short for a fold."""
    full = np.concatenate([x, y]).astype(float)  # (n + h,)
    if np.nanmin(full) > 0:
        full = np.log(full)
    n = len(x)
    m = max(m, 1)
    past = full[:max(n - folds * h, m + 2)]  # the scale: changes before the oldest fold
    scale = float(np.nanmean(np.abs(np.diff(past))))
    out = np.full(folds + 1, np.nan)
    if not scale > 0:
        return out
    for k in range(folds + 1):
        origin = n - k * h
        if origin - m < 2:
            continue
        forecast = full[origin - m + np.arange(h) % m]  # (h,) the last season repeated
        actual = full[origin:origin + h]
        out[k] = float(np.nanmean(np.abs(actual - forecast[:len(actual)]))) / scale
    return out


def subset_row(collection, frequency, folds):
    """The median over series per fold, and the test's ratio to fold 1."""
    sub = load_subset(collection, frequency)
    errors = np.array([fold_errors(np.asarray(x, float), np.asarray(y, float)[:sub.h],
                                   sub.h, sub.m, folds)
                       for x, y in zip(sub.x, sub.xx)])  # (series, folds + 1)
    medians = np.nanmedian(errors, axis=0)  # (folds + 1,)
    row = {"collection": collection, "frequency": frequency, "series": len(errors)}
    row.update({"test" if k == 0 else f"fold {k}": medians[k] for k in range(folds + 1)})
    row["test / fold 1"] = medians[0] / medians[1]
    return row


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--collections", default="tourism,m1")
    p.add_argument("--frequencies", default="yearly,quarterly,monthly")
    p.add_argument("--folds", type=int, default=3)
    p.add_argument("--coverage", default=None, help="a collections.py --out folder")
    args = p.parse_args(argv)
    rows = [subset_row(c, f, args.folds) for c in args.collections.split(",")
            for f in args.frequencies.split(",")]
    table = pd.DataFrame(rows)
    if args.coverage:
        s = pd.read_csv(Path(args.coverage) / "summary.csv")
        s = s[s.method.isin(["gru-global", "lstm-global"])]
        cov = s.groupby(["collection", "frequency", "method"]).cov80.mean().unstack()
        table = table.join(cov.add_prefix("cov80 "), on=["collection", "frequency"])
    cells = [[f"{v:.3f}" if isinstance(v, float) else str(v) for v in r]
             for r in table.itertuples(index=False)]
    print("| " + " | ".join(table.columns) + " |")
    print("|" + "---|" * len(table.columns))
    for r in cells:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
