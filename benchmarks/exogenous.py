"""Forecasts with exogenous features: tsgate with and without them, against
statsforecast's AutoARIMA with and without them (regression with ARIMA
errors), in the same run.

Cases (future feature values known, as ``predict(X=...)`` takes them):

- simulated monthly series of 72 training points, horizon 12, one draw per
  seed: a promotion dummy (25% of months) on a seasonal series, on a
  wandering flat one, and multiplicative on a growing seasonal one; a
  price that wanders; a feature of pure noise; twelve month dummies; a
  time index as feature; and a collection of 20 series with their own
  promotion effects (5 to 20), one global model;
- the bundled ``macrodata`` (quarterly US, 1959-2009): ``realcons`` with
  ``realdpi`` (disposable income) as feature, and with all six
  regressors, horizon 8, four rolling origins (the last 8, 16, 24, 32
  quarters held out).

Scores: mean MASE (seasonal lag 12, or 4 for macrodata) over series, seeds
and origins, and for tsgate with features the pooled coverage of its 80%
band. Run: ``python benchmarks/exogenous.py [--seeds 0,1,2] [--cases ...]``.
"""
import argparse
import time
import warnings

import numpy as np
import pandas as pd

import tsgate
from tsgate.datasets import load_macrodata

H_MONTHLY, N_MONTHLY = 12, 72
SIMULATED = ("promo_seasonal", "promo_flat", "promo_multiplicative", "price", "noise_feature",
             "month_dummies", "time_feature", "collection")


def simulate(case, seed):
    """(list of y (n + h,), list of X (n + h, m) DataFrames, index) for a case."""
    rng = np.random.default_rng(seed)
    N = N_MONTHLY + H_MONTHLY
    idx = pd.date_range("2015-01", periods=N, freq="MS")
    t = np.arange(N)
    season = 10 * np.sin(2 * np.pi * t / 12)
    noise = rng.normal(0, 1, N)
    promo = (rng.random(N) < 0.25).astype(float)
    if case == "collection":
        ys, Xs = [], []
        for _ in range(20):
            p = (rng.random(N) < 0.25).astype(float)
            level, amp, effect = rng.uniform(50, 500), rng.uniform(0, 0.15), rng.uniform(5, 20)
            y = level * (1 + amp * np.sin(2 * np.pi * (t + rng.integers(12)) / 12)) \
                + effect * p + rng.normal(0, 1 + level / 200, N)
            ys.append(y)
            Xs.append(pd.DataFrame({"promo": p}, index=idx))
        return ys, Xs, idx
    cols = {}
    if case == "promo_seasonal":
        y = 100 + season + 0.2 * t + 15 * promo + noise
        cols["promo"] = promo
    elif case == "promo_flat":
        y = 50 + np.cumsum(rng.normal(0, 0.3, N)) + 15 * promo + noise
        cols["promo"] = promo
    elif case == "promo_multiplicative":
        y = (100 + 0.5 * t) * (1 + 0.1 * np.sin(2 * np.pi * t / 12)) * (1 + 0.3 * promo) \
            * np.exp(rng.normal(0, 0.01, N))
        cols["promo"] = promo
    elif case == "price":
        price = 10 + np.cumsum(rng.normal(0, 0.5, N))
        y = 200 + season - 4 * price + noise
        cols["price"] = price
    elif case == "noise_feature":
        y = 100 + season + 0.2 * t + 2 * noise
        cols["noise"] = rng.normal(0, 1, N)
    elif case == "month_dummies":
        y = 100 + season + 0.2 * t + noise
        for k in range(12):
            cols[f"m{k + 1}"] = (idx.month == k + 1).astype(float)
    elif case == "time_feature":
        y = 100 + season + 0.5 * t + noise
        cols["t"] = t.astype(float)
    else:
        raise ValueError(case)
    return [y], [pd.DataFrame(cols, index=idx)], idx


def mase(x, y, fc, m):
    lag = m if len(x) > m else 1
    return float(np.mean(np.abs(y - fc)) / np.mean(np.abs(x[lag:] - x[:-lag])))


def tsgate_forecasts(train, X_train, X_future, h, seed, with_x):
    """Point forecasts (k, h) and the 80% band (k, h, 2) of one GRU
    forecaster with default settings: ``train`` a Series (k = 1) or a long
    frame ``unique_id, ds, y`` (one global model)."""
    model = tsgate.GRUForecaster(horizon=h, random_state=seed)
    model.fit(train, X_train if with_x else None)
    kw = dict(X=X_future) if with_x else {}
    fc = model.predict(**kw)
    band = model.predict_interval(0.8, **kw)
    if isinstance(train, pd.Series):
        return fc.to_numpy()[None], band[["lower", "upper"]].to_numpy()[None]
    ids = train["unique_id"].unique()
    f = np.stack([fc.loc[fc["unique_id"] == i].iloc[:, -1].to_numpy() for i in ids])  # (k, h)
    b = np.stack([band.loc[band["unique_id"] == i, ["lower", "upper"]].to_numpy() for i in ids])
    return f, b  # (k, h), (k, h, 2)


def full_rank_columns(X):
    """Columns of X (n, m) kept greedily while [1, X[:, kept]] has full rank:
    AutoARIMA refuses collinear regressors (twelve month dummies and its
    intercept), so it gets eleven, as a user would give it."""
    kept = []
    for j in range(X.shape[1]):
        A = np.column_stack([np.ones(len(X)), X[:, kept + [j]]])
        if np.linalg.matrix_rank(A) == A.shape[1]:
            kept.append(j)
    return kept


def arima_forecast(x, X_train, X_future, h, m):
    from statsforecast.models import AutoARIMA
    kw = {}
    if X_train is not None:
        cols = full_rank_columns(X_train)
        kw = dict(X=X_train[:, cols], X_future=X_future[:, cols])
    with warnings.catch_warnings():  # statsforecast's own filters let its warnings through
        warnings.simplefilter("ignore")
        res = AutoARIMA(season_length=m).forecast(y=x, h=h, **kw)
    return np.asarray(res["mean"], dtype=float)


def run_case(train_ys, test_ys, X_trains, X_futures, index, h, m, seed, rows):
    """Score every method on one draw / origin; appends (method, MASE, 80%
    coverage, seconds per series) rows. One series goes in as a Series,
    several as a long frame with per-series features (one global model)."""
    k = len(train_ys)
    if k == 1:
        train, Xt, Xf = pd.Series(train_ys[0], index=index), X_trains[0], X_futures[0]
    else:
        ids = [f"s{i}" for i in range(k)]
        train = pd.concat([pd.DataFrame({"unique_id": i, "ds": index, "y": y})
                           for i, y in zip(ids, train_ys)], ignore_index=True)
        Xt, Xf = ([pd.concat([x.rename_axis("ds").reset_index().assign(unique_id=i)
                              for i, x in zip(ids, xs)], ignore_index=True)
                   for xs in (X_trains, X_futures)])
    for with_x in (True, False):
        t0 = time.perf_counter()
        fc, band = tsgate_forecasts(train, Xt, Xf, h, seed, with_x)
        seconds = time.perf_counter() - t0
        for i in range(k):
            y = test_ys[i]
            inside = float(np.mean((band[i, :, 0] <= y) & (y <= band[i, :, 1])))
            rows.append((f"tsgate GRU{' + X' if with_x else ''}", mase(train_ys[i], y, fc[i], m),
                         inside, seconds / k))
    for with_x in (True, False):
        t0 = time.perf_counter()
        for i in range(k):
            fc = arima_forecast(train_ys[i], X_trains[i].to_numpy() if with_x else None,
                                X_futures[i].to_numpy() if with_x else None, h, m)
            rows.append((f"AutoARIMA{' + X' if with_x else ''}", mase(train_ys[i], test_ys[i], fc, m),
                         np.nan, (time.perf_counter() - t0) / k))


def simulated(case, seed, rows):
    ys, Xs, idx = simulate(case, seed)
    n = N_MONTHLY
    run_case([y[:n] for y in ys], [y[n:] for y in ys], [x.iloc[:n] for x in Xs],
             [x.iloc[n:] for x in Xs], idx[:n], H_MONTHLY, 12, seed, rows)


def macro(features, seed, rows, h=8, origins=(8, 16, 24, 32)):
    data = load_macrodata()
    for back in origins:
        end = len(data) - back
        y = data["realcons"].to_numpy()
        X = data[features]
        run_case([y[:end]], [y[end:end + h]], [X.iloc[:end]], [X.iloc[end:end + h]],
                 data.index[:end], h, 4, seed, rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--cases", default=",".join(SIMULATED + ("macro_realdpi", "macro_all")))
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    seeds = [int(s) for s in args.seeds.split(",")]
    table = {}
    for case in args.cases.split(","):
        rows = []
        for seed in seeds:
            if case == "macro_realdpi":
                macro(["realdpi"], seed, rows)
            elif case == "macro_all":
                macro(["realdpi", "realinv", "realgovt", "cpi", "tbilrate", "unemp"], seed, rows)
            else:
                simulated(case, seed, rows)
        frame = pd.DataFrame(rows, columns=["method", "mase", "cover80", "seconds"])
        table[case] = frame.groupby("method").agg(mase=("mase", "mean"), cover80=("cover80", "mean"),
                                                  seconds=("seconds", "mean"))
        print(f"\n{case} ({len(seeds)} seeds)\n{table[case].round(3).to_string()}", flush=True)
    methods = ["tsgate GRU + X", "tsgate GRU", "AutoARIMA + X", "AutoARIMA"]
    print("\n| case | " + " | ".join(methods) + " | tsgate + X 80% coverage |")
    print("|---" * (len(methods) + 2) + "|")
    for case, t in table.items():
        cells = [f"{t.loc[mth, 'mase']:.3f}" for mth in methods]
        print(f"| {case} | " + " | ".join(cells) + f" | {t.loc['tsgate GRU + X', 'cover80']:.2f} |")


if __name__ == "__main__":
    main()
