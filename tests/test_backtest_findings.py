"""Backtests, metrics and plots as a forecasting user drives them (a sweep,
session 47): tuple ids with bands, X after y's end, a series with nothing
to score, month starts beside month ends, warning filters in workers, a
Series named 0."""
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning as ConvergenceWarningType

import tsgate
from tsgate import metrics
from tsgate.distributed import PerSeriesForecaster

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

SMALL = {"window": 6, "horizon": 3, "hidden_size": 4, "max_iter": 2, "n_models": 1,
         "random_state": 0}


def test_backtest_bands_of_tuple_ids():
    """pandas read a tuple id given to band[...] as one label per column
    level: KeyError ('g', 0)."""
    n = 30
    days = pd.date_range("2021-01-01", periods=n, freq="D")
    y = pd.concat([pd.Series(10 + i + np.sin(np.arange(n) / 2),
                             index=pd.MultiIndex.from_arrays([[key] * n, days]))
                   for i, key in enumerate([("g", 0), ("g", 1)])])
    model = tsgate.GRUForecaster(**SMALL)
    out = tsgate.backtest(model, y, start=27, coverage=0.8)
    assert set(out["series"]) == {("g", 0), ("g", 1)}
    band = clone(model).fit(y.groupby(level=0).head(27)).predict_interval(0.8)
    mine = out[out["series"] == ("g", 1)]
    np.testing.assert_allclose(mine["upper"], band.xs(("g", 1), level=0)["upper"])


def test_backtest_reads_X_after_y_for_the_last_origins_blocks():
    """X reaching 5 days past y: the last origin (2 steps of a 3-step model)
    repeated X's 2nd row instead of its 3rd, which X has."""
    rng = np.random.default_rng(0)
    n = 50
    X = pd.DataFrame({"x": rng.normal(size=n + 5)},
                     index=pd.date_range("2020-01-01", periods=n + 5, freq="D"))
    y = pd.Series(10 + 3 * X["x"].to_numpy()[:n] + rng.normal(0, 0.2, n), index=X.index[:n])
    model = tsgate.GRUForecaster(**SMALL)
    out = tsgate.backtest(model, y, X=X, start=48)
    fitted = clone(model).fit(y.iloc[:48], X.iloc[:48])
    np.testing.assert_allclose(out["forecast"], fitted.predict(2, X=X.iloc[48:51]))
    assert not np.allclose(out["forecast"], fitted.predict(2, X=X.iloc[48:50]))
    # X on y's dates only: as before, the 2nd row repeated
    np.testing.assert_allclose(tsgate.backtest(model, y, X=X.iloc[:n], start=48)["forecast"],
                               fitted.predict(2, X=X.iloc[48:50]))


def test_backtest_past_the_models_horizon_reads_X_of_its_whole_blocks():
    """5 steps of a 2-step model are 3 blocks of 2: predict reads X's 6th
    row where X has it, and the backtest repeated the 5th instead (sweep,
    session 49)."""
    rng = np.random.default_rng(1)
    n = 40
    X = pd.DataFrame({"x": rng.normal(size=n)},
                     index=pd.date_range("2020-01-01", periods=n, freq="D"))
    y = pd.Series(10 + 3 * X["x"].to_numpy() + rng.normal(0, 0.2, n), index=X.index)
    model = tsgate.GRUForecaster(**{**SMALL, "horizon": 2})
    out = tsgate.backtest(model, y, X=X, horizon=5, start=30, stride=100)  # one origin
    fitted = clone(model).fit(y.iloc[:30], X.iloc[:30])
    np.testing.assert_array_equal(out["forecast"], fitted.predict(5, X=X.iloc[30:36]))
    assert not np.allclose(out["forecast"], fitted.predict(5, X=X.iloc[30:35]))
    # a PerSeriesForecaster's models too (it has no horizon_ of its own: a review)
    per = PerSeriesForecaster(model)
    wide = y.to_frame("a")
    got = tsgate.backtest(per, wide, X=X, horizon=5, start=30, stride=100)["forecast"]
    fitted = clone(per).fit(wide.iloc[:30], X.iloc[:30])
    np.testing.assert_array_equal(got, np.ravel(fitted.predict(5, X=X.iloc[30:36])))
    one = tsgate.backtest(per, wide, X=X, horizon=1, start=30, stride=100)["forecast"]
    np.testing.assert_array_equal(one, np.ravel(fitted.predict(1, X=X.iloc[30:32])))


def test_mase_leaves_out_a_wide_series_with_nothing_to_score():
    """A column all NaN in y_true needs no scale; its training column of
    zeros (not yet launched) was refused: "MASE scale is 0"."""
    days = pd.date_range("2020-01-01", periods=10, freq="D")
    train = pd.DataFrame({"a": np.arange(10.0) ** 1.5, "b": np.zeros(10)}, index=days)
    future = days[-2:] + pd.Timedelta("2D")
    y_true = pd.DataFrame({"a": [30.0, 32.0], "b": [np.nan, np.nan]}, index=future)
    y_pred = pd.DataFrame({"a": [29.0, 33.0], "b": [0.0, 0.0]}, index=future)
    alone = metrics.mase(y_true["a"], y_pred["a"], train["a"])
    assert metrics.mase(y_true, y_pred, train) == pytest.approx(alone)
    lower, upper = y_pred - 1, y_pred + 1
    assert metrics.msis(y_true, lower, upper, train) == pytest.approx(
        metrics.msis(y_true["a"], lower["a"], upper["a"], train["a"]))
    y_true["b"] = [1.0, np.nan]  # scored: its scale is checked
    with pytest.raises(ValueError, match="MASE scale is 0: y_train's series 'b'"):
        metrics.mase(y_true, y_pred, train)


def test_backtest_of_month_starts_beside_month_ends_gives_advice_that_works():
    """The message advised freq='D', which is then refused as far denser."""
    long = pd.concat([
        pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2020-01-01", periods=20, freq="MS"),
                      "y": np.arange(20.0) + 5}),
        pd.DataFrame({"unique_id": "b", "ds": pd.date_range("2020-01-31", periods=20, freq="ME"),
                      "y": np.arange(20.0) + 9})])
    with pytest.raises(ValueError, match="month starts beside month ends") as info:
        tsgate.backtest(tsgate.GRUForecaster(**SMALL), long, start=16)
    assert "freq='D'" not in str(info.value)
    with pytest.raises(ValueError, match="28.9 times as dense"):  # a freq of its own: why not
        tsgate.backtest(tsgate.GRUForecaster(freq="D", **SMALL), long, start=16)


def test_backtest_workers_keep_the_callers_warning_filters():
    """Plain joblib workers printed ConvergenceWarnings under
    simplefilter("ignore"), which cross_validate(n_jobs=2) honours."""
    y = pd.Series(np.sin(np.arange(40) / 3) + 10, index=pd.date_range("2020", periods=40, freq="D"))
    with warnings.catch_warnings(), pytest.raises(Warning, match="max_iter=2"):
        warnings.simplefilter("error")  # in the workers too: their warning is raised
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        tsgate.backtest(tsgate.GRUForecaster(**SMALL), y, start=34, n_jobs=2)


def test_plot_names_a_series_called_zero():
    """y.name and str(y.name): a Series named 0 was drawn as "history"."""
    import matplotlib
    matplotlib.use("Agg")
    y = pd.Series(np.sin(np.arange(30) / 2) + 5, name=0)
    fig = tsgate.plot_forecast(y, tsgate.GRUForecaster(**SMALL).fit(y).predict())
    assert fig.axes[0].get_legend().get_texts()[0].get_text() == "0"
    import matplotlib.pyplot as plt
    plt.close(fig)


def test_a_series_that_ends_before_the_origins_is_said_to_be_unscored():
    """M4's integer times 1..n per series: on the union of the times the
    origins fall after a short series' end, whose rows came back all NaN
    without a word (a migration sweep, session 47)."""
    rng = np.random.default_rng(0)
    long = pd.concat([pd.DataFrame({"unique_id": key, "ds": np.arange(1, n + 1),
                                    "y": 10 + rng.normal(0, 1, n).cumsum()})
                      for key, n in (("H0", 60), ("H1", 48), ("H2", 40))], ignore_index=True)
    with pytest.warns(UserWarning, match=r"1 series have no actual value .*\['H2'\]"):
        out = tsgate.backtest(tsgate.GRUForecaster(**SMALL), long)
    assert out.loc[out["series"] == "H2", "actual"].isna().all()
    with warnings.catch_warnings(record=True) as caught:  # every series scored: no warning
        warnings.simplefilter("always")
        tsgate.backtest(tsgate.GRUForecaster(**SMALL), long[long["unique_id"] == "H0"])
    assert not [w for w in caught if "no actual value" in str(w.message)]


def test_the_default_start_waits_for_every_series_observations():
    """The default start came from the row count alone: a series starting 10
    days after the other, or one whose first 8 values are NaN, was refused
    ("series 'b' has 0 observed value(s) ... start must be >= 34"), though
    fit and predict take both; an unnamed Series was called "series None"."""
    rng = np.random.default_rng(0)
    days = pd.date_range("2020-01-01", periods=40, freq="D")
    late = pd.Series(10 + rng.normal(size=40), index=days).iloc[30:]
    y = pd.DataFrame({"a": pd.Series(10 + rng.normal(size=40), index=days), "b": late})
    out = tsgate.backtest(tsgate.GRUForecaster(**SMALL), y)
    first = y.index.get_loc(out["origin"].min()) + 1  # the first origin's position
    assert first == 30 + 4  # b's 4th value, after five horizons back (25)
    assert set(out["series"]) == {"a", "b"}
    single = pd.Series(np.r_[np.full(25, np.nan), 10 + rng.normal(size=15)], index=days)
    out = tsgate.backtest(tsgate.GRUForecaster(**SMALL), single)
    assert y.index.get_loc(out["origin"].min()) + 1 == 25 + 4
    with pytest.raises(ValueError, match=r"position 5, y has 0 observed") as err:
        tsgate.backtest(tsgate.GRUForecaster(**SMALL), single, start=5)
    assert "start must be >= 29" in str(err.value)


@pytest.mark.parametrize("X, error, message", [
    (3.0, TypeError, r"X must be a DataFrame \(one column per feature"),
    ({"a": np.zeros(40)}, TypeError, r"for a dict of columns pass pd\.DataFrame\(X\)"),
    (np.zeros((40, 2, 3)), ValueError, r"X must be 2-D \(time steps, features\), got shape"),
])
def test_backtest_checks_an_x_that_is_no_frame_as_fit_does(X, error, message):
    """backtest checked such an X itself: len() of a float, scipy's "sparse
    array length is ambiguous", a dict told it had 2 rows, and a 3-D array
    flattened into 6 features without a word."""
    y = pd.Series(np.sin(np.arange(40.0)) + 5, index=pd.date_range("2020-01-01", periods=40))
    with pytest.raises(error, match=message):
        tsgate.backtest(tsgate.GRUForecaster(horizon=3, max_iter=2, hidden_size=4,
                                             n_models=1, random_state=0), y, X=X)


def test_backtest_takes_x_from_the_first_observed_step():
    """y starting with NaN and X from its first observation: fit and
    predict take it; backtest asked for X rows at the NaN steps."""
    index = pd.date_range("2020-01-01", periods=40)
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=40)}, index=index)
    y = pd.Series(5 + X["x"].to_numpy(), index=index)
    y.iloc[:6] = np.nan
    model = tsgate.GRUForecaster(horizon=3, max_iter=2, hidden_size=4, n_models=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = tsgate.backtest(model, y, X=X, start=30)
        late = tsgate.backtest(model, y, X=X.iloc[6:], start=30)
    pd.testing.assert_frame_equal(late, full)


@pytest.mark.parametrize("dtype", ["bool", "Int64"])
def test_backtest_x_of_bools_or_nullable_ints_from_the_first_observed_step(dtype):
    """The NaN rows put before X's first row made a bool column object
    (refused as no numbers, pandas 2) and an Int64 one warned of concat."""
    index = pd.date_range("2020-01-01", periods=40)
    y = pd.Series(5 + np.sin(np.arange(40.0)), index=index)
    y.iloc[:6] = np.nan
    X = pd.DataFrame({"x": (np.arange(40) % 3 == 0)}, index=index).astype(dtype)
    model = tsgate.GRUForecaster(horizon=3, max_iter=2, hidden_size=4, n_models=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarningType)
        warnings.simplefilter("error", FutureWarning)
        result = tsgate.backtest(model, y, X=X.iloc[6:], start=30)
    assert len(result) == 10 and np.isfinite(result["forecast"]).all()  # origins 30, 33, 36, 39


def test_backtest_warnings_name_their_origin_at_the_callers_line():
    """The fits' warnings pointed into backtest.py and named no origin."""
    y = pd.Series(5 + np.sin(np.arange(40.0)), index=pd.date_range("2020-01-01", periods=40))
    model = tsgate.GRUForecaster(horizon=3, max_iter=1, hidden_size=4, n_models=1,
                                 random_state=0)
    with pytest.warns(ConvergenceWarningType, match=r"backtest origin 2020-01-30 00:00:00: "
                                                    r"GRUForecaster: max_iter=1") as record:
        tsgate.backtest(model, y, start=30, refit=True)
    assert {w.filename for w in record if "backtest origin" in str(w.message)} == {__file__}


def test_backtest_x_by_position_of_the_observed_rows_only_is_told_its_count():
    """X of y's observed rows only, by position (no dates): every row became
    NaN on y's dates and was told it "contains NaN or inf"."""
    y = pd.Series(5 + np.sin(np.arange(30.0)), index=pd.date_range("2020-01-01", periods=30))
    y.iloc[:2] = np.nan
    X = pd.DataFrame({"x": np.arange(28.0)})
    model = tsgate.GRUForecaster(horizon=3, max_iter=1, hidden_size=4, n_models=1)
    with pytest.raises(ValueError, match=r"X has 28 rows; it must be aligned with y \(30 rows\)"):
        tsgate.backtest(model, y, X=X, start=20)
