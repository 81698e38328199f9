"""One validation fold instead of three where the three would train for minutes.

A single series (or fewer than ``folds.POOLED_UNIT_MIN_SERIES``) shorter
than about 12 horizons calibrates on three validation folds, each training
the whole ensemble (``folds.validation_cuts``). With long windows (weeks at
a yearly season, a horizon of months of days or days of hours) that took
minutes. Since session 36, where the folds' estimated work passes
``fitplan.FOLDS_MOST_WORK``, one fold at the last fold's cut forecasts the
same origins. This script fits such series both ways (the three folds
forced by lifting the limit) and prints, per case and draw, the wall time of
fit + forecast + both bands, MASE on the held-out horizon (scaled by the
training part's seasonal naive) and the 80% / 95% coverage.

Simulated series: a seasonal pattern, a random-walk level and noise (the
performance sweep's generator); the last ``h`` points are held out.

    python benchmarks/fold_work.py [--draws 2]
"""
import argparse
import time
import warnings

import numpy as np
import pandas as pd

import tsgate
from tsgate import fitplan
from tsgate.metrics import coverage, mase

CASES = (("weekly", "W-SUN", 52, 500, 52), ("hourly", "h", 24, 400, 48),
         ("daily", "D", 7, 1000, 90))


def series(freq, m, n, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 150 + 0.01 * t + 10 * np.sin(2 * np.pi * t / m) + np.cumsum(rng.normal(0, 0.5, n)) \
        + rng.normal(0, 2, n)
    return pd.Series(y, index=pd.date_range("2000-01-01", periods=n, freq=freq))


def run(y, h, m, limit):
    fitplan.FOLDS_MOST_WORK = limit
    train, test = y.iloc[:-h], y.iloc[-h:]
    start = time.perf_counter()
    model = tsgate.GRUForecaster(horizon=h, random_state=0).fit(train)
    forecast = model.predict()
    bands = {c: model.predict_interval(coverage=c) for c in (0.8, 0.95)}
    seconds = time.perf_counter() - start
    cov = [coverage(test.to_numpy(), b.iloc[:, 0].to_numpy(), b.iloc[:, 1].to_numpy())
           for b in bands.values()]
    return seconds, mase(test.to_numpy(), forecast.to_numpy(), train.to_numpy(), m), cov


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--draws", type=int, default=2)
    args = p.parse_args(argv)
    warnings.simplefilter("ignore")
    default = fitplan.FOLDS_MOST_WORK
    tsgate.GRUForecaster(horizon=3).fit(series("MS", 12, 60, 9)).predict()  # compile first
    print("| case (n, h) | draw | folds | wall s | MASE | cov 80 / 95 |")
    print("|---|---|---|---|---|---|")
    for name, freq, m, n, h in CASES:
        for draw in range(args.draws):
            y = series(freq, m, n, draw)
            for label, limit in (("three", float("inf")), ("default", default)):
                s, score, cov = run(y, h, m, limit)
                print(f"| {name} ({n}, {h}) | {draw} | {label} | {s:.1f} | {score:.3f} | "
                      f"{cov[0]:.2f} / {cov[1]:.2f} |", flush=True)
    fitplan.FOLDS_MOST_WORK = default


if __name__ == "__main__":
    main()
