"""Forecast accuracy of tsgate's default LSTM/GRU forecasters on the bundled real series.

For every bundled series long enough (univariate datasets, and the target
column(s) of the multi-column ones), with the horizon set by the frequency
(monthly 12, quarterly 8, yearly 6, weekly 13, daily 14, hourly 24), each
model is fitted on ``y[:o]`` and forecasts ``y[o:o + horizon]`` at three
rolling origins ``o = n - 3h, n - 2h, n - h`` (stride = horizon, refit at
every origin). The last origin is the classic last-horizon holdout.

Models:

- ``lstm``, ``gru``: ``LSTMForecaster(horizon=h)`` / ``GRUForecaster(horizon=h)``,
  default settings, ``random_state`` = the seed;
- ``gru_grid``: ``GridSearchCV(GRUForecaster(horizon=h), ...)`` over a small
  grid of ``hidden_size`` x ``window`` with ``TimeSeriesSplit(n_splits=2,
  test_size=h)`` (scored by the forecaster's own ``score``, -MAE), refit on
  all the training data;
- ``snaive``: seasonal naive (the last season repeated; the last value for
  yearly data);
- ``ets``: statsmodels ``ExponentialSmoothing`` with a damped additive trend
  and additive or (for positive series) multiplicative seasonality of the
  frequency's period, picked by AIC; non-seasonal when the series is too
  short for the period or the data is yearly. Skipped (with a note) when
  statsmodels is not installed (``pip install statsmodels`` or the ``bench``
  extra).

Metrics: MASE (``tsgate.metrics.mase``, scaled by the in-sample seasonal-naive
error of the training part at that origin) and sMAPE. A model's score on a
series is the mean over origins (and seeds). The summary is the geometric
mean over series of MASE(model) / MASE(snaive) and MASE(model) / MASE(ets),
for the last-horizon holdout and for the rolling origins.

Usage::

    python benchmarks/accuracy.py                  # full run, writes accuracy_results.md
    python benchmarks/accuracy.py --quick          # one series per frequency, one origin
    python benchmarks/accuracy.py --seeds 0,1,2    # average tsgate models over seeds
    python benchmarks/accuracy.py --models lstm,gru,snaive,ets --series airline,nile

Everything is seeded; two runs print the same numbers.
"""
import argparse
import datetime
import math
import os
import platform
import re
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import tsgate
from tsgate import datasets
from tsgate._series import season_length
from tsgate.metrics import mase, smape

HORIZON = {"MS": 12, "QS-JAN": 8, "YS-JAN": 6, "W-SAT": 13, "D": 14, "h": 24}
FREQ_NAME = {"MS": "monthly", "QS-JAN": "quarterly", "YS-JAN": "yearly", "W-SAT": "weekly",
             "D": "daily", "h": "hourly"}
N_ORIGINS = 3
MODELS = ("lstm", "gru", "gru_grid", "snaive", "ets")
RESULTS = Path(__file__).with_name("accuracy_results.md")
START, END = "<!-- accuracy:start -->", "<!-- accuracy:end -->"


@dataclass
class Task:
    name: str       # dataset or dataset/column
    y: pd.Series
    horizon: int
    season: int
    freq: str


# (dataset, column or None); the columns of multi-column sets were chosen up front
# (the target of macrodata, the headline and one volatile sector of us_employment,
# the max temperature of seattle_weather, the largest source of iowa_electricity).
SERIES = [
    ("airline", None), ("elnino", None), ("us_employment", "nonfarm"),
    ("us_employment", "manufacturing"), ("woolyrnq", None), ("macrodata", "realcons"),
    ("co2", None), ("seattle_weather", "temp_max"), ("seattle_temps", None),
    ("sunspots", None), ("nile", None), ("iowa_electricity", "fossil_fuels"),
]
QUICK = ["airline", "woolyrnq", "nile", "co2", "seattle_weather/temp_max", "seattle_temps"]


def tasks(names=None, quick=False):
    """The benchmark series; returns (tasks, skipped notes)."""
    out, skipped = [], []
    for ds, col in SERIES:
        name = ds if col is None else f"{ds}/{col}"
        if quick and name not in QUICK:
            continue
        if names and name not in names and ds not in names:
            continue
        data = datasets.load_dataset(ds)
        y = data if isinstance(data, pd.Series) else data[col]
        y = y.rename(name)
        freq = y.index.freqstr
        h, m = HORIZON[freq], season_length(y.index)
        first_train = len(y) - N_ORIGINS * h
        need = max(4 * h, 2 * m + h, 30)
        if first_train < need:
            skipped.append(f"{name} ({FREQ_NAME[freq]}, {len(y)} points): the first rolling "
                           f"origin would leave {first_train} training points (< {need}).")
            continue
        out.append(Task(name, y, h, m, freq))
    return out, skipped


# ------------------------------------------------------------------ models
def snaive_forecast(train, h, m):
    """The last season repeated (the last value when m == 1)."""
    return np.resize(train.to_numpy()[-m:], h)


def ets_forecast(train, h, m):
    """Damped additive trend; additive or multiplicative seasonality by AIC."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    y = train.to_numpy(dtype=float)
    seasonals = [None]
    if m > 1 and len(y) >= 2 * m + 10:
        seasonals = ["add", "mul"] if y.min() > 0 else ["add"]
    best = None
    for seasonal in seasonals:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = ExponentialSmoothing(
                    y, trend="add", damped_trend=True, seasonal=seasonal,
                    seasonal_periods=m if seasonal else None,
                    initialization_method="estimated").fit()
                fc = np.asarray(res.forecast(h), dtype=float)
        except (ValueError, np.linalg.LinAlgError):
            continue
        if np.isfinite(fc).all() and (best is None or res.aic < best[0]):
            best = (res.aic, fc)
    if best is None:  # nothing seasonal fitted: the non-seasonal damped trend
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = ExponentialSmoothing(y, trend="add", damped_trend=True,
                                       initialization_method="estimated").fit()
        return np.asarray(res.forecast(h), dtype=float)
    return best[1]


def grid_windows(n, m, h):
    """Two window candidates: the default ensemble's first two lookbacks
    (2 and 1.25 times the longer of a season and the horizon)."""
    from tsgate.encoding import window_lengths
    return sorted(set(window_lengths(m, h, 2)))


def grid_forecast(train, h, m, seed, params=None):
    from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

    base = tsgate.GRUForecaster(horizon=h, random_state=seed, **(params or {}))
    hid = base.hidden_size
    grid = {"hidden_size": sorted({max(4, hid // 2), hid}),
            "window": grid_windows(len(train), m, h)}
    gs = GridSearchCV(base, grid, cv=TimeSeriesSplit(n_splits=2, test_size=h),
                      error_score="raise")
    gs.fit(train)
    return gs.best_estimator_.predict().to_numpy(), gs.best_params_


def tsgate_forecast(cls, train, h, seed, params=None):
    model = cls(horizon=h, random_state=seed, **(params or {})).fit(train)
    return model.predict().to_numpy()


def forecast(model, train, h, m, seed, params=None):
    """(forecast values, note) for one model at one origin."""
    if model == "snaive":
        return snaive_forecast(train, h, m), ""
    if model == "ets":
        return ets_forecast(train, h, m), ""
    if model == "lstm":
        return tsgate_forecast(tsgate.LSTMForecaster, train, h, seed, params), ""
    if model == "gru":
        return tsgate_forecast(tsgate.GRUForecaster, train, h, seed, params), ""
    if model == "gru_grid":
        fc, best = grid_forecast(train, h, m, seed, params)
        return fc, f"hidden_size={best['hidden_size']}, window={best['window']}"
    raise ValueError(model)


SEEDED = ("lstm", "gru", "gru_grid")


def evaluate(task, models, seeds, n_origins=N_ORIGINS, params=None, log=print):
    """Scores of every model on one task.

    Returns a DataFrame with one row per (model, seed, origin): mase, smape,
    seconds, note; origin 0 is the last-horizon holdout.
    """
    y, h, m = task.y, task.horizon, task.season
    rows = []
    for back in range(n_origins):  # back = 0: the last origin (holdout)
        o = len(y) - (back + 1) * h
        train, test = y.iloc[:o], y.iloc[o:o + h]
        for model in models:
            for seed in (seeds if model in SEEDED else [0]):
                t0 = time.perf_counter()
                fc, note = forecast(model, train, h, m, seed, params)
                dt = time.perf_counter() - t0
                rows.append({
                    "series": task.name, "model": model, "seed": seed, "origin": back,
                    "mase": mase(test.to_numpy(), fc, train.to_numpy(), season_length=m),
                    "smape": smape(test.to_numpy(), fc), "seconds": dt, "note": note})
        if log:
            done = pd.DataFrame([r for r in rows if r["origin"] == back])
            summary = ", ".join(f"{k} {v:.3f}" for k, v in done.groupby("model")["mase"].mean().items())
            log(f"  {task.name} origin -{back}: {summary}", flush=True)
    return pd.DataFrame(rows)


# ----------------------------------------------------------------- summary
def per_series(scores, protocol):
    """Mean MASE/sMAPE per (series, model) for 'holdout' (origin 0) or 'rolling'."""
    s = scores if protocol == "rolling" else scores[scores.origin == 0]
    return s.groupby(["series", "model"], sort=False)[["mase", "smape"]].mean()


def geo_ratio(table, model, ref):
    """Geometric mean over series of MASE(model) / MASE(ref)."""
    mase_ = table["mase"].unstack("model")
    if model not in mase_ or ref not in mase_:
        return math.nan
    r = (mase_[model] / mase_[ref]).dropna()
    return float(np.exp(np.mean(np.log(r)))) if len(r) else math.nan


def markdown(scores, tasks_, models, seeds, skipped, notes, runtime, fit_times):
    lines = []
    add = lines.append
    present = [m for m in models if m in set(scores.model)]
    tables = {p: per_series(scores, p) for p in ("holdout", "rolling")}
    add("### Summary: geometric mean over series of MASE ratios")
    add("")
    add("| model | vs snaive (holdout) | vs snaive (rolling) | vs ets (holdout) | vs ets (rolling) |")
    add("|---|---|---|---|---|")
    for m in present:
        vals = [geo_ratio(tables[p], m, ref) for ref in ("snaive", "ets") for p in ("holdout", "rolling")]
        add(f"| {m} | " + " | ".join("-" if math.isnan(v) else f"{v:.3f}" for v in vals) + " |")
    add("")
    add(f"Holdout = the last horizon; rolling = mean over {N_ORIGINS if scores.origin.max() > 0 else 1} "
        f"origins (stride = horizon, refit at each). tsgate rows: mean over seeds {seeds}.")
    if len(seeds) > 1:
        add("")
        add("Per seed (geometric mean vs snaive, rolling):")
        add("")
        for m in [x for x in present if x in SEEDED]:
            per = []
            for s in seeds:
                t = per_series(scores[(scores.model.isin([m, "snaive"])) &
                                      ((scores.seed == s) | (scores.model == "snaive"))], "rolling")
                per.append(geo_ratio(t, m, "snaive"))
            add(f"- {m}: " + ", ".join(f"seed {s}: {v:.3f}" for s, v in zip(seeds, per)))
    add("")
    for p in ("holdout", "rolling"):
        add(f"### MASE per series ({p})")
        add("")
        add("| series | freq | n | h | m | " + " | ".join(present) + " |")
        add("|---|---|---|---|---|" + "---|" * len(present))
        mase_ = tables[p]["mase"].unstack("model")
        for t in tasks_:
            if t.name not in mase_.index:
                continue
            row = mase_.loc[t.name]
            best = row[present].min()
            cells = [(f"**{row[m]:.3f}**" if row[m] == best else f"{row[m]:.3f}") if m in row else "-"
                     for m in present]
            add(f"| {t.name} | {FREQ_NAME[t.freq]} | {len(t.y)} | {t.horizon} | {t.season} | "
                + " | ".join(cells) + " |")
        add("")
    add("### Per series: MASE / sMAPE (%) for the holdout and the rolling origins")
    add("")
    for t in tasks_:
        if t.name not in tables["holdout"].index.get_level_values(0):
            continue
        add(f"**{t.name}** ({FREQ_NAME[t.freq]}, n={len(t.y)}, horizon {t.horizon}, season {t.season})")
        add("")
        add("| model | MASE holdout | sMAPE holdout | MASE rolling | sMAPE rolling | seconds/fit |")
        add("|---|---|---|---|---|---|")
        for m in present:
            try:
                a, b = tables["holdout"].loc[(t.name, m)], tables["rolling"].loc[(t.name, m)]
            except KeyError:
                continue
            sec = scores[(scores.series == t.name) & (scores.model == m)]["seconds"].mean()
            add(f"| {m} | {a.mase:.3f} | {a.smape:.2f} | {b.mase:.3f} | {b.smape:.2f} | {sec:.2f} |")
        grid_notes = scores[(scores.series == t.name) & (scores.model == "gru_grid")]["note"]
        if len(grid_notes):
            add("")
            add("gru_grid picked: " + "; ".join(f"origin -{o}: {n}" for o, n in zip(
                scores[(scores.series == t.name) & (scores.model == "gru_grid")]["origin"], grid_notes)))
        add("")
    if skipped or notes:
        add("### Notes")
        add("")
        for s in skipped:
            add(f"- skipped {s}")
        for n in notes:
            add(f"- {n}")
        add("")
    add("### Run")
    add("")
    add(f"- date: {datetime.date.today().isoformat()}; tsgate {tsgate.__version__}, "
        f"numpy {np.__version__}, pandas {pd.__version__}")
    add(f"- machine: {platform.machine()} {platform.processor() or ''} with {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}")
    add(f"- runtime: {runtime / 60:.1f} min (including Numba compilation)")
    for k, v in fit_times.items():
        add(f"- default fit of airline (144 monthly points, horizon 12), {k}: {v:.1f} s "
            "(after compilation)")
    add(f"- command: `python benchmarks/accuracy.py {' '.join(sys.argv[1:])}`".replace("  ", " "))
    return "\n".join(lines)


def write_results(text, path=RESULTS):
    """Replace the generated block of ``path`` (between markers), keep the rest."""
    block = f"{START}\n{text}\n{END}"
    if path.exists():
        old = path.read_text()
        if START in old and END in old:
            new = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, old, flags=re.S)
            path.write_text(new)
            return
    path.write_text(f"# Forecast accuracy of tsgate's defaults\n\n{block}\n")


def airline_fit_times(seed=0):
    y = datasets.load_airline()
    out = {}
    for name, cls in (("LSTM", tsgate.LSTMForecaster), ("GRU", tsgate.GRUForecaster)):
        cls(horizon=12, random_state=seed, max_iter=1).fit(y)  # compile
        t0 = time.perf_counter()
        cls(horizon=12, random_state=seed).fit(y)
        out[name] = time.perf_counter() - t0
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="one series per frequency, the last-horizon holdout only, no grid search")
    p.add_argument("--seeds", default="0", help="comma-separated seeds of the tsgate models")
    p.add_argument("--models", default=None, help=f"comma-separated subset of {','.join(MODELS)}")
    p.add_argument("--series", default=None, help="comma-separated dataset or dataset/column names")
    p.add_argument("--origins", type=int, default=None, help=f"rolling origins (default {N_ORIGINS})")
    p.add_argument("--output", default=None,
                   help="markdown file to write (default: accuracy_results.md for full runs, "
                        "none for --quick/--series/--models runs); '-' to skip")
    args = p.parse_args(argv)
    t_start = time.perf_counter()
    seeds = [int(s) for s in args.seeds.split(",")]
    models = args.models.split(",") if args.models else \
        [m for m in MODELS if not (args.quick and m == "gru_grid")]
    unknown = set(models) - set(MODELS)
    if unknown:
        p.error(f"unknown models {sorted(unknown)}")
    notes = []
    if "ets" in models:
        try:
            import statsmodels  # noqa: F401
        except ImportError:
            models.remove("ets")
            notes.append("statsmodels is not installed: the ets column (and the ratios against "
                         "it) were skipped; pip install statsmodels")
    n_origins = args.origins or (1 if args.quick else N_ORIGINS)
    tasks_, skipped = tasks(args.series.split(",") if args.series else None, args.quick)
    parts = []
    for t in tasks_:
        print(f"{t.name}: {FREQ_NAME[t.freq]}, n={len(t.y)}, horizon {t.horizon}, "
              f"season {t.season}", flush=True)
        t0 = time.perf_counter()
        parts.append(evaluate(t, models, seeds, n_origins))
        print(f"  {time.perf_counter() - t0:.0f} s", flush=True)
    scores = pd.concat(parts, ignore_index=True)
    fit_times = airline_fit_times() if {"lstm", "gru"} & set(models) else {}
    text = markdown(scores, tasks_, models, seeds, skipped, notes,
                    time.perf_counter() - t_start, fit_times)
    print()
    print(text)
    default_out = not (args.quick or args.series or args.models or args.origins)
    out = args.output or (str(RESULTS) if default_out else "-")
    if out != "-":
        write_results(text, Path(out))
        print(f"\nwritten to {out}")
    return scores


if __name__ == "__main__":
    main()
