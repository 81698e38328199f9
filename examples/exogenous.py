"""Forecast US consumption (macrodata ``realcons``) with exogenous regressors.

    python examples/exogenous.py [--out DIR]

The forecaster takes regressors as ``fit(y, X)`` and their FUTURE values as
``predict(X=...)``. Here the last 8 quarters (2007Q4-2009Q3, the Great
Recession) are held out, and the actual future regressors are given: an
"oracle" scenario that shows what the regressors can add. In real use the
future X comes from a plan, a scenario or another forecast.

The forecasts are written to forecasts.csv under --out (default: a new
temporary folder). TSGATE_EXAMPLE_BUDGET=small trains for a few epochs only (used by the tests).
"""
import argparse
import os
import tempfile

import pandas as pd

import tsgate
from tsgate.datasets import list_datasets, load_macrodata
from tsgate.metrics import mae, mase

SMALL = os.environ.get("TSGATE_EXAMPLE_BUDGET") == "small"
MAX_ITER = 3 if SMALL else 200
HORIZON = 8  # quarters


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
    data = load_macrodata()  # quarterly DataFrame, 1959Q1 .. 2009Q3
    target = list_datasets().set_index("name").loc["macrodata", "target"]  # "realcons"
    # Income, investment and unemployment as they are: each series' smoothing
    # stage takes their linear effect out (estimated on quarterly changes, so
    # levels that trend beyond the training range are fine) and the forecast
    # adds it back for the future rows; the networks read them too.
    X = data[["realdpi", "realinv", "unemp"]]
    y = data[target]
    y_train, y_test = y.iloc[:-HORIZON], y.iloc[-HORIZON:]
    X_train, X_future = X.iloc[:-HORIZON], X.iloc[-HORIZON:]  # X_future: the 8 quarters after y_train

    params = dict(horizon=HORIZON, window=16, max_iter=MAX_ITER, random_state=0)
    without = tsgate.LSTMForecaster(**params).fit(y_train)
    with_x = tsgate.LSTMForecaster(**params).fit(y_train, X_train)

    forecasts = pd.DataFrame({
        "actual": y_test,
        "without X": without.predict(),
        "with X": with_x.predict(X=X_future),  # one row of X per forecast step
    })
    print(forecasts.round(1).to_string())
    forecasts.to_csv(os.path.join(out, "forecasts.csv"))
    for name in ("without X", "with X"):
        print(f"{name:>9}: MAE {mae(y_test, forecasts[name]):7.1f}   "
              f"MASE {mase(y_test, forecasts[name], y_train):.2f}")

    # intervals work the same way: predict_interval(coverage, X=future regressors)
    print(with_x.predict_interval(coverage=0.8, X=X_future).round(1).head(3).to_string())


if __name__ == "__main__":
    main()
