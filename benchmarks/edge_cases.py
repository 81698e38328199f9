"""Default forecasts on edge cases against seasonal naive and AutoETS.

Each case of ``benchmarks/_edge_cases.py`` (synthetic series, 3 draws each,
and the bundled datasets) holds out its last ``h`` points. tsgate's default
``GRUForecaster`` and ``LSTMForecaster`` (``horizon`` and ``random_state``
only) fit the rest; MASE (scale: the in-sample mean absolute difference at
lag m, lag 1 without a season), 80% / 95% coverage and the wall time of fit
+ predict + interval are compared with seasonal naive and statsforecast's
AutoETS (``season_length=m``; with m = 52 it fits no season) on the same
draw. ``tsgate/best`` is each run's MASE over the better of the two
baselines' on its draw, [min, max] over draws, seeds and both cells.

A sweep of the kinds of data a user meets, not a collection: it finds where
the defaults break (session 31: an intermittent series' band started above
0), not how accurate they are in general (``collections.py``).

With ``--origins K`` each draw is also forecast from the K - 1 origins a
horizon apart before its last: one origin of a real series is one draw
(session 45: the bundled series that lost at the last origin did not over
12).

Usage: python benchmarks/edge_cases.py [--cases a,b] [--seeds 0,1] [--origins K] [--out FILE.md]
Needs statsforecast (benchmark only).
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
from benchmarks._edge_cases import CASES


def _scale(train, m):
    v = train.to_numpy(dtype=float)  # (n,)
    lag = m if len(v) > m else 1
    return float(np.nanmean(np.abs(v[lag:] - v[:-lag])))


def _filled(train):
    return train.interpolate(limit_direction="both").to_numpy(dtype=float)  # (n,)


def _snaive(train, h, m):
    v = _filled(train)
    return np.repeat(v[-1], h) if m <= 1 or len(v) < m else np.resize(v[-m:], h)  # (h,)


def _ets(train, h, m):
    from statsforecast.models import AutoETS
    res = AutoETS(season_length=m).forecast(y=_filled(train), h=h, level=[80, 95])
    return res["mean"], (res["lo-80"], res["hi-80"]), (res["lo-95"], res["hi-95"])


def _mase(test, fc, scale):
    t = test.to_numpy(dtype=float)
    ok = ~np.isnan(t)
    return float(np.mean(np.abs(t[ok] - np.asarray(fc)[ok])) / scale)


def _cov(test, band):
    t = test.to_numpy(dtype=float)
    ok = ~np.isnan(t)
    lo, hi = (np.asarray(b) for b in band)
    return float(np.mean((t[ok] >= lo[ok]) & (t[ok] <= hi[ok])))


def _held_out(builder, draws, h, origins):
    """(draw id, train, test) per draw of a case and per origin: the last h
    points held out, and with ``origins`` > 1 also the h before those, and
    so on (origins h apart, each test the h points after its origin)."""
    for d in range(draws):
        y = builder(d)
        for k in range(origins):
            end = len(y) - k * h
            yield d * origins + k, y.iloc[:end - h], y.iloc[end - h:end]


def run_case(name, seeds, origins=1):
    """One record (dict) per (draw and origin, method, seed) of case ``name``."""
    builder, h, m, draws = CASES[name]
    rows = []
    for d, train, test in _held_out(builder, draws, h, origins):
        scale = _scale(train, m)
        base = {"case": name, "draw": d, "n": len(train) + h, "h": h, "m": m}
        rows.append(dict(base, method="snaive", mase=_mase(test, _snaive(train, h, m), scale)))
        fc, b80, b95 = _ets(train, h, m)
        rows.append(dict(base, method="autoets", mase=_mase(test, fc, scale),
                         cov80=_cov(test, b80), cov95=_cov(test, b95)))
        for cls in (tsgate.GRUForecaster, tsgate.LSTMForecaster):
            for seed in seeds:
                t0 = time.perf_counter()
                model = cls(horizon=h, random_state=seed).fit(train)
                fc = model.predict()
                band = model.predict_interval(coverage=[0.8, 0.95])
                rows.append(dict(base, method=cls.__name__, seed=seed, mase=_mase(test, fc, scale),
                                 cov80=_cov(test, (band["lower_80"], band["upper_80"])),
                                 cov95=_cov(test, (band["lower_95"], band["upper_95"])),
                                 seconds=time.perf_counter() - t0))
        print(f"{name} draw {d}: " + ", ".join(
            f"{r['method'][:4]} {r['mase']:.3f}" for r in rows if r["draw"] == d
            and r["case"] == name), flush=True)
    return rows


def table(rows):
    """The markdown table: a row per case."""
    df = pd.DataFrame(rows)
    header = ("| case | n / h / m | GRU | LSTM | seasonal naive | AutoETS | tsgate/best [min, max] "
              "| tsgate cov 80 / 95 | AutoETS cov 80 / 95 | tsgate s |")
    lines = [header, "|" + "---|" * 10]
    for case, d in df.groupby("case", sort=False):
        best = np.minimum(d[d.method == "snaive"].set_index("draw").mase,
                          d[d.method == "autoets"].set_index("draw").mase)  # (draws,)
        ts = d[d.method.isin(["GRUForecaster", "LSTMForecaster"])]
        ratio = ts.mase.to_numpy() / best.reindex(ts.draw).to_numpy()
        e = d[d.method == "autoets"]
        mean = d.groupby("method").mase.mean()
        lines.append(
            f"| {case} | {d.n.iloc[0]} / {d.h.iloc[0]} / {d.m.iloc[0]} | {mean['GRUForecaster']:.3f} "
            f"| {mean['LSTMForecaster']:.3f} | {mean['snaive']:.3f} | {mean['autoets']:.3f} "
            f"| {ratio.min():.2f}, {ratio.max():.2f} | {ts.cov80.mean():.2f} / {ts.cov95.mean():.2f} "
            f"| {e.cov80.mean():.2f} / {e.cov95.mean():.2f} | {ts.seconds.mean():.1f} |")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", default=",".join(CASES), help=f"comma-separated; of {list(CASES)}")
    p.add_argument("--seeds", default="0,1")
    p.add_argument("--origins", type=int, default=1,
                   help="forecast origins per draw, a horizon apart (1: the last horizon only); "
                        "the table's columns are then means over draws and origins")
    p.add_argument("--out", default=None, help="also write the table to this markdown file")
    args = p.parse_args(argv)
    names = [c for c in args.cases.split(",") if c]
    unknown = sorted(set(names) - set(CASES))
    if unknown:
        p.error(f"unknown cases {unknown}")
    seeds = [int(s) for s in args.seeds.split(",") if s]
    warnings.simplefilter("ignore")
    rows = [r for name in names for r in run_case(name, seeds, args.origins)]
    text = table(rows)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
