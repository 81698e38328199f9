"""Quickstart: forecast the airline passengers a year ahead, with a 90% interval.

    python examples/quickstart.py [--out DIR]

Writes forecast.csv (and forecast.png when matplotlib is installed) under
--out (default: a new temporary folder). TSGATE_EXAMPLE_BUDGET=small trains
for a few epochs only (used by the tests).
"""
import argparse
import os
import tempfile

import pandas as pd

import tsgate
from tsgate.datasets import load_airline
from tsgate.metrics import mae, smape

SMALL = os.environ.get("TSGATE_EXAMPLE_BUDGET") == "small"
MAX_ITER = 3 if SMALL else 200  # epochs; early stopping usually ends the full run near 100


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

    y = load_airline()  # pd.Series, monthly (freq MS), 1949-01 .. 1960-12

    # 1. How good is it? Hold out the last year, fit on the rest, compare.
    train, test = y.iloc[:-12], y.iloc[-12:]
    model = tsgate.LSTMForecaster(horizon=12, max_iter=MAX_ITER, random_state=0)
    model.fit(train)
    held_out = model.predict()
    naive = train.iloc[-12:].to_numpy()  # seasonal naive: the same month last year
    print(f"last 12 months held out: MAE {mae(test, held_out):.1f}, "
          f"sMAPE {smape(test, held_out):.1f}% (seasonal naive: MAE {mae(test, naive):.1f}, "
          f"sMAPE {smape(test, naive):.1f}%)")

    # 2. Refit on everything and forecast 1961 with a 90% conformal interval.
    model.fit(y)
    forecast = model.predict()  # pd.Series indexed 1961-01 .. 1961-12
    interval = model.predict_interval(coverage=0.9)  # columns lower, upper
    table = pd.concat([forecast, interval], axis=1)
    print(table.round(1).to_string())

    table.to_csv(os.path.join(out, "forecast.csv"))
    try:
        import matplotlib

        matplotlib.use("Agg")
        fig = tsgate.plot_forecast(y, forecast, intervals=interval,
                                   title="Airline passengers: LSTM forecast, 90% interval")
        fig.savefig(os.path.join(out, "forecast.png"), dpi=100)
    except ImportError:
        print("(matplotlib is not installed: no plot; pip install 'tsgate[plot]')")
    print(f"files written to {out}")


if __name__ == "__main__":
    main()
