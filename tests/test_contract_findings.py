"""Defects found by a sweep of the estimator contract, persistence and the
evaluation tools (session 33), each with the test that would have caught
it: a refused refit that broke the fitted model, files that ``save`` wrote
and ``load`` refused, column dtypes and parameters lost or read anew after
the fit, MASE pooling the series of a collection, scorers that failed on a
search or handed NaN to a plain metric; and in collections: a history at
another frequency accepted where no freq was set, a fit mixing frequencies,
tuple ids, the ids' dtype, text dates on a MultiIndex; one broken series that
widened the bands of every series in its collection."""
import datetime
import io
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score

import tsgate
from tests.conftest import FAST
from tsgate import metrics
from tsgate.datasets import load_airline

P = dict(FAST, horizon=6, n_models=2)
MONTHS = pd.date_range("2020-01-01", periods=48, freq="MS")


def _wide(ids=("s0", "s1"), n=48, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return pd.DataFrame({c: 10 + i + np.sin(2 * np.pi * t / 12) + rng.normal(0, .3, n)
                         for i, c in enumerate(ids)}, index=MONTHS[:n])


def _long(wide):
    s = wide.stack().swaplevel().sort_index()
    s.index.names = ["unique_id", "ds"]
    return s.rename("y").reset_index()


def _round_trip(model):
    buffer = io.BytesIO()
    model.save(buffer)
    buffer.seek(0)
    return tsgate.load(buffer)


def _fit(model, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(*args)


# --------------------------------------------------------------- the contract
@pytest.mark.parametrize("change, data", [
    ({"horizon": 3}, "short"),  # refused: too few observations
    ({"normalize": "standard"}, "short"),
    ({"horizon": 10**6}, "same"),  # refused by the size check
])
def test_a_refused_refit_leaves_the_fitted_model_as_it_was(change, data):
    """fit set horizon_, normalize_, windows_ ... before its checks raised:
    the old networks then met the new settings (a broadcast error, or a
    silently different forecast)."""
    y = load_airline()
    model = _fit(tsgate.GRUForecaster(**P), y)
    before, band = model.predict(), model.predict_interval()
    short = pd.Series([1.0, 2.0, 3.0], index=MONTHS[:3])
    with pytest.raises(ValueError):
        _fit(model.set_params(**change), short if data == "short" else y)
    model.set_params(horizon=6, normalize=tsgate.GRUForecaster().normalize)
    pd.testing.assert_series_equal(model.predict(), before)
    pd.testing.assert_frame_equal(model.predict_interval(), band)


def test_set_params_after_fit_does_not_change_how_predict_reads_its_input():
    long = _long(_wide()).rename(columns={"unique_id": "sku"})
    X = long[["sku", "ds"]].assign(f=np.arange(len(long)) % 3.0)
    future = pd.MultiIndex.from_product([["s0", "s1"], pd.date_range("2024-01-01", periods=6,
                                                                     freq="MS")],
                                        names=["sku", "ds"])
    X_future = pd.DataFrame({"f": np.arange(12) % 3.0}, index=future).reset_index()
    model = _fit(tsgate.GRUForecaster(**P, id_col="sku"), long, X)
    expected = model.predict(X=X_future)
    model.set_params(id_col="store")  # for the next fit
    pd.testing.assert_frame_equal(model.predict(X=X_future), expected)
    pd.testing.assert_frame_equal(_round_trip(model).predict(X=X_future), expected)


def test_set_params_attention_after_fit_acts_at_the_next_fit():
    """predict and predict_attention read the parameter, not the fitted
    network: attention=True set on a plain network failed with KeyError
    'weights', and attention=False set on an attention network refused its
    weights."""
    X, Y = tsgate.make_windows(np.sin(np.arange(60) / 4), window=8, horizon=2)
    with_att = tsgate.LSTMRegressor(**FAST, attention=True).fit(X, Y)
    plain = tsgate.LSTMRegressor(**FAST).fit(X, Y)
    before = [with_att.predict(X), with_att.predict_attention(X), plain.predict(X)]
    with_att.set_params(attention=False)
    plain.set_params(attention=True)
    np.testing.assert_array_equal(with_att.predict(X), before[0])
    np.testing.assert_array_equal(with_att.predict_attention(X), before[1])
    np.testing.assert_array_equal(plain.predict(X), before[2])
    with pytest.raises(ValueError, match="has no attention: fit it with attention=True"):
        plain.predict_attention(X)


def test_a_refit_keeps_no_state_of_the_fit_before():
    y = load_airline()
    X = pd.DataFrame({"f": np.arange(len(y)) % 5.0}, index=y.index)
    model = _fit(_fit(tsgate.GRUForecaster(**P), y, X), y)
    assert not hasattr(model, "exog_mean_") and not hasattr(model, "exog_scale_")
    windows = np.random.default_rng(0).normal(size=(30, 6))
    reg = tsgate.GRURegressor(**FAST, early_stopping=True)
    _fit(reg, windows, windows[:, -1])
    assert hasattr(reg, "validation_loss_curve_")
    _fit(reg.set_params(early_stopping=False), windows, windows[:, -1])
    fresh = _fit(tsgate.GRURegressor(**FAST), windows, windows[:, -1])
    assert sorted(k for k in vars(reg) if k.endswith("_")) == \
        sorted(k for k in vars(fresh) if k.endswith("_"))


def test_features_with_bool_labels_are_matched_by_name():
    """pandas reads a list of bool labels as a row mask: X given in another
    column order failed with "Item wrong length", or with two rows named a
    date it had."""
    y = load_airline()
    X = pd.DataFrame({True: np.arange(len(y)) % 5.0, False: np.cos(np.arange(len(y)))},
                     index=y.index)
    future = pd.DataFrame({True: np.arange(6) % 5.0, False: np.cos(np.arange(6))},
                          index=pd.date_range("1961-01-01", periods=6, freq="MS"))
    model = _fit(tsgate.GRUForecaster(**P), y, X)
    expected = model.predict(X=future)
    pd.testing.assert_series_equal(model.predict(X=future.iloc[:, ::-1]), expected)
    pd.testing.assert_series_equal(model.predict(horizon=2, X=future.iloc[:2, ::-1]),
                                   model.predict(horizon=2, X=future.iloc[:2]))


# ----------------------------------------------------------------- persistence
@pytest.mark.parametrize("tz", ["tzutc", "tzoffset", "timezone"])
def test_fixed_offset_time_zones_are_saved(tz):
    """``str(tz)`` of a dateutil zone (``tzutc()``) is no name pandas reads:
    the file was written, then refused as damaged."""
    from dateutil import tz as dateutil_tz
    zone = {"tzutc": dateutil_tz.tzutc(), "tzoffset": dateutil_tz.tzoffset("IST", 19800),
            "timezone": datetime.timezone(datetime.timedelta(hours=-3))}[tz]
    y = pd.Series(_wide()["s0"].to_numpy(), index=pd.date_range("2021-01-01", periods=48,
                                                                  freq="D", tz=zone))
    model = _fit(tsgate.GRUForecaster(**P), y)
    loaded = _round_trip(model)
    expected, got = model.predict(), loaded.predict()
    np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())
    assert (got.index == expected.index).all()  # the same instants
    assert (got.index.tz_localize(None) == expected.index.tz_localize(None)).all()  # wall times


def test_a_time_zone_without_a_name_is_refused_at_save():
    """A zone read from a file has no name pandas reads, and its offsets
    change: refused when saving, not written unreadable."""
    import zoneinfo
    from importlib import resources
    with (resources.files("tzdata.zoneinfo") / "Europe" / "Berlin").open("rb") as fh:
        zone = zoneinfo.ZoneInfo.from_file(fh)  # no key: str() is no zone name
    y = pd.Series(np.arange(48.0), index=pd.date_range("2021-01-01", periods=48, freq="D",
                                                       tz="UTC").tz_convert(zone))
    model = _fit(tsgate.GRUForecaster(**P), y)
    with pytest.raises(TypeError, match="cannot save the time zone"):
        model.save(io.BytesIO())


def test_a_custom_business_day_calendar_is_saved():
    """``freq="C"`` with holidays was saved as "C", which loses them: load
    refused the file as damaged."""
    freq = pd.offsets.CustomBusinessDay(holidays=["2020-02-17"], weekmask="Mon Tue Wed Thu")
    index = pd.date_range("2020-01-06", periods=48, freq=freq)
    y = pd.Series(_wide()["s0"].to_numpy(), index=index)
    model = _fit(tsgate.GRUForecaster(**P), y)
    loaded = _round_trip(model)
    pd.testing.assert_series_equal(loaded.predict(), model.predict())
    assert loaded.predict().index.freq == freq


@pytest.mark.parametrize("kind", ["category", "string", "tuples"])
def test_wide_column_labels_keep_their_dtype_through_a_file(kind):
    wide = _wide()
    if kind == "category":
        wide.columns = pd.CategoricalIndex(wide.columns, categories=["s1", "s0", "unused"],
                                           name="unique_id")
    elif kind == "string":
        wide.columns = pd.Index(list(wide.columns), dtype="string")
    else:  # tuples were refused at save
        wide.columns = pd.Index([("a", 1), ("b", None)], tupleize_cols=False)
    model = _fit(tsgate.GRUForecaster(**P), wide)
    loaded = _round_trip(model)
    pd.testing.assert_frame_equal(loaded.predict(), model.predict())
    pd.testing.assert_frame_equal(loaded.predict_interval(), model.predict_interval())


def test_streams_that_cannot_seek_are_read_and_written():
    """An HTTP or S3 body has read() only; an upload stream write() only."""
    class Body:
        def __init__(self, data):
            self._buffer = io.BytesIO(data)

        def read(self, n=-1):
            return self._buffer.read(n)

    class Sink:
        def __init__(self):
            self.data = b""

        def write(self, data):
            self.data += bytes(data)
            return len(data)

    model = _fit(tsgate.GRUForecaster(**P), load_airline())
    sink = Sink()
    model.save(sink)
    pd.testing.assert_series_equal(tsgate.load(Body(sink.data)).predict(), model.predict())


def test_a_damaged_array_header_is_called_damaged():
    """Every ValueError of NumPy's reader was reported as an object array."""
    model = _fit(tsgate.GRUForecaster(**P), load_airline())
    buffer = io.BytesIO()
    model.save(buffer)
    raw = bytearray(buffer.getvalue())
    at = raw.find(b"'descr'")
    raw[at + 10] = ord("X")
    with pytest.raises(ValueError, match="damaged tsgate model file"):
        tsgate.load(io.BytesIO(bytes(raw)))


# ------------------------------------------------------------------ evaluation
def _collection_forecast():
    """Two series of very different scales, every forecast 1 off."""
    rng = np.random.default_rng(0)
    train = pd.DataFrame({"big": 10000 + rng.normal(0, 100, 36),
                          "small": 10 + rng.normal(0, 1, 36)}, index=MONTHS[:36])
    test = pd.DataFrame({"big": np.full(6, 10000.0), "small": np.full(6, 10.0)},
                        index=MONTHS[36:42])
    return train, test, test + 1.0


def _stacked(wide):
    s = wide.stack().swaplevel().sort_index()
    s.index.names = ["unique_id", "ds"]
    return s.rename("y")


@pytest.mark.parametrize("layout", ["multiindex", "long"])
def test_mase_and_msis_scale_each_series_of_a_collection(layout):
    """A collection's y_train was read as one series: one scale for all, and
    naive differences across two series' boundary (0.0036 for 0.74)."""
    train, test, pred = _collection_forecast()
    convert = _stacked if layout == "multiindex" else (lambda w: _long(w))
    expected = metrics.mase(test, pred, train)
    assert metrics.mase(convert(test), convert(pred), convert(train)) == pytest.approx(expected)
    per_series = [metrics.mase(test[c], pred[c], train[c]) for c in train]
    assert expected == pytest.approx(np.mean(per_series))
    lower, upper = pred - 2.0, pred + 2.0
    assert metrics.msis(convert(test), convert(lower), convert(upper), convert(train)) == \
        pytest.approx(metrics.msis(test, lower, upper, train))
    with pytest.raises(ValueError, match="same layout"):
        metrics.mase(test, pred, convert(train))


def test_the_mase_scorer_matches_mase_on_the_forecast():
    train, test, _ = _collection_forecast()
    model = _fit(tsgate.GRUForecaster(**P), _stacked(train))
    scored = metrics.neg_mase_scorer(model, _stacked(test))
    direct = metrics.mase(_stacked(test), model.predict().rename("y"), _stacked(train),
                          season_length=model.season_length_)
    assert scored == pytest.approx(-direct)


def test_scorers_score_a_search_in_nested_cross_validation():
    y = load_airline()
    inner = GridSearchCV(tsgate.GRUForecaster(**dict(P, n_models=1)), {"hidden_size": [2, 4]},
                         cv=TimeSeriesSplit(2, test_size=6))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for scorer in (metrics.neg_mae_scorer, metrics.neg_mase_scorer, metrics.neg_msis_scorer):
            scores = cross_val_score(inner, y, cv=TimeSeriesSplit(2, test_size=6),
                                     scoring=scorer, error_score="raise")
            assert np.isfinite(scores).all()
    regressor = _fit(tsgate.GRURegressor(**FAST), np.zeros((8, 4)), np.zeros(8))
    with pytest.raises(TypeError, match="takes no horizon"):
        metrics.neg_mae_scorer(regressor, y.iloc[-6:])


def test_a_plain_metric_gets_only_the_observed_steps():
    """With a gap between the folds, the gap's steps were NaN in y_true and
    scikit-learn's metrics refused them."""
    y = load_airline()
    model = tsgate.GRUForecaster(**dict(P, n_models=1))
    cv = TimeSeriesSplit(2, test_size=6, gap=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = cross_val_score(model, y, cv=cv, scoring=metrics.neg_mae_scorer)
        theirs = cross_val_score(model, y, cv=cv,
                                 scoring=metrics.make_forecast_scorer(mean_absolute_error))
    np.testing.assert_allclose(theirs, ours)


def test_metric_messages_name_the_series_and_its_observations():
    train = pd.DataFrame({"old": np.arange(36.0), "new": np.r_[np.full(29, np.nan),
                                                               np.arange(7.0)]},
                         index=MONTHS[:36])
    test = pd.DataFrame({"old": np.ones(3), "new": np.ones(3)}, index=MONTHS[36:39])
    with pytest.raises(ValueError, match=r"series 'new' has no pair .* 12 steps apart \(7 observed"):
        metrics.mase(test, test, train, season_length=12)
    with pytest.raises(ValueError, match="y_train is empty"):
        metrics.mase([1.0, 2.0], [1.0, 2.0], [])


def test_backtest_messages_say_what_was_given():
    y = load_airline().iloc[:60]
    with pytest.raises(ValueError, match=r"start=-100 \(position -40\)"):
        tsgate.backtest(tsgate.GRUForecaster(**P), y, start=-100)
    apart = pd.concat([
        pd.DataFrame({"unique_id": "A", "ds": pd.date_range("2000-01-01", periods=30, freq="MS"),
                      "y": np.arange(30.0)}),
        pd.DataFrame({"unique_id": "B", "ds": pd.date_range("2010-01-01", periods=30, freq="MS"),
                      "y": np.arange(30.0)})], ignore_index=True)
    with pytest.raises(ValueError, match="union of their times"):
        tsgate.backtest(tsgate.GRUForecaster(**P), apart, start=-8)


# ----------------------------------------------------------------- collections
def _series(key, start, n, freq="MS", seed=0):
    rng = np.random.default_rng(seed)
    index = pd.MultiIndex.from_arrays([[key] * n, pd.date_range(start, periods=n, freq=freq)])
    return pd.Series(10 + np.cumsum(rng.normal(0, .1, n)) + .01 * np.arange(n), index=index)


def _undated(freq, n=36):
    """Dates without freq, as read_csv and every long frame give them."""
    return pd.DatetimeIndex(pd.date_range("2000-01-01", periods=n, freq=freq).to_numpy())


def test_a_history_at_another_frequency_is_refused_without_a_freq_set():
    """Both indexes' freq None passed the check ``index.freq == ref.freq``:
    quarterly history for monthly networks forecast quarterly dates."""
    values = _wide()["s0"].to_numpy()[:36]
    model = _fit(tsgate.GRUForecaster(**P), pd.Series(values, index=_undated("MS")))
    with pytest.raises(ValueError, match=r"steps by QS-\w+, the training data by MS"):
        model.predict(y=pd.Series(values, index=_undated("QS")))
    monthly = _long(pd.DataFrame({"a": values}, index=_undated("MS")))
    yearly = _long(pd.DataFrame({"a": values}, index=_undated("YS")))
    model = _fit(tsgate.GRUForecaster(**P), monthly)
    with pytest.raises(ValueError, match="the training data by MS"):
        model.predict(y=yearly)


def test_period_indexes_of_one_offset_pass_and_of_two_are_refused():
    """Periods of one offset skip the step's measure (0.7 ms a series
    through to_timestamp); of two offsets they are still measured."""
    values = _wide()["s0"].to_numpy()[:36]
    monthly = pd.Series(values, index=pd.period_range("2000-01", periods=36, freq="M"))
    model = _fit(tsgate.GRUForecaster(**P), monthly)
    later = pd.Series(values, index=pd.period_range("2005-01", periods=36, freq="M"))
    assert model.predict(y=later).index[0] == pd.Period("2008-01", freq="M")
    quarterly = pd.Series(values, index=pd.period_range("2000Q1", periods=36, freq="Q"))
    with pytest.raises(ValueError, match=r"steps by QE?-DEC, the training data by ME?"):
        model.predict(y=quarterly)


def test_a_collection_of_two_frequencies_is_refused_at_fit():
    """The season length came from whichever series was first (12 or 4)."""
    both = pd.concat([_series("m", "2000-01-01", 48), _series("q", "2000-01-01", 48, "QS")])
    with pytest.raises(ValueError, match=r"series .q. steps by QS-\w+, its first series .m. by MS"):
        _fit(tsgate.GRUForecaster(**P), both)
    # month starts beside month ends are one frequency
    anchors = pd.concat([_series("s", "2000-01-01", 36), _series("e", "2000-01-31", 36, "ME")])
    model = _fit(tsgate.GRUForecaster(**P), anchors)
    assert model.predict().loc["e"].index[0] == pd.Timestamp("2003-01-31")


def test_a_short_history_at_another_datetime_unit_continues_the_fitted_series():
    """A history of 3 months in "us" (parquet) after a fit in "ns" was not
    extended back by the fitted values: a forecast of its own, and a warning."""
    y = load_airline()
    model = _fit(tsgate.GRUForecaster(**P), y.iloc[:-3])
    recent = y.iloc[-3:]
    microseconds = recent.set_axis(recent.index.as_unit("us"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(model.predict(y=microseconds).to_numpy(),
                                      model.predict(y=recent).to_numpy())


def test_tuple_ids_with_features_and_in_backtest():
    y = pd.concat([_series(("a", 1), "2000-01-01", 30), _series(("b", 2), "2000-02-01", 30)])
    X = pd.DataFrame({"f": np.arange(len(y)) % 3.0}, index=y.index)
    future = pd.DataFrame({"f": [0.0, 1.0, 0.0, 1.0]}, index=pd.MultiIndex.from_arrays(
        [[("a", 1), ("a", 1), ("b", 2), ("b", 2)],
         pd.to_datetime(["2002-07-01", "2002-08-01", "2002-08-01", "2002-09-01"])]))
    model = _fit(tsgate.GRUForecaster(**dict(P, horizon=2)), y, X)
    assert list(model.predict(X=future).index.get_level_values(0).unique()) == [("a", 1), ("b", 2)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = tsgate.backtest(tsgate.GRUForecaster(**dict(P, horizon=3)), y.iloc[:-1],
                                 start=-6)
    assert set(result["series"]) == {("a", 1), ("b", 2)}
    assert result["actual"].notna().all() and (result["error"] == result["actual"]
                                               - result["forecast"]).all()


@pytest.mark.parametrize("dtype", ["int32", "Int64", "string", "float32"])
def test_forecasts_keep_the_ids_dtype(dtype):
    long = _long(_wide(("1", "2")))
    long["unique_id"] = long["unique_id"].astype(int).astype(dtype)
    model = _fit(tsgate.GRUForecaster(**P), long)
    assert model.predict()["unique_id"].dtype == long["unique_id"].dtype
    assert _round_trip(model).predict()["unique_id"].dtype == long["unique_id"].dtype


def test_text_dates_on_a_multiindex_parse_as_in_a_long_frame():
    long = _long(_wide())
    long["ds"] = long["ds"].dt.strftime("%Y-%m-%d")
    on_index = long.set_index(["unique_id", "ds"])["y"]
    model = _fit(tsgate.GRUForecaster(**P), on_index)
    expected = _fit(tsgate.GRUForecaster(**P), long).predict()
    np.testing.assert_array_equal(model.predict().to_numpy(), expected["y"].to_numpy())
    assert model.predict().index.get_level_values(1)[0] == pd.Timestamp("2024-01-01")


@pytest.mark.parametrize("fault", ["short", "gap"])
def test_the_cli_names_a_bad_first_series_as_the_fit_does(tmp_path, capsys, fault):
    """The default horizon came from the first series' dates, before the
    fit's checks: an error naming no series, with Python advice."""
    from tsgate.cli import main
    long = _long(_wide(("first", "second"), n=30))
    if fault == "short":
        long = long[(long.unique_id == "second") | (long.ds < MONTHS[2])]
    else:
        long = long.drop(index=5)
    path = tmp_path / "long.csv"
    long.to_csv(path, index=False)
    code = main(["forecast", str(path), "--id-column", "unique_id", "--max-iter", "2", "--quiet"])
    err = capsys.readouterr().err
    assert code != 0 and "'first'" in err, err


def test_one_broken_series_does_not_widen_the_others_bands():
    """A level shift in one series of three (or of ten) made each clean
    series' 95% band 7-13 times its width alone: the shifted series' rows
    set the pooled 95% quantile."""
    rng = np.random.default_rng(9)
    n, t = 96, np.arange(96)
    index = pd.date_range("2012-01-01", periods=n, freq="MS")
    clean = [100 + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 2, n) for _ in range(2)]
    df = pd.DataFrame({"shifted": np.r_[100 + rng.normal(0, 2, 88), 150 + rng.normal(0, 2, 8)],
                       "a": clean[0], "b": clean[1]}, index=index)
    params = {"horizon": 12, "hidden_size": 8, "max_iter": 20, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        together = tsgate.GRUForecaster(**params).fit(df)
        alone = tsgate.GRUForecaster(**params).fit(df[["a", "b"]])
    width = {name: (m.predict_interval(0.95)["a"].eval("upper - lower")).to_numpy()
             for name, m in (("together", together), ("alone", alone))}
    assert (width["together"] < 1.5 * width["alone"]).all(), width
    shifted = together.predict_interval([0.8, 0.95])["shifted"]
    assert (shifted["upper_95"] - shifted["lower_95"] > shifted["upper_80"] - shifted["lower_80"]).all()


def test_a_new_products_band_is_not_made_of_its_zeros_before_launch():
    """93 zeros, then 5, 8, 6: the validation rows before the launch (a
    constant forecast of a constant, exact) were most of the rows, and the
    80% band's upper bound was the forecast itself."""
    y = pd.Series(np.r_[np.zeros(93), [5.0, 8.0, 6.0]],
                  index=pd.date_range("2010-01-01", periods=96, freq="MS"))
    model = _fit(tsgate.GRUForecaster(horizon=12, hidden_size=8, max_iter=20, random_state=0), y)
    band = model.predict_interval(0.8)
    assert (band["upper"] > model.predict() + 1.0).all()
    flat = pd.Series(np.full(48, 3.0), index=MONTHS)  # a constant keeps its exact band
    model = _fit(tsgate.GRUForecaster(**P), flat)
    np.testing.assert_allclose(model.predict_interval(0.8).to_numpy(), 3.0)


def test_features_with_a_series_that_stopped_reporting():
    """A series whose last values are NaN is forecast its gap's steps
    further; the other series had only the asked steps of future features,
    and predict failed with a broadcast error at the default horizon."""
    rng = np.random.default_rng(3)
    n, index = 60, pd.date_range("2000-01-01", periods=66, freq="MS")
    X = pd.DataFrame({"x": rng.normal(size=66)}, index=index)
    s = 100 + 20 * np.sin(2 * np.pi * np.arange(n) / 12) + rng.normal(0, 3, n) + 5 * X.x[:n]
    wide = pd.DataFrame({"a": s.to_numpy(), "b": 2 * s.to_numpy() + 5}, index=index[:n])
    wide.iloc[-3:, 0] = np.nan  # "a" stopped three months ago
    model = _fit(tsgate.GRUForecaster(**P), wide, X.iloc[:n])
    forecast = model.predict(X=X.iloc[n:])
    band = model.predict_interval(0.8, X=X.iloc[n:])
    assert np.isfinite(forecast.to_numpy()).all() and np.isfinite(band.to_numpy()).all()
    # "b" is forecast as it is without "a" beside it
    alone = model.predict(y=wide[["b"]], X=X)
    np.testing.assert_allclose(forecast["b"].to_numpy(), alone["b"].to_numpy())


def test_coverages_and_quantiles_at_the_edges_of_their_range():
    """A quantile within 1e-12 of 0 or 1 rounded to a coverage of 1
    (ZeroDivisionError), a coverage within 1e-16 of 1 reached the normal
    quantile of 1.0 (StatisticsError), np.array(0.8) was iterated; and two
    coverages equal to 6 digits got one name."""
    from tsgate.calibration import bound_columns
    model = _fit(tsgate.GRUForecaster(**P), load_airline())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # too few residuals for such coverages: said
        extreme = model.predict_quantiles([1e-13, 0.5, 1 - 1e-13])
        assert np.isfinite(extreme.to_numpy()).all()
        assert (extreme["q_0.0000000000001"] <= extreme["q_0.5"]).all()
        assert (extreme["q_0.5"] <= extreme["q_0.9999999999999"]).all()
        near_one = model.predict_interval(1 - 1e-16)
        assert np.isfinite(near_one.to_numpy()).all()
    pd.testing.assert_frame_equal(model.predict_interval(np.array(0.8)),
                                  model.predict_interval(0.8))
    assert [lower for _, lower, _ in bound_columns([0.8, 0.80000001, 0.975])] == \
        ["lower_80", "lower_80.000001", "lower_97.5"]


@pytest.mark.parametrize("size", [1e120, 1e200, 1e300])
def test_an_additive_series_forecasts_as_its_scaled_copy(size):
    """The smoothing's squared errors overflowed beyond about 1e150: at
    1e200 alpha was 1 where at 1 it is 0.8, and the forecast 3.5% off its
    scaled copy's."""
    v = np.random.default_rng(2).normal(0, 1, 60).cumsum()  # crosses 0: additive
    index = pd.date_range("2000-01-01", periods=60, freq="MS")
    base = _fit(tsgate.GRUForecaster(**P), pd.Series(v, index=index))
    scaled = _fit(tsgate.GRUForecaster(**P), pd.Series(v * size, index=index))
    np.testing.assert_allclose(scaled.predict().to_numpy() / size, base.predict().to_numpy(),
                               rtol=1e-6)
    np.testing.assert_allclose(scaled.predict_interval(0.8).to_numpy() / size,
                               base.predict_interval(0.8).to_numpy(), rtol=1e-6)


def test_an_intermittent_series_band_does_not_move_with_the_horizon_asked():
    """Beyond the fitted horizon the history is extended by forecasts, and
    its stage cleaned its spikes anew: the band of steps 1..H of a series
    of counts moved with the horizon asked (1.732 -> 1.42 at step 1)."""
    rng = np.random.default_rng(0)
    v = np.where(rng.random(60) < 0.7, 0.0, rng.integers(1, 5, 60).astype(float))
    y = pd.Series(v, index=MONTHS[:48].append(pd.date_range("2024-01-01", periods=12,
                                                                freq="MS")))
    model = _fit(tsgate.GRUForecaster(**P), y)
    for h in (7, 12):
        pd.testing.assert_frame_equal(model.predict_interval(0.8, horizon=h).iloc[:6],
                                      model.predict_interval(0.8))


@pytest.mark.parametrize("size", [1e-100, 1e-300])
def test_a_tiny_series_smooths_as_its_scaled_copy(size):
    """Its squared errors underflowed: at 1e-300 alpha was 0.05 where at 1
    it is 0.8 (its unit's floor of 1 below float32's range is documented)."""
    from tsgate.smoothing import smooth
    v = np.random.default_rng(2).normal(0, 1, 60).cumsum()
    base, tiny = smooth(v, 12), smooth(v * size, 12)
    assert (tiny.alpha, tiny.gamma, tiny.period) == (base.alpha, base.gamma, base.period)
    np.testing.assert_allclose(tiny.level / size, base.level, rtol=1e-9)


def test_a_new_history_missing_a_day_or_its_name_forecasts_as_the_fitted_series():
    """A daily history without yesterday's row was refused with advice to
    set freq (which takes effect at the next fit); an unnamed 12-month
    history of the one series fitted was not extended by its fitted past
    and lost its season."""
    rng = np.random.default_rng(0)
    index = pd.date_range("2024-01-01", periods=70, freq="D")
    y = pd.Series(100 + 10 * np.sin(np.arange(70) * 2 * np.pi / 7) + rng.normal(0, 1, 70),
                  index=index)
    model = _fit(tsgate.GRUForecaster(**dict(P, horizon=3)), y[:60])
    gappy = y[:65].drop(index[62])
    pd.testing.assert_series_equal(model.predict(y=gappy), model.predict(y=gappy.asfreq("D")))
    airline = load_airline()
    model = _fit(tsgate.GRUForecaster(**dict(P, horizon=3)), airline[:-6])
    tail = airline[-12:]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "too short to show its season"
        unnamed = model.predict(y=pd.Series(tail.to_numpy(), index=tail.index))
    np.testing.assert_array_equal(unnamed.to_numpy(), model.predict(y=tail).to_numpy())


def test_metrics_refuse_a_series_scored_twice_at_one_time():
    train, test, pred = _collection_forecast()
    twice = pd.concat([_stacked(test), _stacked(test)])
    with pytest.raises(ValueError, match="more than once.*each forecast origin"):
        metrics.mase(twice, pd.concat([_stacked(pred), _stacked(pred)]), _stacked(train))


def test_per_series_models_continue_with_a_warm_start_template():
    """PerSeriesForecaster cloned its template at every fit: a warm refit
    was a cold fit. Each series' model now continues (a copy of) its own."""
    from sklearn.base import clone

    from tsgate.distributed import PerSeriesForecaster
    wide = _wide(("a", "b"))
    template = tsgate.GRUForecaster(**P, warm_start=True)
    per = _fit(_fit(PerSeriesForecaster(template), wide.iloc[:40]), wide)
    alone = _fit(_fit(clone(template), wide["a"].iloc[:40]), wide["a"])
    np.testing.assert_array_equal(per.predict()["a"].to_numpy(), alone.predict().to_numpy())
    cold = _fit(PerSeriesForecaster(template), wide)
    assert not np.array_equal(per.predict().to_numpy(), cold.predict().to_numpy())
    # a series new to y starts afresh: as in a cold fit
    more = wide.assign(c=wide["a"] * 2)
    grown = _fit(_fit(PerSeriesForecaster(template), wide), more)
    np.testing.assert_array_equal(grown.predict()["c"].to_numpy(),
                                  _fit(clone(template), more["c"]).predict().to_numpy())


def test_numpy_integer_parameters_fit_as_the_ints_they_hold():
    """np.uint8 or np.int32 parameters (a grid from np.arange) pass
    scikit-learn's checks, and tsgate's sums in their type wrapped:
    horizon=np.uint8(12) raised an OverflowError, max_iter=np.uint8(255)
    trained 0 epochs, hidden_size=np.int32(100000) was a network of
    -1.36 GiB. They fit as Python ints, and stay as given."""
    y = load_airline().iloc[:48]
    given = {"horizon": np.uint8(12), "hidden_size": np.uint8(32), "n_models": np.uint8(2)}
    model = tsgate.GRUForecaster(max_iter=2, random_state=0, **given).fit(y)
    plain = tsgate.GRUForecaster(max_iter=2, random_state=0, horizon=12, hidden_size=32,
                                 n_models=2).fit(y)
    pd.testing.assert_series_equal(model.predict(), plain.predict())
    assert all(type(model.get_params()[k]) is np.uint8 for k in given)
    with pytest.raises(ValueError, match=r"network of about \d{3} GiB"):
        tsgate.GRUForecaster(**dict(P, hidden_size=np.int32(100000))).fit(y)
    X, Y = tsgate.make_windows(np.sin(np.arange(60) / 4), window=8, horizon=2)
    net = tsgate.LSTMRegressor(hidden_size=4, max_iter=np.uint8(255), n_iter_no_change=1000,
                               tol=0.0, random_state=0)
    with pytest.warns(Warning, match="max_iter=255 epochs ended"):
        net.fit(X[:4], Y[:4])
    assert net.n_iter_ == 255 and type(net.max_iter) is np.uint8


@pytest.mark.parametrize("n_jobs", [0, 2.5, True, "2"])
def test_backtest_checks_n_jobs_as_per_series_forecaster_does(n_jobs):
    """backtest handed n_jobs to joblib as given: 0 failed with joblib's
    message, 2.5, True and "2" ran."""
    from sklearn.utils._param_validation import InvalidParameterError

    from tsgate.distributed import PerSeriesForecaster

    with pytest.raises(InvalidParameterError, match="'n_jobs' parameter of backtest"):
        tsgate.backtest(tsgate.GRUForecaster(**P), load_airline(), n_jobs=n_jobs)
    with pytest.raises(InvalidParameterError, match="'n_jobs' parameter of PerSeriesForecaster"):
        PerSeriesForecaster(tsgate.GRUForecaster(**P), n_jobs=n_jobs).fit(load_airline())


def test_a_warm_fit_whose_features_have_other_names_starts_afresh_and_says_so():
    """X's 'a' renamed 'c' (as many features: the same network shape): the
    kept weights read 'b' in the input that had learnt 'a', without a word."""
    y = load_airline().iloc[:48]
    X = pd.DataFrame({"a": np.sin(np.arange(48.0)), "b": np.arange(48.0)}, index=y.index)
    model = tsgate.GRUForecaster(warm_start=True, **P).fit(y, X)
    with pytest.warns(UserWarning, match=r"features in X changed since the last fit "
                                         r"\(\['a', 'b'\] -> \['b', 'c'\]\): they trained from "
                                         "new weights"):
        model.fit(y, X.rename(columns={"a": "c"}))
    fresh = tsgate.GRUForecaster(**P).fit(y, X.rename(columns={"a": "c"}))
    future = pd.DataFrame({"b": np.arange(48.0, 54.0), "c": 0.0},
                          index=pd.date_range(y.index[-1], periods=7, freq="MS")[1:])
    pd.testing.assert_series_equal(model.predict(X=future), fresh.predict(X=future))
    with warnings.catch_warnings():  # the same names: continued, without a warning
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)  # (max_iter=2 ended the fits)
        model.fit(y, X.rename(columns={"a": "c"})[["c", "b"]])


def test_a_warm_fit_that_adds_or_drops_X_names_the_features_not_input_channels():
    """A warm refit without the X of the last fit warned "n_features 4 -> 2":
    the networks' input channels (value, flag, features), not what the user
    passed (a state sweep, session 47)."""
    y = load_airline().iloc[:48]
    X = pd.DataFrame({"p": np.sin(np.arange(48.0)), "q": np.cos(np.arange(48.0))}, index=y.index)
    model = tsgate.GRUForecaster(warm_start=True, **P).fit(y, X)
    with pytest.warns(UserWarning, match=r"features in X changed since the last fit "
                                         r"\(\['p', 'q'\] -> no X\)"):
        model.fit(y)
    pd.testing.assert_series_equal(model.predict(), tsgate.GRUForecaster(**P).fit(y).predict())
    with pytest.warns(UserWarning, match=r"\(no X -> 2 unnamed column\(s\)\)"):
        model.fit(y, X.to_numpy())


def test_n_models_has_a_bound():
    """n_models=2**40 hung building the members' list; 10**5 ended in a bare
    MemoryError (a parameter sweep, session 47)."""
    from sklearn.utils._param_validation import InvalidParameterError

    with pytest.raises(InvalidParameterError, match=r"'n_models' parameter of GRUForecaster "
                                                    r"must be an int in the range \[1, 1000\]"):
        tsgate.GRUForecaster(n_models=2**40).fit(load_airline())
