"""Valid but unusual uses found by a sweep of inputs (session 30): parameters
set after a fit, a Series named by a tuple, dates before 1677, rows out of
order."""
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

import tsgate
from tests.conftest import FAST
from tsgate._series import numpy_backed
from tsgate.distributed import forecast_long


def test_parameters_set_after_fit_wait_for_the_next_fit(tmp_path):
    y = pd.Series(10 + np.sin(np.arange(40.0)), index=pd.date_range("2020-01-01", periods=40,
                                                                     freq="MS"))
    model = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(y)
    forecast, band = model.predict(), model.predict_interval(coverage=0.8)
    model.set_params(horizon=5, normalize="last")  # scikit-learn: effective at the next fit
    pd.testing.assert_series_equal(model.predict(), forecast)
    pd.testing.assert_frame_equal(model.predict_interval(coverage=0.8), band)
    assert len(model.predict(horizon=2)) == 2
    for copy in (pickle.loads(pickle.dumps(model)), tsgate.load(model.save(tmp_path / "m.npz"))):
        assert (copy.horizon, copy.horizon_, copy.normalize_) == (5, 3, "smooth")
        pd.testing.assert_series_equal(copy.predict(), forecast)
    # a model pickled before horizon_ existed: its parameters are the fitted ones
    old = pickle.loads(pickle.dumps(model.set_params(horizon=3, normalize="smooth")))
    del old.horizon_, old.normalize_
    pd.testing.assert_series_equal(pickle.loads(pickle.dumps(old)).predict(), forecast)
    assert len(model.set_params(horizon=5).fit(y).predict()) == 5


def test_a_series_named_by_a_tuple_keeps_its_name():
    y = pd.Series(10 + np.sin(np.arange(40.0)), index=pd.date_range("2020-01-01", periods=40,
                                                                     freq="MS"),
                  name=("sales", "store 1"))  # a column of a frame with MultiIndex columns
    model = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(y)
    assert model.predict().name == ("sales", "store 1")
    assert list(model.predict_interval().columns) == ["lower", "upper"]


def test_dates_outside_nanosecond_range_forecast_at_their_own_resolution():
    index = pd.date_range(np.datetime64("1600-01-01", "s"), periods=40, freq="YS", unit="s")
    model = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(
        pd.Series(10 + np.sin(np.arange(40.0)), index=index))
    future = model.predict().index
    assert future.unit == "s" and list(future.year) == [1640, 1641, 1642]


def test_long_rows_in_any_order_but_an_unsorted_index_is_refused():
    """A long frame is a table: its rows may come in any order (sorted by id,
    then time). A MultiIndex keeps the order pandas gives it, so one with a
    series' times out of order gets the message that says to sort it."""
    t = np.arange(30.0)
    long = pd.concat([pd.DataFrame({"unique_id": k, "ds": pd.date_range("2020-01-01", periods=30,
                                                                        freq="MS"),
                                    "y": 10 + k * np.sin(t)}) for k in (1, 2)])
    expected = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(long).predict()
    shuffled = long.sample(frac=1.0, random_state=0)
    got = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(shuffled).predict()
    pd.testing.assert_frame_equal(got, expected)
    mi = long.set_index(["unique_id", "ds"])["y"]
    swapped = mi.iloc[[1, 0] + list(range(2, len(mi)))]  # series 1's first two months swapped
    with pytest.raises(ValueError, match=r"y \(series 1\)'s index is not sorted in increasing "
                                         r"time order; call \.sort_index\(\) first"):
        tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(swapped)


def test_inputs_from_a_second_sweep_get_errors_that_name_the_fix():
    """Found by a sweep of unusual inputs (session 31): each was a silent
    drop, a raw pandas/NumPy error or garbage."""
    from sklearn.utils._param_validation import InvalidParameterError

    from tsgate import metrics
    days = pd.date_range("2020-01-01", periods=30, freq="D")
    y = pd.Series(10 + np.sin(np.arange(30) / 2), index=days, name="y")
    quick = dict(FAST, n_models=1)
    # a MultiIndex row without a series id was dropped without a word
    mi = pd.Series(np.r_[y.values, y.values + 5],
                   index=pd.MultiIndex.from_arrays([["a"] * 30 + [None] * 30, days.append(days)]))
    with pytest.raises(ValueError, match=r"missing series id \(None/NaN\) at row 30"):
        tsgate.GRUForecaster(horizon=2, **quick).fit(mi)
    # NaT in the index: the message said to sort, which cannot help
    gap = y.copy()
    gap.index = pd.DatetimeIndex([*days[:-1], pd.NaT])
    with pytest.raises(ValueError, match=r"missing timestamp \(NaT\) at position 29"):
        tsgate.GRUForecaster(horizon=2, **quick).fit(gap)
    # an unknown frequency alias: pandas' error from inside asfreq
    with pytest.raises(InvalidParameterError, match="'freq' parameter of GRUForecaster must be a "
                                                    "pandas frequency alias"):
        tsgate.GRUForecaster(horizon=2, freq="Z", **quick).fit(y)
    # score() across time zones: pandas' "Cannot compare tz-naive and tz-aware"
    model = tsgate.GRUForecaster(horizon=2, **quick).fit(y.iloc[:-2])
    with pytest.raises(ValueError, match=r"has UTC and the training data none; .*tz_localize\(None\)"):
        model.score(y.iloc[-2:].tz_localize("UTC"))
    local = tsgate.GRUForecaster(horizon=2, **quick).fit(y.iloc[:-2].tz_localize("Europe/Berlin"))
    test = y.iloc[-2:].tz_localize("Europe/Berlin")
    assert local.score(test) == local.score(test.tz_convert("UTC"))  # the same instants
    with pytest.raises(ValueError, match=r"y.tz_localize\('Europe/Berlin'\)"):
        local.score(y.iloc[-2:])
    # metrics on the same instants in two zones (an IndexError before)
    utc = y.tz_localize("UTC")
    assert metrics.mae(utc, utc.tz_convert("US/Eastern")) == 0.0
    # a regressor's X beyond float32 became inf silently; text y got NumPy's message
    rng = np.random.default_rng(0)
    R = rng.normal(size=(20, 4))
    with pytest.raises(ValueError, match="X holds values up to .*e\\+39, beyond float32's range"):
        tsgate.GRURegressor(**FAST).fit(R * 1e39, R.sum(1))
    with pytest.raises(ValueError, match=r"y must hold numbers, not text .*pd.to_numeric"):
        tsgate.GRURegressor(**FAST).fit(R, np.array(["a"] * 20))


def test_exogenous_columns_of_any_label_type_are_matched_by_label(tmp_path):
    """Integer or tuple column labels went by position: the same data with
    its columns reordered gave other forecasts, silently (session 31)."""
    days = pd.date_range("2020-01-01", periods=30, freq="D")
    y = pd.Series(10 + np.sin(np.arange(30) / 2), index=days)
    future = pd.date_range("2020-01-31", periods=2, freq="D")
    for labels in ([0, 1], [("a", 1), ("b", 2)]):
        X = pd.DataFrame(np.c_[np.arange(30.0), np.cos(np.arange(30.0))], index=days, columns=labels)
        Xf = pd.DataFrame([[30.0, 0.1], [31.0, 0.2]], index=future, columns=labels)
        model = tsgate.GRUForecaster(horizon=2, n_models=1, **FAST).fit(y, X)
        assert model.exog_names_ == labels
        forecast = model.predict(X=Xf)
        pd.testing.assert_series_equal(model.predict(X=Xf[labels[::-1]]), forecast)
        pd.testing.assert_series_equal(tsgate.load(model.save(tmp_path / "m.npz")).predict(X=Xf),
                                       forecast)
        with pytest.raises(ValueError, match=r"differ from those seen in fit .*not seen in fit \[5, 6\]"):
            model.predict(X=Xf.set_axis([5, 6], axis=1))
        # an array has no labels: by position
        pd.testing.assert_series_equal(model.predict(X=Xf.to_numpy()), forecast)


def test_a_long_time_column_of_mixed_offsets_says_how_to_parse_it():
    days = pd.date_range("2021-03-15", periods=30, freq="D", tz="Europe/Berlin")
    long = pd.DataFrame({"unique_id": "a", "ds": [d.isoformat() for d in days],
                         "y": np.sin(np.arange(30.0))})
    with pytest.raises(ValueError, match=r"different UTC offsets .*pd.to_datetime\(df\['ds'\], "
                                         r"utc=True\).dt.tz_convert"):
        tsgate.GRUForecaster(horizon=2, n_models=1, **FAST).fit(long)
    fixed = long.assign(ds=pd.to_datetime(long["ds"], utc=True).dt.tz_convert("Europe/Berlin"))
    forecast = tsgate.GRUForecaster(horizon=2, n_models=1, **FAST).fit(fixed).predict()
    assert list(forecast["ds"]) == list(pd.date_range("2021-04-14", periods=2, tz="Europe/Berlin"))
    with pytest.raises(ValueError, match="time column 'ds' cannot be read as dates"):
        tsgate.GRUForecaster(horizon=2, n_models=1, **FAST).fit(long.assign(ds="abc"))


def test_backtest_warmup_plotting_and_forecast_long_arguments_from_a_sweep():
    """A third sweep (session 31): backtest ignored the forecaster's freq and
    raised AttributeErrors; warmup, plot_forecast and forecast_long passed
    bad arguments through to raw errors."""
    from tsgate.distributed import PerSeriesForecaster, forecast_long
    from tsgate.warmup import warmup
    months = pd.date_range("2015-01-01", periods=40, freq="MS")
    y = pd.Series(50 + np.arange(40.0) + 5 * np.sin(np.arange(40) * np.pi / 6), index=months)
    quick = dict(FAST, n_models=1)
    gappy = y.drop(months[[10, 20]])  # no frequency to infer: freq="MS" puts it on the grid
    out = tsgate.backtest(tsgate.GRUForecaster(horizon=3, freq="MS", **quick), gappy, start=34)
    assert list(out["time"]) == list(months[34:40])
    with pytest.raises(TypeError, match="backtest takes y as a pd.Series or pd.DataFrame"):
        tsgate.backtest(tsgate.GRUForecaster(horizon=3, **quick), y.to_numpy(), start=34)
    with pytest.raises(TypeError, match="backtest takes a forecaster .* got GRURegressor"):
        tsgate.backtest(tsgate.GRURegressor(), y, start=34)
    with pytest.raises(ValueError, match="stride must be a positive integer, got True"):
        tsgate.backtest(tsgate.GRUForecaster(horizon=3, **quick), y, start=34, stride=True)
    wide = pd.DataFrame({"a": y, "b": 2 * y})
    per = tsgate.backtest(PerSeriesForecaster(tsgate.GRUForecaster(horizon=3, **quick)), wide,
                          start=34)  # the template's horizon
    assert sorted(set(per["step"])) == [1, 2, 3] and set(per["series"]) == {"a", "b"}
    long = pd.DataFrame({"store": "a", "date": months, "sales": y.to_numpy()})
    with pytest.raises(TypeError, match="name its columns: id_col=, time_col=, value_col="):
        tsgate.backtest(tsgate.GRUForecaster(horizon=3, **quick), long, start=34)
    # a ValueError too, as README's table and a long frame missing only "y" give it
    with pytest.raises(ValueError, match="name its columns: id_col=, time_col=, value_col="):
        tsgate.GRUForecaster(horizon=3, **quick).fit(long)
    for bad, exc in ((None, TypeError), (["lstm", 1], ValueError), ("bogus", ValueError)):
        with pytest.raises(exc, match="models must be"):
            warmup(bad)
    with pytest.raises(TypeError, match="parallel must be True or False"):
        warmup("gru", parallel="no")
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['hidden_sise'\] of "
                                         "LSTMForecaster; valid ones: .*'hidden_size'"):
        forecast_long(pd.DataFrame({"unique_id": "a", "ds": months, "y": y.to_numpy()}), 3,
                      hidden_sise=4)


def test_plot_forecast_takes_the_first_of_an_array_of_axes_and_refuses_a_bool_history():
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    y = pd.Series(np.sin(np.arange(30.0)), index=pd.date_range("2020-01-01", periods=30))
    forecast = pd.Series([0.0, 0.1], index=pd.date_range("2020-01-31", periods=2))
    fig, axes = plt.subplots(2)
    try:
        assert tsgate.plot_forecast(y, forecast, ax=axes) is fig
        assert len(axes[0].lines) == 2 and len(axes[1].lines) == 0
        with pytest.raises(ValueError, match="history must be a positive integer, got True"):
            tsgate.plot_forecast(y, forecast, ax=axes[0], history=True)
        with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
            tsgate.plot_forecast(y, forecast, ax=[1, 2])
    finally:
        plt.close(fig)


def test_an_intermittent_series_band_reaches_zero():
    """Mostly zeros (slow-moving sales): the lower quantiles are 0, so a band
    whose lower tail is below the recent share of zeros starts at 0 (the
    symmetric band started above it and missed every 0, session 31)."""
    from types import SimpleNamespace

    from tsgate.bands import zero_shares
    rng = np.random.default_rng(402)
    days = pd.date_range("2022-01-01", periods=365, freq="D")
    sales = pd.Series(np.where(rng.random(365) < 0.15, rng.poisson(3, 365) + 1, 0.0), index=days)
    # (on these 351 days the symmetric 80% band's lower bound was 0.03-0.11 at most steps)
    model = tsgate.GRUForecaster(horizon=14, n_models=1, **FAST).fit(sales.iloc[:-14])
    band = model.predict_interval(coverage=[0.5, 0.8])
    assert (band["lower_80"] == 0).all() and (band["upper_80"] > 0).all()
    assert (model.predict_quantiles([0.1])["q_0.1"] == 0).all()
    # the share weighs the recent past: halving every noise_half_life steps (4 here)
    one = SimpleNamespace(period=1)
    late, early = zero_shares([np.r_[np.ones(40), np.zeros(10)], np.r_[np.zeros(10), np.ones(40)]],
                              [one, one], 1)[:, 0]
    assert late > 0.8 and early < 0.01
    assert zero_shares([np.r_[-1.0, np.zeros(20)]], [one], 1)[0, 0] == 0  # goes below 0: no atom
    # one zero is a dropout, not an atom (it set the 80% and 95% lower bounds of a
    # series near 100 to 0); two are
    dropout = np.r_[np.full(40, 100.0), 0.0, np.full(3, 100.0)]
    assert zero_shares([dropout], [one], 1)[0, 0] == 0
    assert zero_shares([np.r_[dropout[:-2], 0.0, 100.0]], [one], 1)[0, 0] > 0.2
    # by phase: 0 in the first 4 months of each year only, so only those steps reach 0
    yearly = SimpleNamespace(period=12)
    shares = zero_shares([np.tile(np.r_[np.zeros(4), np.ones(8)], 5)], [yearly], 14)[0]  # (14,)
    np.testing.assert_array_equal(shares > 0.5, np.tile(np.r_[np.ones(4), np.zeros(8)], 2)[:14] > 0)


@pytest.mark.parametrize("tz", [None, "Europe/Berlin"])
def test_pyarrow_backed_times_are_datetimes(tz):
    """``read_parquet``/``read_csv(dtype_backend="pyarrow")`` give time
    columns of dtype ``timestamp[ns][pyarrow]``: they mean dates, in every
    layout (session 32: "needs a DatetimeIndex")."""
    pa = pytest.importorskip("pyarrow")
    index = pd.date_range("2000-01-01", periods=30, freq="MS", tz=tz)
    values = 10 + np.sin(np.arange(30.0))
    expected = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(
        pd.Series(values, index=index)).predict()
    arrow = pd.Series(index).astype(pd.ArrowDtype(pa.timestamp("ns", tz=tz)))
    long = pd.DataFrame({"unique_id": "a", "ds": arrow, "y": values})
    inputs = [pd.Series(values, index=pd.Index(arrow)), long,
              pd.Series(values, index=pd.MultiIndex.from_arrays([["a"] * 30, arrow]))]
    for y in inputs:
        got = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(y).predict()
        got = got.set_index("ds")["y"] if isinstance(got, pd.DataFrame) else got
        got = got.droplevel(0) if isinstance(got.index, pd.MultiIndex) else got
        np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())
        if y is not inputs[0]:  # a collection's forecast keeps the input's time dtype
            assert got.index.dtype == arrow.dtype
        assert numpy_backed(got.index).equals(expected.index)
    if tz is None:  # dates (date32) too
        dates = pd.Index(pd.Series(index).astype(pd.ArrowDtype(pa.date32())))
        got = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(
            pd.Series(values, index=dates)).predict()
        assert got.index.equals(expected.index)


def test_semi_month_dates_without_a_freq_are_a_regular_index():
    """pandas infers no frequency for the 1st and 15th of each month, so a
    complete such index was refused, with a hint of freq='D' that made a
    daily forecast on a grid 93% NaN (session 32). A complete calendar grid
    is regular; one with a gap gets the hint 'SMS'."""
    index = pd.DatetimeIndex(list(pd.date_range("2021-01-01", periods=60, freq="SMS")))
    assert index.freq is None
    y = pd.Series(100 + np.sin(np.arange(60.0)), index=index)
    future = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(y).predict().index
    assert future.tolist() == pd.to_datetime(["2023-07-01", "2023-07-15", "2023-08-01"]).tolist()
    with pytest.raises(ValueError, match=r"freq='SMS'"):
        tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(y.drop(index[10]))


def test_long_columns_must_be_three_different_ones():
    long = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2020-01-01", periods=30,
                                                               freq="MS"), "y": np.arange(30.0)})
    with pytest.raises(ValueError, match="id_col and time_col both name the column 'ds'"):
        tsgate.GRUForecaster(id_col="ds", n_models=1, **FAST).fit(long)
    with pytest.raises(ValueError, match="id_col and value_col both name the column 'unique_id'"):
        forecast_long(long, 3, value_col="unique_id", n_models=1, **FAST)


def test_a_series_ending_in_missing_values_is_forecast_across_the_gap():
    """A series that stopped reporting (its last 20 steps NaN) is forecast
    for the steps after the end of its index, as labelled: 21-23 steps after
    its last observation, with bands of those steps (session 32: the
    forecasts of steps 1-3, labelled 21-23, and their narrow bands)."""
    index = pd.date_range("2020-01-01", periods=60, freq="MS")
    y = pd.Series(100 + 2.0 * np.arange(60) + np.sin(np.arange(60.0)), index=index)
    stopped = y.copy()
    stopped.iloc[-20:] = np.nan
    model = tsgate.GRUForecaster(horizon=3, n_models=2, **FAST).fit(stopped)
    forecast, band = model.predict(), model.predict_interval(coverage=0.8)
    assert forecast.index.equals(pd.date_range("2025-01-01", periods=3, freq="MS"))
    across = model.predict(y=y.iloc[:40], horizon=23)  # the same model from the last observation
    np.testing.assert_allclose(forecast.to_numpy(), across.to_numpy()[-3:])
    wide_band = model.predict_interval(coverage=0.8, y=y.iloc[:40], horizon=23).to_numpy()[-3:]
    np.testing.assert_allclose(band.to_numpy(), wide_band)
    # a wide frame: the stopped column the same way, the other as it is
    other = pd.Series(50 + np.sin(np.arange(60.0)), index=index)
    wide = tsgate.GRUForecaster(horizon=3, n_models=2, **FAST).fit(
        pd.DataFrame({"stopped": stopped, "other": other}))
    got = wide.predict()
    assert got.index.equals(forecast.index) and np.isfinite(got.to_numpy()).all()
    with pytest.raises(ValueError, match="has 1 step"):
        model.predict(y=y.iloc[:41].where(np.arange(41) < 1))


def test_features_on_the_same_dates_at_another_resolution_are_matched():
    """Parquet and Arrow give datetime64[us] or [ms]: X on y's dates at
    another unit was refused as not matching them (session 32)."""
    index = pd.date_range("2020-01-01", periods=40, freq="MS")
    y = pd.Series(10 + np.sin(np.arange(40.0)), index=index)
    X = pd.DataFrame({"promo": (np.arange(43) % 4 == 0) * 1.0},
                     index=pd.date_range("2020-01-01", periods=43, freq="MS"))
    expected = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(y, X.iloc[:40]).predict(
        X=X.iloc[40:])
    for unit in ("s", "ms", "us"):
        Xu = X.set_axis(X.index.as_unit(unit))
        model = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(y, Xu.iloc[:40])
        pd.testing.assert_series_equal(model.predict(X=Xu.iloc[40:]), expected)


def test_result_columns_named_like_the_ids_or_times_are_refused():
    long = pd.DataFrame({"lower": np.repeat(["a", "b"], 30),
                         "ds": np.tile(pd.date_range("2020-01-01", periods=30, freq="MS"), 2),
                         "y": np.r_[np.arange(30.0), 100 + np.arange(30.0)]})
    model = tsgate.GRUForecaster(horizon=2, n_models=1, id_col="lower", **FAST).fit(long)
    assert list(model.predict()["lower"]) == ["a", "a", "b", "b"]
    with pytest.raises(ValueError, match="id_col is named 'lower', the name of a result column"):
        model.predict_interval(coverage=0.8)
    # forecast_long's forecast beside its bounds: a value column "lower" gave way to the
    # lower bound, and the forecast was gone
    from tsgate.distributed import forecast_long

    values = long.rename(columns={"lower": "unique_id", "y": "lower"})
    with pytest.raises(ValueError, match="column 'lower' has the name of a bound's column"):
        forecast_long(values, 2, value_col="lower", coverage=0.8, n_models=1, **FAST)
    point = forecast_long(values, 2, value_col="lower", n_models=1, **FAST)
    assert list(point.columns) == ["unique_id", "ds", "lower"]


def test_a_forecaster_at_the_end_of_a_pipeline_says_why_it_cannot_be():
    from sklearn.pipeline import make_pipeline

    y = pd.DataFrame({"a": 10 + np.sin(np.arange(40.0))},
                     index=pd.date_range("2020-01-01", periods=40, freq="MS"))
    pipeline = make_pipeline(tsgate.GRUForecaster(horizon=3, n_models=1, **FAST)).fit(y)
    with pytest.raises(ValueError, match="got a DataFrame: a forecaster's predict takes"):
        pipeline.predict(y)


def test_a_long_frame_without_ids_and_a_grid_finer_than_the_dates():
    """Two silent readings from other libraries' habits: a frame ds, y without
    unique_id was a wide frame whose times were forecast as a series, and
    freq='D' on monthly dates forecast 3 days on a grid 97% empty."""
    quick = dict(FAST, n_models=1)
    months = pd.date_range("2020-01", periods=24, freq="MS")
    frame = pd.DataFrame({"ds": np.arange(24), "y": np.arange(24.0) % 5})
    with pytest.raises(ValueError, match=r"y has a column 'ds' \(time_col\) but no 'unique_id' "
                                         r"\(id_col\).*y.set_index\('ds'\)\['y'\]"):
        tsgate.GRUForecaster(horizon=3, **quick).fit(frame)
    y = pd.Series(np.arange(24.0) % 5, index=months)
    with pytest.raises(ValueError, match="y's dates step by 'MS'; freq='D' puts them on a grid "
                                         "29.2 times as dense, 97% of its dates missing"):
        tsgate.GRUForecaster(horizon=3, freq="D", **quick).fit(y)
    assert tsgate.GRUForecaster(horizon=3, freq="MS", **quick).fit(y).predict().index[0] == \
        pd.Timestamp("2022-01-01")


def test_a_regressor_refuses_text_dates_and_durations():
    """NumPy turned numbers written as text into floats and dates into
    counts of days: a regressor trained on them without a word (session
    44's sweep). Numbers held as Python objects still convert (scikit-learn's
    own checks fit such arrays)."""
    X = np.arange(40.0).reshape(10, 4)
    y = X.sum(1)
    dates = np.datetime64("2020-01-01") + X.astype("timedelta64[D]")
    for bad, what in [(X.astype(str), "text"), (dates, "dates or times"),
                      (X.astype("timedelta64[D]"), "durations"),
                      (pd.DataFrame(X).astype(str), "text"),
                      (pd.DataFrame(X).astype("category"), "text or categories"),
                      (np.array([list(map(str, r)) for r in X], dtype=object), "text")]:
        with pytest.raises(ValueError, match=f"X must hold numbers, not {what}"):
            tsgate.GRURegressor(**FAST).fit(bad, y)
    with pytest.raises(ValueError, match="y must hold numbers, not text"):
        tsgate.GRURegressor(**FAST).fit(X, y.astype(str))
    model = tsgate.GRURegressor(**FAST).fit(X.astype(object), y)
    with pytest.raises(ValueError, match="X must hold numbers, not text"):
        model.predict(X.astype(str))
    assert model.predict(X.astype(object)).shape == (10,)


def test_zeros_before_a_launch_are_read_as_a_later_start():
    """Zeros until a product's launch, then sales near 100: the zeros were
    smoothed and windowed with the sales (2-3x seasonal naive's error, a 95%
    band 200 wide at a noise of 3). A run of zeros at the start longer than a
    season is now left out, as leading NaN are; zeros that recur each season
    are shorter and stay."""
    rng = np.random.default_rng(700)
    t = np.arange(96)
    sales = 100 + 20 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 3, 96)
    index = pd.date_range("2000-01-01", periods=96, freq="MS")
    zeros = pd.Series(np.where(t < 60, 0.0, sales), index=index)
    late = pd.Series(np.where(t < 60, np.nan, sales), index=index)
    fits = [tsgate.GRUForecaster(horizon=6, n_models=1, **FAST).fit(y) for y in (zeros, late)]
    pd.testing.assert_series_equal(fits[0].predict(), fits[1].predict())
    pd.testing.assert_frame_equal(fits[0].predict_interval(0.8), fits[1].predict_interval(0.8))
    assert fits[0].collection_.indexes[0][0] == index[60]
    # a new history with its zeros: as the one without
    pd.testing.assert_series_equal(fits[0].predict(y=zeros.iloc[:-6]),
                                   fits[0].predict(y=late.iloc[:-6]))
    # zeros in the first 3 months of each year recur: kept
    winter = pd.Series(np.where(t % 12 < 3, 0.0, sales), index=index)
    model = tsgate.GRUForecaster(horizon=6, n_models=1, **FAST).fit(winter)
    assert model.collection_.indexes[0][0] == index[0]
    # a short history after the zeros keeps enough of them to fit on
    short = pd.Series(np.r_[np.zeros(30), 5.0, 6.0], index=index[:32])
    model = tsgate.GRUForecaster(horizon=2, n_models=1, **FAST).fit(short)
    assert len(model.collection_.values[0]) == 4


def _jumped_last(before, last):
    """48 months of ``before`` (47 values) and then ``last``."""
    return pd.Series(np.r_[before, last], pd.date_range("2010-01-01", periods=48, freq="MS"))


def test_a_jump_at_the_last_value_counts_once_in_the_band():
    """Noise 1e-3 at 50, then 80: the jump was one residual of 38,663 units
    at the cut, and the unit at the end the floor of a mean change the jump
    set (41 times the noise): the 95% band ran to 1,290 (session 51's sweep).
    The floor of a robust unit clips the changes as the unit clips errors."""
    rng = np.random.default_rng(300)
    model = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(
        _jumped_last(50 + rng.normal(0, 1e-3, 47), 80.0))
    assert model.interval_unit_ == "robust noise"
    band = model.predict_interval(coverage=0.95)
    assert (band["upper"] < 150).all() and (band["lower"] > -50).all(), band
    assert (band["lower"] <= 80).all() and (band["upper"] >= 80).all(), band


@pytest.mark.parametrize("last", [150.0, 0.0])
def test_a_constant_series_that_moved_at_its_last_value_has_no_band_of_width_0(last):
    """Every validation row held one nonzero error (the step onto the last
    value) and zeros from the constant history; those zeros made the 80%
    band [55, 55] at the first four steps (session 51's sweep). A constant
    forecast's exact zeros are left out one by one, not only by rows."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (a 95% band from 12 residuals is told so)
        model = tsgate.GRUForecaster(horizon=12, n_models=1, **FAST).fit(
            _jumped_last(np.full(47, 50.0), last))
        band = model.predict_interval(coverage=0.8)
    assert (band["lower"] <= min(50.0, last)).all() and (band["upper"] >= max(50.0, last)).all()
    constant = tsgate.GRUForecaster(horizon=12, n_models=1, **FAST).fit(
        _jumped_last(np.full(47, 50.0), 50.0))  # never moved: exact, width 0
    band = constant.predict_interval(coverage=0.8)
    assert (band["lower"] == 50).all() and (band["upper"] == 50).all()


def test_a_line_shorter_than_its_horizon_is_forecast_without_a_step_back():
    """A line of 4 points forecast 7 ahead (default settings): the networks
    learn steps 1-3 only, and their untrained outputs for steps 4-7
    predicted 0, so the forecast followed the line for 3 steps and then fell
    back by a slope (6.97 -> 6.00). The last trained output is carried on."""
    y = pd.Series(np.arange(1.0, 5.0), index=pd.date_range("2020-01-01", periods=4, freq="D"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = tsgate.GRUForecaster(horizon=7, hidden_size=8, random_state=0).fit(y)
    forecast = model.predict().to_numpy()  # (7,)
    assert np.all(np.diff(forecast) > 0.2), forecast
    np.testing.assert_allclose(forecast[:3], [5.0, 6.0, 7.0], atol=0.15)
