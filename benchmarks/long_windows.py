"""Long lookbacks: a day of 5-minute data ahead, the default fit's time and accuracy.

The default lookbacks are 1.25 to 3 times the longer of a season and the
horizon (``tsgate.encoding.window_lengths``), so forecasting a day of
5-minute steps (288) trains on windows of 360 to 864 steps. This script
times the default ``GRUForecaster(horizon=288)`` on a simulated series and
scores it against seasonal naive (the last day repeated) and the last
value, MASE with lag one day.

Series per seed: 14 days of 5-minute steps plus the day to forecast; a
daily profile (a sine of amplitude 20 and an evening bump of 10) around
100, plus AR(1) noise (coefficient 0.95, unit innovations). One draw per
seed; the seed is also tsgate's ``random_state``.

``--data hourly``: a week of hourly steps ahead (168) instead, from 8
weeks of hourly data: a daily profile (a sine of amplitude 20) lowered by
30% on weekends, plus the same AR(1) noise; lookbacks of 210 to 504 steps,
MASE with lag one week and the last week repeated as seasonal naive.

Run: ``python benchmarks/long_windows.py [--seeds 0,1,2] [--horizon 288]
[--data 5min|hourly]`` (with ``PYTHONPATH=<tree>`` to time another
checkout).
"""
import argparse
import time
import warnings

import numpy as np
import pandas as pd

import tsgate
from tsgate.metrics import mase

DAY = 288  # 5-minute steps per day
WEEK = 168  # hourly steps per week
SEASON = {"5min": DAY, "hourly": WEEK}  # seasonal naive's lag and MASE's


def simulate(seed, horizon, data="5min"):
    """(training series, the next ``horizon`` values) of one draw."""
    rng = np.random.default_rng(seed)
    n = (DAY * 14 if data == "5min" else WEEK * 8) + horizon
    t = np.arange(n)
    noise = np.zeros(n)
    for i in range(1, n):
        noise[i] = 0.95 * noise[i - 1] + rng.normal(0, 1)
    if data == "5min":
        profile = 20 * np.sin(2 * np.pi * t / DAY) + 10 * np.exp(-((t % DAY) - 200) ** 2 / 300)
    else:  # days 5 and 6 of each week (the series starts on a Monday) 30% lower
        weekend = (t % WEEK) >= 5 * 24
        profile = 20 * np.sin(2 * np.pi * t / 24) - 30 * weekend
    freq = "5min" if data == "5min" else "h"
    y = pd.Series(100 + profile + noise, pd.date_range("2024-01-01", periods=n, freq=freq))
    return y.iloc[:-horizon], y.to_numpy()[-horizon:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--horizon", type=int, default=None,
                        help="default: a day of 5-minute steps (288) or a week of hours (168)")
    parser.add_argument("--data", choices=sorted(SEASON), default="5min")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    m = SEASON[args.data]
    h = args.horizon or m
    what = "day" if args.data == "5min" else "week"
    print(f"| seed | tsgate GRU MASE | fit + predict s | windows | seasonal naive ({what}) | "
          "last value |")
    print("|---|---|---|---|---|---|")
    for seed in [int(s) for s in args.seeds.split(",")]:
        train, test = simulate(seed, h, args.data)
        x = train.to_numpy()
        t0 = time.perf_counter()
        model = tsgate.GRUForecaster(horizon=h, random_state=seed).fit(train)
        fc = model.predict().to_numpy()
        seconds = time.perf_counter() - t0
        snaive = np.tile(x[-m:], h // m + 1)[:h]
        last = np.full(h, x[-1])
        tg, sn, lv = (mase(test, f, x, m) for f in (fc, snaive, last))
        print(f"| {seed} | {tg:.3f} | {seconds:.1f} | {model.windows_} | {sn:.3f} | {lv:.3f} |",
              flush=True)


if __name__ == "__main__":
    main()
