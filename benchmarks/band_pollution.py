"""One broken series in a collection: do the other series' bands stay theirs?

A collection of k seasonal monthly series (noise sd 2 around 100, season
amplitude 10, 96 months) is fitted with the default ``GRUForecaster``
(``horizon=12``), once as it is and once with its first series shifted by
+50 eight months before the end of the training part (a level shift that
its smoothing has not followed at the cut). The other series' 80% and 95%
bands are scored on 12 held-out months of the same draw: mean width and
coverage, with the shifted series and without it. Before session 33 the
shifted series' calibration residuals (20-50 units where the others' are
about 1) set the pooled 95% quantile of every series
(``calibration.outlying_series`` now leaves such a series out).

Usage: python benchmarks/band_pollution.py [--sizes 3,10,20] [--seeds 0,1,2]
"""
import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tsgate

N, H, SHIFT_AT, SHIFT = 96, 12, 8, 50.0


def draw(k, seed):
    """(train, test) wide frames of k clean seasonal series."""
    rng = np.random.default_rng(seed)
    t = np.arange(N + H)
    index = pd.date_range("2012-01-01", periods=N + H, freq="MS")
    data = pd.DataFrame({f"s{i}": 100 + 10 * np.sin(2 * np.pi * t / 12 + i) + rng.normal(0, 2, N + H)
                         for i in range(k)}, index=index)
    return data.iloc[:N], data.iloc[N:]


def clean_scores(train, test, seed):
    """Mean width and coverage of the 80% and 95% bands of series s1.. on test."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = tsgate.GRUForecaster(horizon=H, random_state=seed).fit(train)
        bands = model.predict_interval([0.8, 0.95])
    out = {}
    for c in ("80", "95"):
        widths, inside = [], []
        for name in train.columns[1:]:
            lower, upper = bands[name][f"lower_{c}"], bands[name][f"upper_{c}"]
            widths.append((upper - lower).mean())
            inside.append(((test[name] >= lower) & (test[name] <= upper)).mean())
        out[f"width {c}"], out[f"cov {c}"] = float(np.mean(widths)), float(np.mean(inside))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="3,10,20")
    ap.add_argument("--seeds", default="0,1,2")
    args = ap.parse_args(argv)
    rows = []
    t0 = time.perf_counter()
    for k in [int(s) for s in args.sizes.split(",")]:
        for seed in [int(s) for s in args.seeds.split(",")]:
            train, test = draw(k, seed)
            shifted = train.copy()
            shifted.iloc[-SHIFT_AT:, 0] += SHIFT
            for label, data in (("without", train), ("with one shifted", shifted)):
                rows.append({"series": k, "collection": label, "seed": seed,
                             **clean_scores(data, test, seed)})
    table = pd.DataFrame(rows).groupby(["series", "collection"], sort=False).mean(numeric_only=True)
    print(f"Other series' bands, mean over seeds {args.seeds} ({time.perf_counter() - t0:.0f} s)\n")
    table = table.drop(columns="seed")
    print("| series | collection | " + " | ".join(table.columns) + " |")
    print("|---|---|" + "---|" * len(table.columns))
    for (k, label), row in table.iterrows():
        print(f"| {k} | {label} | " + " | ".join(f"{v:.3f}" for v in row) + " |")


if __name__ == "__main__":
    main()
