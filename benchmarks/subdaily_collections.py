"""An hourly collection whose series differ in length: one global default
forecaster for all, against seasonal naive a day and a week back, in the
same run.

Each draw is twelve hourly series ending at the same hour: eleven of
``--weeks`` weeks and one of ``--short`` days, each a daily cycle
(amplitude 20 around a level of 100 + 30 i), weekends 20 lower, noise 3.
The forecast is the next day (24 hours) from each of the last ``--origins``
days, so that every day of the week is forecast. Reported: mean MASE (lag
one day) of the long series and of the short one, and the long series' 80%
band coverage; tsgate's ``season_length_`` (the week, 168, or the day, 24)
on each origin.

Session 56: one series too short for the week (three weeks) made
``tsgate.seasons.period`` keep the day for every series. Run it on two
trees to compare: ``PYTHONPATH=<tree> python benchmarks/subdaily_collections.py``.
"""
import argparse
import time
import warnings

import numpy as np
import pandas as pd

import tsgate

H = 24  # one day of hours


def draw(seed, weeks, short_days):
    """The collection (a Series on an (id, time) MultiIndex) of one draw."""
    rng = np.random.default_rng(seed)
    end = pd.Timestamp("2024-06-30 23:00")
    parts = {}
    for i in range(12):
        n = 24 * (short_days if i == 0 else 7 * weeks)
        idx = pd.date_range(end=end, periods=n, freq="h")
        t = np.arange(n)
        y = (100 + 30 * i + 20 * np.sin(2 * np.pi * t / 24 + rng.uniform(0, 6))
             - 20 * (idx.dayofweek >= 5) + rng.normal(0, 3, n))
        parts[f"s{i:02d}"] = pd.Series(y, idx)
    return pd.concat(parts)


def mase(actual, forecast, history, lag=H):
    scale = np.mean(np.abs(history[lag:] - history[:-lag]))
    return float(np.mean(np.abs(actual - forecast)) / scale)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--short", default="10,20", help="comma-separated lengths in days")
    parser.add_argument("--origins", type=int, default=7)
    args = parser.parse_args()
    print(f"tsgate {tsgate.__version__} from {tsgate.__file__}")
    print("| short series days | seed | seasons chosen | long: tsgate / day back / week back "
          "| short: tsgate / day back | long cov 80% | s per fit |")
    print("|---|---|---|---|---|---|---|")
    for short in [int(s) for s in args.short.split(",")]:
        for seed in [int(s) for s in args.seeds.split(",")]:
            y = draw(seed, args.weeks, short)
            ids = y.index.get_level_values(0).unique()
            rows, chosen, seconds = [], [], []
            for k in range(args.origins, 0, -1):
                train = pd.concat({key: y.loc[key].iloc[:len(y.loc[key]) - k * H] for key in ids})
                test = pd.concat({key: y.loc[key].iloc[len(y.loc[key]) - k * H:][:H] for key in ids})
                t0 = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model = tsgate.GRUForecaster(horizon=H, random_state=seed).fit(train)
                    fc = model.predict()
                    band = model.predict_interval(coverage=0.8)
                seconds.append(time.perf_counter() - t0)
                chosen.append(model.season_length_)
                for key in ids:
                    x, a = train.loc[key].to_numpy(), test.loc[key].to_numpy()
                    f = fc.loc[key].to_numpy()[:H]
                    lo, hi = band.loc[key, "lower"].to_numpy()[:H], band.loc[key, "upper"].to_numpy()[:H]
                    week = x[-168:-144] if len(x) >= 168 else np.full(H, np.nan)
                    rows.append((key == ids[0], mase(a, f, x), mase(a, x[-H:], x),
                                 mase(a, week, x), np.mean((a >= lo) & (a <= hi))))
            r = np.array(rows, dtype=float)
            long_, short_ = r[r[:, 0] == 0], r[r[:, 0] == 1]
            print(f"| {short} | {seed} | {sorted(set(chosen))} | {long_[:, 1].mean():.3f} / "
                  f"{long_[:, 2].mean():.3f} / {long_[:, 3].mean():.3f} | {short_[:, 1].mean():.3f} / "
                  f"{short_[:, 2].mean():.3f} | {long_[:, 4].mean():.3f} | {np.mean(seconds):.1f} |",
                  flush=True)


if __name__ == "__main__":
    main()
