"""Several series at once: one global model, or one model per series.

    python examples/several_series.py [--out DIR]

``fit`` on a DataFrame (one series per column) trains ONE global model on
the windows of all columns; ``predict`` returns a DataFrame with the same
columns. The other recipe is one forecaster per column, a dict comprehension
(parallel with joblib if you like). Both are compared on the last 12 months
of six US employment sectors.

The forecasts of both recipes are written as CSV files under --out (default:
a new temporary folder). TSGATE_EXAMPLE_BUDGET=small trains for a few epochs only (used by the tests).
"""
import argparse
import os
import tempfile
import time

import pandas as pd

import tsgate
from tsgate.datasets import load_us_employment
from tsgate.metrics import mase

SMALL = os.environ.get("TSGATE_EXAMPLE_BUDGET") == "small"
MAX_ITER = 3 if SMALL else 40
SECTORS = ["construction", "manufacturing", "retail_trade", "financial_activities",
           "leisure_and_hospitality", "government"]


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
    df = load_us_employment()[SECTORS]  # monthly DataFrame, 2006-01 .. 2015-12, 6 columns
    train, test = df.iloc[:-12], df.iloc[-12:]
    params = dict(horizon=12, window=24, max_iter=MAX_ITER, random_state=0)

    started = time.perf_counter()
    global_model = tsgate.LSTMForecaster(**params).fit(train)  # one network, all columns
    global_fc = global_model.predict()  # DataFrame: 12 rows x 6 columns
    global_s = time.perf_counter() - started

    started = time.perf_counter()
    per_series = {c: tsgate.LSTMForecaster(**params).fit(train[c]) for c in train}
    local_fc = pd.DataFrame({c: model.predict() for c, model in per_series.items()})
    local_s = time.perf_counter() - started

    naive = train.iloc[-1:].to_numpy().repeat(12, axis=0)  # last value carried forward
    rows = [{"series": c,
             "global model": mase(test[c], global_fc[c], train[c]),
             "one per series": mase(test[c], local_fc[c], train[c]),
             "naive": mase(test[c], naive[:, j], train[c])} for j, c in enumerate(df)]
    table = pd.DataFrame(rows).set_index("series")
    table.loc["mean"] = table.mean()
    print("MASE of the 12-month forecast (lower is better; 1 = in-sample random walk):")
    print(table.round(2).to_string())
    print(f"fit time: global {global_s:.1f} s, one per series {local_s:.1f} s")
    global_fc.to_csv(os.path.join(out, "global_forecast.csv"))
    local_fc.to_csv(os.path.join(out, "per_series_forecast.csv"))
    print("\nglobal model, first forecast months:")
    print(global_fc.head(3).round(0).to_string())


if __name__ == "__main__":
    main()
