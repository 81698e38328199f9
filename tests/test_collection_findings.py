"""Scorers and collections as a NeuralForecast or Darts user drives them (two
sweeps, session 46): the scorers' training data and bound keywords, a long
frame beside a plain column, unnamed and text-typed ids, a wide frame
shared with the caller, NaN labels and empty collections."""
import functools
import warnings

import numpy as np
import pandas as pd
import pytest

import tsgate
from tests.conftest import FAST
from tsgate import metrics

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
MONTHS = pd.date_range("2015-01-01", periods=96, freq="MS")


def _launch():
    """A product launched after 30 months of zeros."""
    t = np.arange(96)
    y = np.where(t < 30, 0.0, 100 + 10 * np.sin(2 * np.pi * t / 12))
    return pd.Series(y, index=MONTHS, name="p")


def test_scorers_scale_by_the_training_data_as_given_with_its_zeros_before_a_launch():
    """The scorer took y_train from collection_, which fit cuts the zeros
    from: -0.42 where mase(y_test, forecast, y_train) is -0.094."""
    y = _launch()
    train, test = y.iloc[:90], y.iloc[90:]
    model = tsgate.GRUForecaster(horizon=6, n_models=1, **FAST).fit(train)
    assert model.launch_zeros_.tolist() == [30]
    m = model.season_length_
    want = -metrics.mase(test, model.predict(), train, season_length=m)
    assert metrics.neg_mase_scorer(model, test) == pytest.approx(want)


def test_a_scorer_keeps_the_keywords_a_partial_binds():
    y = _launch()
    train, test = y.iloc[:90], y.iloc[90:]
    model = tsgate.GRUForecaster(horizon=6, n_models=1, **FAST).fit(train)
    naive1 = metrics.make_forecast_scorer(functools.partial(metrics.mase, season_length=1))
    assert naive1(model, test) == pytest.approx(-metrics.mase(test, model.predict(), train,
                                                              season_length=1))
    at80 = metrics.make_forecast_scorer(functools.partial(metrics.msis, coverage=0.8))
    band = model.predict_interval(coverage=0.8)
    assert at80(model, test) == pytest.approx(-metrics.msis(
        test, band.iloc[:, 0], band.iloc[:, 1], train, coverage=0.8,
        season_length=model.season_length_))


def test_a_long_frame_beside_a_column_in_another_row_order_is_refused():
    test = pd.DataFrame({"unique_id": np.repeat(["a", "b"], 3),
                         "ds": list(pd.date_range("2020-01-01", periods=3, freq="D")) * 2,
                         "y": [10.0, 11, 12, 100, 101, 102]})
    fc = test.assign(y=test.y + 1)
    assert metrics.mae(test, fc["y"]) == 1.0  # the same row order: by position, as before
    by_time = test.sort_values(["ds", "unique_id"])
    assert metrics.mae(by_time, fc) == 1.0  # the long forecast itself pairs by (id, time)
    with pytest.raises(ValueError, match="plain column holding its row labels in another order"):
        metrics.mae(by_time, fc["y"])


def _collection():
    t = np.arange(60)
    return pd.concat({k: pd.Series(level + np.sin(2 * np.pi * t / 12) * level / 10,
                                   index=MONTHS[:60]) for k, level in ((1, 10.0), (2, 500.0),
                                                                       (3, 1000.0))})


def test_an_unnamed_series_beside_a_collection_model_is_refused():
    """It was read as series 0 (or refused as 'series 0')."""
    model = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(_collection())
    history = _collection().loc[2].iloc[-24:]
    with pytest.raises(ValueError, match="a Series without a name"):
        model.predict(y=history)
    named = model.predict(y=history.rename(2))  # a Series in, a Series out: series 2's
    assert named.name == 2 and len(named) == 3
    np.testing.assert_allclose(named.to_numpy(), model.predict(
        y=pd.concat({2: history})).to_numpy())


def test_an_id_that_reads_as_a_fitted_one_warns():
    model = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(_collection())
    history = pd.concat({"2": _collection().loc[2].iloc[-6:]})
    with pytest.warns(UserWarning, match=r"series '2' \(str\) is not a fitted series"):
        model.predict(y=history)


def test_a_wide_frame_is_copied_at_fit():
    wide = _collection().unstack(level=0)  # (times, series)
    model = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(wide)
    before = model.predict(horizon=2)
    wide.iloc[-5:, 0] *= 100
    pd.testing.assert_frame_equal(model.predict(horizon=1), before.iloc[:1])


def test_nan_labels_and_empty_collections_are_named():
    wide = _collection().unstack(level=0)
    with pytest.raises(ValueError, match="column 0 has no name"):
        tsgate.GRUForecaster(horizon=2, **FAST).fit(wide.set_axis([np.nan, 2, 3], axis=1))
    empty = pd.DataFrame({"unique_id": [], "ds": pd.to_datetime([]), "y": []})
    with pytest.raises(ValueError, match="y is empty"):
        tsgate.GRUForecaster(horizon=2, **FAST).fit(empty)
    with warnings.catch_warnings():  # None is a label like any other (saved, matched)
        warnings.simplefilter("ignore")
        tsgate.GRUForecaster(horizon=2, n_models=1, **FAST).fit(
            wide.set_axis(pd.Index(["a", None, "c"], dtype=object), axis=1))


def test_a_point_metric_with_its_own_coverage_parameter_wraps():
    """The coverage default read a point metric's own 'coverage' and refused it."""
    def share(y_true, y_pred, coverage="all"):
        return metrics.mae(y_true, y_pred)

    assert "share" in repr(metrics.make_forecast_scorer(share))


def test_the_per_series_forecaster_refuses_an_unnamed_series_too():
    wide = _collection().unstack(level=0)
    from tsgate.distributed import PerSeriesForecaster

    model = PerSeriesForecaster(tsgate.GRUForecaster(horizon=2, n_models=1, **FAST))
    model.fit(wide)
    with pytest.raises(ValueError, match="a Series without a name"):
        model.predict(y=wide[2].rename(None).iloc[-24:])


def test_a_plain_y_true_beside_a_long_forecast_in_another_order_is_refused():
    test = pd.DataFrame({"unique_id": np.repeat(["a", "b"], 3),
                         "ds": list(pd.date_range("2020-01-01", periods=3, freq="D")) * 2,
                         "y": [10.0, 11, 12, 100, 101, 102]})
    fc = test.assign(y=test.y + 1)
    by_time = test.sort_values(["ds", "unique_id"])
    with pytest.raises(ValueError, match="y_pred is a long frame and y_true a plain column"):
        metrics.mae(by_time["y"], fc)


def test_a_series_named_as_the_value_column_warns_at_the_callers_line():
    long = _collection().rename_axis(["unique_id", "ds"]).rename("y").reset_index()
    model = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(long)
    pulled = long[long.unique_id == 2].set_index("ds")["y"].iloc[-14:]
    with pytest.warns(UserWarning, match="named 'y', the value column") as record:
        model.predict(y=pulled)
    assert any(w.filename == __file__ for w in record if "value column" in str(w.message))


def test_a_long_new_history_with_leading_nan_keeps_its_dates_step():
    """predict(y=new) of a long frame whose series open with 4 NaN months
    before 2 values: cut to 2 dates, their step could not be inferred
    ("y's DatetimeIndex has no freq and 2 timestamps are too few"), though
    the same rows without the NaN forecast fine."""
    v = 10 + np.random.default_rng(0).normal(size=30)
    v[:4] = np.nan
    ds = pd.date_range("2000-01-01", periods=30, freq="MS")
    y = pd.concat([pd.DataFrame({"unique_id": u, "ds": ds, "y": v}) for u in "ab"],
                  ignore_index=True)
    est = tsgate.GRUForecaster(horizon=2, max_iter=1, n_models=1, hidden_size=4,
                               random_state=0).fit(y)
    new = y.groupby("unique_id").head(6)
    got = est.predict(y=new)
    pd.testing.assert_frame_equal(got, est.predict(y=new.dropna()))
    assert list(got["ds"].unique()) == list(pd.date_range("2000-07-01", periods=2, freq="MS"))


def _two_level_long(names=("unique_id", "ds", "y")):
    """Two series at 10 and 1000, in the rows of a table sorted by date, and
    a default fit on all but their last 2 months (session 51's sweep)."""
    rng = np.random.default_rng(0)
    ids, times, values = names
    full = pd.concat([pd.DataFrame({ids: k, times: MONTHS[:24], values: level + rng.normal(size=24)})
                      for k, level in (("a", 10.0), ("b", 1000.0))])
    full = full.sort_values([times, ids], ignore_index=True)
    train, test = full[full[times] < MONTHS[22]], full[full[times] >= MONTHS[22]]
    model = tsgate.GRUForecaster(horizon=2, n_models=1, id_col=ids, time_col=times,
                                 value_col=values, **FAST).fit(train)
    return model, test


def test_a_long_frame_beside_a_long_forecasts_column_pairs_only_in_its_order():
    """A test frame sorted by time, a slice of a bigger one, beside the long
    forecast's column: the other check missed it (its row labels are not
    the column's 0..n-1, nor after reset_index other ones) and it was
    paired by position: mae 499 where it is 1.3."""
    model, test = _two_level_long()
    fc, band = model.predict(), model.predict_interval(coverage=0.8)
    want = metrics.mae(test, fc)  # the long forecast itself pairs by (id, time)
    assert want < 10
    for scored in (test, test.reset_index(drop=True)):
        with pytest.raises(ValueError, match="column of a long forecast.*sort_values"):
            metrics.mae(scored, fc["y"])
        with pytest.raises(ValueError, match="column of a long forecast"):
            metrics.coverage(scored, band["lower"], band["upper"])
    in_order = test.sort_values(["unique_id", "ds"])
    assert metrics.mae(in_order, fc["y"]) == want
    assert metrics.coverage(in_order, band["lower"], band["upper"]) == metrics.coverage(
        test, band[["unique_id", "ds", "lower"]], band[["unique_id", "ds", "upper"]])


def test_a_long_forecasts_column_of_its_own_names_is_scored_as_the_defaults_are():
    """The column's attrs name the fit's id and time columns; only a frame's
    were read, so the same call refused custom names ("labelled
    differently") that it scored with unique_id and ds."""
    names = ("store", "month", "sales")
    model, test = _two_level_long(names)
    fc, band = model.predict(), model.predict_interval(coverage=0.8)
    in_order = test.sort_values(["store", "month"])
    assert metrics.mae(in_order, fc["sales"]) == metrics.mae(test, fc)
    assert metrics.coverage(in_order, band["lower"], band["upper"]) == metrics.coverage(
        test, band[["store", "month", "lower"]], band[["store", "month", "upper"]])
    with pytest.raises(ValueError, match=r"column of a long forecast.*\['store', 'month'\]"):
        metrics.mae(test, fc["sales"])
