"""Rolling-origin backtest: how good would the forecasts have been?

    python examples/backtest.py [--out DIR]

``tsgate.backtest`` refits the forecaster at several past origins, forecasts
the next 12 months from each and compares them with what happened. The
errors, and the 80% band's coverage and interval score, are summarised per
origin next to a seasonal-naive baseline, and a
plot of the historical forecasts is saved as backtest.png (with
backtest.csv) under --out, or $TSGATE_EXAMPLE_OUT, or a new temporary folder.

TSGATE_EXAMPLE_BUDGET=small trains for a few epochs only (used by the tests).
"""
import argparse
import os
import tempfile

import pandas as pd

import tsgate
from tsgate.datasets import load_airline
from tsgate.metrics import coverage, mae, mase, msis, rmse, smape

SMALL = os.environ.get("TSGATE_EXAMPLE_BUDGET") == "small"
MAX_ITER = 3 if SMALL else 100
HORIZON = 12


def metrics_table(results, y):
    """One row per origin: the forecaster's errors, its 80% band's coverage and
    MSIS, and the seasonal-naive MASE."""
    rows = []
    for origin, part in results.groupby("origin"):
        train = y.loc[:origin]
        naive = train.iloc[-HORIZON:].to_numpy()[:len(part)]  # same month, previous year
        rows.append({
            "origin": f"{origin:%Y-%m}",
            "MAE": mae(part["actual"], part["forecast"]),
            "RMSE": rmse(part["actual"], part["forecast"]),
            "sMAPE %": smape(part["actual"], part["forecast"]),
            "MASE": mase(part["actual"], part["forecast"], train, season_length=12),
            "naive MASE": mase(part["actual"], naive, train, season_length=12),
            "80% covered": coverage(part["actual"], part["lower"], part["upper"]),
            "MSIS 80%": msis(part["actual"], part["lower"], part["upper"], train, coverage=0.8,
                             season_length=12),
        })
    table = pd.DataFrame(rows).set_index("origin")
    table.loc["mean"] = table.mean()
    return table


def save_plot(results, y, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4))
    recent = y.iloc[-6 * HORIZON:]
    ax.plot(recent.index, recent.to_numpy(), color="0.3", lw=1.2, label="actual")
    for i, (origin, part) in enumerate(results.groupby("origin")):
        ax.plot(part["time"], part["forecast"], color=f"C{i + 1}", lw=1.6,
                label=f"forecast from {origin:%Y-%m}")
        ax.fill_between(part["time"], part["lower"], part["upper"], color=f"C{i + 1}",
                        alpha=0.2, lw=0)  # its 80% band
    ax.set_title("Airline passengers: rolling-origin LSTM forecasts")
    ax.legend(loc="upper left", frameon=False)
    ax.grid(alpha=0.3)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)


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
    model = tsgate.LSTMForecaster(horizon=HORIZON, max_iter=MAX_ITER, random_state=0)
    # origins 36, 24 and 12 months before the end; refit at each (refit=True)
    results = tsgate.backtest(model, y, start=-3 * HORIZON, stride=HORIZON, coverage=0.8)
    # one row per (origin, step): origin, time, step, series, forecast, actual, error,
    # abs_error, and the 80% band's lower and upper bounds
    results.to_csv(os.path.join(out, "backtest.csv"), index=False)

    print(metrics_table(results, y).round(2).to_string())
    print("\nmean absolute error by step ahead:")
    print(results.groupby("step")["abs_error"].mean().round(1).to_frame().T.to_string(index=False))

    try:
        save_plot(results, y, os.path.join(out, "backtest.png"))
    except ImportError:
        print("(matplotlib is not installed: no plot; pip install 'tsgate[plot]')")
    print(f"files written to {out}")


if __name__ == "__main__":
    main()
