"""Where the code did not do what README.md and the docstrings say (a sweep
of the documentation, session 46): collection metrics on equal labels,
day-first dates of a long frame, ids of the command line in numeric order,
its messages, and the row of a missing time."""
import numpy as np
import pandas as pd
import pytest

import tsgate
from tests.conftest import FAST
from tsgate import metrics
from tsgate.cli import main


def _collection(spans):
    return pd.concat([pd.Series(np.arange(n, dtype=float), index=pd.MultiIndex.from_arrays(
        [[k] * n, pd.date_range(start, periods=n, freq="MS")], names=["store", "month"]))
        for k, (start, n) in spans.items()])


def test_collection_metrics_pair_equal_labels_of_differently_ordered_levels():
    """A y_test cut by groupby and a forecast built from its tuples hold the
    same labels; mase and msis said they were "labelled differently"."""
    full = _collection({"A": ("2015-01", 60), "B": ("2016-06", 40), "C": ("2014-03", 72)})
    y_train = full.groupby(level=0, group_keys=False).apply(lambda s: s.iloc[:-12])
    y_test = full.groupby(level=0, group_keys=False).apply(lambda s: s.iloc[-12:])
    index = pd.MultiIndex.from_tuples(y_test.index, names=y_test.index.names)
    y_pred = pd.Series(y_test.to_numpy() + 1.0, index=index)
    assert y_pred.index.equals(y_test.index)
    assert metrics.mase(y_test, y_pred, y_train) == pytest.approx(1.0)
    band = pd.DataFrame({"lower": y_pred - 2, "upper": y_pred + 2}, index=index)
    assert metrics.msis(y_test, band["lower"], band["upper"], y_train) == pytest.approx(4.0)


def test_day_first_dates_of_a_long_frame_are_told_to_parse_day_first():
    """Past the 12th, pandas' message was cut at "You might want to try:"."""
    days = pd.date_range("2020-01-01", periods=28, freq="D").strftime("%d/%m/%Y")
    long = pd.DataFrame({"unique_id": "a", "ds": days, "y": np.arange(28.0)})
    with pytest.raises(ValueError, match=r"read only day first.*dayfirst=True"):
        tsgate.GRUForecaster(horizon=2, **FAST).fit(long)


def test_a_missing_time_of_a_long_frame_is_told_at_its_row():
    idx = pd.date_range("2020-01-01", periods=20, freq="D")
    long = pd.DataFrame({"unique_id": ["a"] * 20 + ["b"] * 20, "ds": list(idx) * 2,
                         "y": np.arange(40.0)})
    long["ds"] = long["ds"].where(long.index != 3)
    with pytest.raises(ValueError, match=r"missing time \(NaT\) in row 3 of the frame"):
        tsgate.GRUForecaster(horizon=2, **FAST).fit(long)


def test_cli_ids_of_integers_and_decimals_come_in_numeric_order(tmp_path, capsys):
    days = pd.date_range("2020-01-01", periods=30, freq="D").strftime("%Y-%m-%d")
    rows = [f"{i},{d},{np.sin(k) + j}" for j, i in enumerate(["7", "10", "2.5"])
            for k, d in enumerate(days)]
    path = tmp_path / "ids.csv"
    path.write_text("id,ds,y\n" + "\n".join(rows) + "\n")
    main(["forecast", str(path), "--id-column", "id", "--horizon", "1", "--max-iter", "1",
          "--quiet"])
    ids = [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]]
    assert ids == ["2.5", "7", "10"]


def test_cli_value_column_that_is_the_time_column_is_named_so(tmp_path, capsys):
    path = tmp_path / "t.csv"
    path.write_text("ds,y\n" + "".join(f"2020-01-{d},{d}\n" for d in range(10, 30)))
    assert main(["forecast", str(path), "--time-column", "ds", "--value-column", "ds"]) == 2
    assert "--value-column 'ds' is the time column" in capsys.readouterr().err


def test_the_day_first_message_quotes_a_date_that_reads_only_so():
    days = pd.date_range("2020-02-01", periods=20, freq="D").strftime("%d/%m/%Y")
    long = pd.DataFrame({"unique_id": "a", "ds": days, "y": np.arange(20.0)})
    with pytest.raises(ValueError, match="such as '13/02/2020'"):
        tsgate.GRUForecaster(horizon=2, **FAST).fit(long)
