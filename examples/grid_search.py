"""Hyper-parameter search with scikit-learn's own tools.

    python examples/grid_search.py [--out DIR]

Two levels:

1. a ``Pipeline`` (sliding windows -> StandardScaler -> LSTMRegressor) tuned
   by ``GridSearchCV``, the window length being one of the parameters;
2. ``GridSearchCV`` directly over a ``GRUForecaster`` with
   ``TimeSeriesSplit``: each candidate is fitted on the past and scored on the
   forecast of the following months.

The cross-validation results are written as CSV files under --out (default: a
new temporary folder). TSGATE_EXAMPLE_BUDGET=small trains for a few epochs only (used by the tests).
"""
import argparse
import os
import tempfile
import time

import numpy as np
import pandas as pd
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import tsgate
from tsgate.datasets import load_airline

SMALL = os.environ.get("TSGATE_EXAMPLE_BUDGET") == "small"
MAX_ITER = 3 if SMALL else 40


def search_pipeline(y, out):
    """One-step-ahead regression on windows of monthly log changes."""
    change = np.diff(np.log(y.to_numpy()))  # (143,) roughly stationary, unlike the levels
    X = change[:-1, None]  # (142, 1): the change of month t ...
    target = change[1:]  # (142,) ... predicts the change of month t + 1
    pipe = Pipeline([
        # (n, window) windows ending at each row, flattened so StandardScaler can follow;
        # LSTMRegressor reads a 2-D X as (n_samples, window) with one feature per step
        ("windows", tsgate.SlidingWindowTransformer(window=12, flatten=True)),
        ("scale", StandardScaler()),
        ("lstm", tsgate.LSTMRegressor(hidden_size=16, max_iter=MAX_ITER, random_state=0)),
    ])
    grid = {"windows__window": [6, 12], "lstm__hidden_size": [8, 16]}
    search = GridSearchCV(pipe, grid, cv=TimeSeriesSplit(n_splits=3),
                          scoring="neg_mean_absolute_error")
    search.fit(X, target)
    report("Pipeline(SlidingWindowTransformer, StandardScaler, LSTMRegressor)", search,
           "MAE of the monthly log change", os.path.join(out, "pipeline_cv_results.csv"))


def search_forecaster(y, out):
    """The forecaster itself as the estimator: folds are stretches of future months."""
    search = GridSearchCV(
        tsgate.GRUForecaster(horizon=12, max_iter=MAX_ITER, random_state=0),
        {"hidden_size": [8, 16], "window": [12, 24]},
        cv=TimeSeriesSplit(n_splits=2, test_size=12))  # fit on the past, forecast the next 12
    search.fit(y)  # scoring: the forecaster's score, minus the MAE of the forecast
    report("GRUForecaster with TimeSeriesSplit", search, "MAE of the 12-month forecast",
           os.path.join(out, "forecaster_cv_results.csv"))
    forecast = search.best_estimator_.predict()  # refitted on all of y
    print(f"best model's forecast for {forecast.index[0]:%Y-%m} .. {forecast.index[-1]:%Y-%m}:")
    print(forecast.round(1).to_string())


def report(title, search, what, path):
    results = pd.DataFrame(search.cv_results_)
    results.to_csv(path, index=False)
    params = results["params"].map(lambda p: ", ".join(f"{k}={v}" for k, v in p.items()))
    table = pd.DataFrame({"parameters": params, "mean " + what: -results["mean_test_score"],
                          "rank": results["rank_test_score"]}).sort_values("rank")
    print(f"\n== {title}")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    print(f"best: {search.best_params_}")


def output_folder():
    """--out, else $TSGATE_EXAMPLE_OUT, else a new temporary folder: the only place written to."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.environ.get("TSGATE_EXAMPLE_OUT"),
                        help="folder for the output files (default: a temporary folder)")
    out = parser.parse_args().out or tempfile.mkdtemp(prefix="tsgate-example-")
    os.makedirs(out, exist_ok=True)
    return out


def main():
    out = output_folder()
    y = load_airline()
    started = time.perf_counter()
    search_pipeline(y, out)
    search_forecaster(y, out)
    print(f"\n{time.perf_counter() - started:.1f} s; cv_results_ written to {out}")


if __name__ == "__main__":
    main()
