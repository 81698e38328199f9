"""Interval coverage of one default forecaster per series, on simulated processes.

Each draw simulates a series of a known process, fits
``GRUForecaster(horizon=h, random_state=1000 + draw)`` (only the horizon
set) to its first part and statsforecast's ``AutoETS(season_length=m)`` (a
benchmark-only package) to the same values, and scores the 50/80/95%
bands on the next ``h`` values. The draw is the unit of the standard
errors (a draw's steps share its path): coverage is the mean over draws of
each draw's share of covered steps, its standard error their standard
deviation over the square root of the number of draws.

Processes (e ~ N(0, 1)): ``rw`` 100 + cumsum(3e); ``rwd`` the same with a
drift of 1.5 per step, ``rwd05`` of 0.5; ``ar09`` 100 + 3x, x an AR(1) with
phi 0.9; ``seas`` 100 + 15 sin(2 pi t / 12 + phase) + 3e; ``tseas`` the same
on a trend of 0.5 per step; ``rwseas`` 100 + cumsum(e) + 15 sin(2 pi t / 12 +
phase) + e', a wandering level under a season; ``rwpat`` the same under a
season of m random values (standardized, times 8) instead of the sine. Frequencies: ``M`` (monthly, 120 training
values, h=12, m=12) and ``Y`` (yearly, 30 values, h=6, m=1); short
seasonal histories ``M24`` and ``M36`` (monthly, 24 or 36 values, h=6),
``M25h18`` and ``M30h12`` (25 months at h=18, 30 at h=12: every
validation cut too short for the season)
and ``W104`` (weekly, two years, h=13, m=52). A draw's data seed is
``crc32("s37<process><freq><draw>")``.

Usage::

    python benchmarks/simulated_coverage.py --cells rwd:M:120,rw:Y:120 --out cov.csv
    python benchmarks/simulated_coverage.py --table cov.csv     # the table of a saved run

A default fit takes about 5-8 s on two cores: 120 draws of one cell take
10-15 minutes. A run appends to ``--out`` and skips the draws it holds.
"""
import argparse
import os
import sys
import time
import warnings
import zlib

import numpy as np
import pandas as pd

COVERAGES = (0.5, 0.8, 0.95)
# season length, horizon, training values
SHAPES = {"M": (12, 12, 120), "Y": (1, 6, 30), "M24": (12, 6, 24), "M36": (12, 6, 36),
          "M25h18": (12, 18, 25), "M30h12": (12, 12, 30), "W104": (52, 13, 104)}
STARTS = {"M": ("1990-01", "M"), "Y": ("1900", "Y"), "W": ("1990-01-07", "W-SUN")}  # by freq[0]


def simulate(process, n, m, rng):
    """One path (n,) of ``process`` with season length ``m``."""
    t, e = np.arange(n), rng.normal(size=n)
    if process == "ar09":
        x = np.empty(n)
        x[0] = e[0] / np.sqrt(1 - 0.81)
        for i in range(1, n):
            x[i] = 0.9 * x[i - 1] + e[i]
        return 100 + 3 * x
    drifts = {"rw": 0.0, "rwd": 1.5, "rwd05": 0.5}
    if process in drifts:
        return 100 + np.cumsum(drifts[process] + 3 * e)
    if process in ("seas", "tseas"):
        wave = 15 * np.sin(2 * np.pi * t / m + rng.uniform(0, 2 * np.pi))
        return 100 + (0.5 * t if process == "tseas" else 0) + wave + 3 * e
    if process == "rwseas":
        wave = 15 * np.sin(2 * np.pi * t / m + rng.uniform(0, 2 * np.pi))
        return 100 + np.cumsum(e) + wave + rng.normal(size=n)
    if process == "rwpat":
        pattern = rng.normal(size=m)
        pattern = (pattern - pattern.mean()) / pattern.std()
        return 100 + np.cumsum(e) + 8 * pattern[t % m] + rng.normal(size=n)
    raise ValueError(f"unknown process {process!r}")


def draw(process, freq, i):
    """Scores of draw ``i``: a list of one dict per step and method."""
    from statsforecast.models import AutoETS

    from tsgate import GRUForecaster

    m, h, n = SHAPES[freq]
    rng = np.random.default_rng(zlib.crc32(f"s37{process}{freq}{i}".encode()))
    values = simulate(process, n + h, m, rng)  # (n + h,)
    start, alias = STARTS[freq[0]]
    index = pd.period_range(start, periods=n + h, freq=alias)
    train, test = pd.Series(values[:n], index=index[:n]), values[n:]
    started = time.perf_counter()
    model = GRUForecaster(horizon=h, random_state=1000 + i).fit(train)
    bands = model.predict_interval(coverage=list(COVERAGES))
    seconds = time.perf_counter() - started
    ets = AutoETS(season_length=m).fit(train.to_numpy()).predict(
        h, level=[int(100 * c) for c in COVERAGES])
    rows = []
    for j in range(h):
        for method in ("tsgate", "ets"):
            row = {"process": process, "freq": freq, "draw": i, "step": j + 1, "method": method,
                   "y": test[j], "seconds": seconds if method == "tsgate" else np.nan}
            for c in COVERAGES:
                p = int(100 * c)
                lo, hi = ((bands[f"lower_{p}"].iloc[j], bands[f"upper_{p}"].iloc[j])
                          if method == "tsgate" else (ets[f"lo-{p}"][j], ets[f"hi-{p}"][j]))
                row[f"covered{p}"] = float(lo <= test[j] <= hi)
                row[f"width{p}"] = hi - lo
            rows.append(row)
    return rows


def table(scores):
    """Per cell: coverage (standard error over draws) of both methods, and
    the mean width ratio tsgate / AutoETS."""
    out = []
    for (process, freq), cell in scores.groupby(["process", "freq"], sort=False):
        row = {"cell": f"{process}/{freq}", "draws": cell["draw"].nunique()}
        for c in COVERAGES:
            p = int(100 * c)
            for method in ("tsgate", "ets"):
                per_draw = cell[cell.method == method].groupby("draw")[f"covered{p}"].mean()
                se = per_draw.std(ddof=1) / np.sqrt(len(per_draw)) if len(per_draw) > 1 else np.nan
                row[f"{method} {p}%"] = f"{per_draw.mean():.3f} ({se:.3f})"
        widths = cell.pivot_table(index=["draw", "step"], columns="method", values="width80")
        row["width 80% tsgate/ETS"] = f"{(widths.tsgate / widths.ets).mean():.2f}"
        out.append(row)
    return pd.DataFrame(out)


def markdown(frame):
    """``frame`` as a Markdown table (pandas' to_markdown needs tabulate)."""
    lines = ["| " + " | ".join(map(str, frame.columns)) + " |",
             "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cells", default="rwd:M:40,rw:Y:40",
                   help="process:freq:draws, comma-separated (processes: rw, rwd, rwd05, ar09, "
                        "seas, tseas, rwseas, rwpat; freq M, Y, M24, M36, M25h18, M30h12 or W104)")
    p.add_argument("--out", default=None, help="CSV the scores are appended to")
    p.add_argument("--table", default=None, help="print the table of a saved CSV and stop")
    args = p.parse_args(argv)
    if args.table:
        print(markdown(table(pd.read_csv(args.table))))
        return 0
    saved = pd.read_csv(args.out) if args.out and os.path.exists(args.out) else None
    rows = [] if saved is None else saved.to_dict("records")
    done = set() if saved is None else set(zip(saved.process, saved.freq, saved.draw))
    warnings.filterwarnings("ignore")
    for spec in args.cells.split(","):
        process, freq, draws = spec.split(":")
        for i in range(int(draws)):
            if (process, freq, i) in done:
                continue
            new = draw(process, freq, i)
            rows += new
            print(f"{process}/{freq} draw {i}: {new[0]['seconds']:.1f} s", file=sys.stderr,
                  flush=True)
            if args.out:
                pd.DataFrame(rows).to_csv(args.out, index=False)
    print(markdown(table(pd.DataFrame(rows))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
