"""Exogenous features given as users give them (session 34's sweep): each
odd X is read, or refused with a message whose fix works; never silent
garbage (a forecast of inf, a duplicate column picked at random)."""
import warnings

import numpy as np
import pandas as pd
import pytest

import tsgate
from tests.conftest import FAST
from tsgate.datasets import load_airline
from tsgate.featurerows import align_exog

Y = load_airline()
P = dict(FAST, horizon=6, n_models=1)


def _features(index, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"a": rng.normal(size=len(index)), "b": rng.normal(size=len(index))},
                        index=index)


def _future():
    return pd.date_range(Y.index[-1], periods=7, freq="MS")[1:]


def _fit(model, y, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(y, X)


@pytest.fixture(scope="module")
def fitted():
    return _fit(tsgate.GRUForecaster(**P), Y, _features(Y.index))


def test_duplicate_feature_names_are_refused_at_predict_as_at_fit(fitted):
    """At predict, ['a', 'a', 'b'] used one of the two 'a' silently."""
    future = _features(_future(), 1)
    twice = pd.concat([future[["a"]] * 1e6, future], axis=1)
    with pytest.raises(ValueError, match=r"X has duplicate column names \['a'\]"):
        fitted.predict(X=twice)


def test_future_features_far_outside_the_training_range(fitted):
    """1e4 and 1e7 spreads away gave forecasts of 1 and inf, without a word."""
    future = _features(_future(), 1)
    with pytest.warns(UserWarning, match="training spreads from the training rows' mean"):
        fitted.predict(X=future * 1e4)
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="The forecast overflowed"):
        fitted.predict(X=future * 1e9 + 1e9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isfinite(fitted.predict(X=future * 3)).all()  # within reach: no word


@pytest.mark.parametrize(("X", "error", "message"), [
    (lambda: np.ones((144, 2, 1)), ValueError, r"must be 2-D .*got shape \(144, 2, 1\)"),
    (lambda: {"a": np.ones(144)}, TypeError, r"for a dict of columns pass pd.DataFrame\(X\)"),
    (lambda: 3.0, TypeError, "got float"),
])
def test_x_of_an_unusable_type_or_shape(X, error, message):
    with pytest.raises(error, match=message):
        tsgate.GRUForecaster(**P).fit(Y, X())


def test_text_features_are_told_to_be_encoded():
    X = _features(Y.index).assign(season=np.where(np.arange(144) % 12 < 6, "high", "low"))
    with pytest.raises(TypeError, match=r"pd.get_dummies\(X, columns=\[...\], dtype=float\)"):
        tsgate.GRUForecaster(**P).fit(Y, X)
    encoded = pd.get_dummies(X, columns=["season"], dtype=float)  # the advice works
    assert _fit(tsgate.GRUForecaster(**P), Y, encoded).n_exog_ == 4


def test_x_on_other_time_indexes_and_a_repeated_date_name_the_fix():
    X = _features(Y.index)
    with pytest.raises(ValueError, match=r"indexed by PeriodIndex .*X.to_timestamp\(\)"):
        tsgate.GRUForecaster(**P).fit(Y, X.to_period("M"))
    assert _fit(tsgate.GRUForecaster(**P), Y, X.to_period("M").to_timestamp()).n_exog_ == 2
    with pytest.raises(ValueError, match=r"in UTC and y's naive.*X.tz_localize\(None\)"):
        tsgate.GRUForecaster(**P).fit(Y, X.tz_localize("UTC"))
    calendar = _features(pd.date_range(Y.index[0], periods=156, freq="MS"))
    repeated = pd.concat([calendar, calendar.iloc[-1:]])
    with pytest.raises(ValueError, match="X has the time 1961-12-01 00:00:00 more than once"):
        tsgate.GRUForecaster(**P).fit(Y, repeated)


def test_per_series_models_fitted_on_an_array_take_a_frame_at_predict():
    """Its members recorded columns [0, 1], which the user never named: the
    frame with the user's names was refused ('missing [0, 1]')."""
    wide = pd.DataFrame({"s1": Y, "s2": 2 * Y})
    X = _features(Y.index)
    model = _fit(tsgate.distributed.PerSeriesForecaster(tsgate.GRUForecaster(**P)), wide,
                 X.to_numpy())
    by_frame = model.predict(X=_features(_future(), 1))
    by_array = model.predict(X=_features(_future(), 1).to_numpy())
    pd.testing.assert_frame_equal(by_frame, by_array)


def test_a_series_starting_late_needs_no_features_before_its_first_value():
    """y with 12 leading NaN was refused for want of X rows it never uses."""
    late = Y.copy()
    late.iloc[:12] = np.nan
    X = _features(Y.index[12:])
    expected = _fit(tsgate.GRUForecaster(**P), late.dropna(), X).predict(X=_features(_future(), 1))
    got = _fit(tsgate.GRUForecaster(**P), late, X).predict(X=_features(_future(), 1))
    pd.testing.assert_series_equal(got, expected)
    wide = pd.DataFrame({"a": late, "b": late.shift(3)})  # both start late, at different dates
    assert _fit(tsgate.GRUForecaster(**P), wide, X).predict(X=_features(_future(), 1)).shape == (6, 2)


def test_a_feature_labelled_nan_is_refused(fitted):
    """NaN != NaN: a column labelled NaN (a blank header cell) could never be
    matched by name at predict."""
    X = _features(Y.index).rename(columns={"b": np.nan})
    with pytest.raises(ValueError, match="X has a column labelled NaN"):
        tsgate.GRUForecaster(**P).fit(Y, X)
    with pytest.raises(ValueError, match="X has a column labelled NaN"):
        fitted.predict(X=_features(_future(), 1).rename(columns={"b": float("nan")}))


def test_an_array_x_of_y_rows_with_freq_filling_gaps_names_the_grid():
    """freq= adds y's missing dates; an array X of one row per given date was
    laid on the grid by position, and the error named a date at the end."""
    idx = pd.date_range("2020-01-01", periods=40, freq="D").delete([5, 17])
    y = pd.Series(np.arange(38.0) % 7, index=idx)
    X = np.random.default_rng(0).normal(size=(38, 2))
    with pytest.raises(ValueError, match=r"X is an array of 38 rows, one per date of y; on the "
                                         r"grid of freq='D' y has 40 dates \(2 more"):
        tsgate.GRUForecaster(freq="D", **P).fit(y, X)
    grid = pd.date_range("2020-01-01", periods=40, freq="D")  # the fix the message gives
    _fit(tsgate.GRUForecaster(freq="D", **P), y, pd.DataFrame(
        np.random.default_rng(0).normal(size=(40, 2)), index=grid))


def test_a_named_series_x_is_matched_by_its_name():
    """fit(y, X=X['price']) recorded no name, so predict took X['promo'] in
    its place without a word (a DataFrame's columns were matched)."""
    X = _features(Y.index).rename(columns={"a": "price", "b": "promo"})
    future = _features(_future(), 1).rename(columns={"a": "price", "b": "promo"})
    model = _fit(tsgate.GRUForecaster(**P), Y, X["price"])
    assert model.exog_names_ == ["price"]
    with pytest.raises(ValueError, match=r"missing \['price'\], not seen in fit \['promo'\]"):
        model.predict(X=future["promo"])
    np.testing.assert_array_equal(model.predict(X=future["price"]), model.predict(X=future[["price"]]))
    unnamed = _fit(tsgate.GRUForecaster(**P), Y, X["price"].rename(None))  # by position
    assert unnamed.exog_names_ is None and len(unnamed.predict(X=future["promo"])) == 6


@pytest.mark.parametrize("dtype", ["bool", "boolean", "bool[pyarrow]"])
def test_boolean_features_of_every_backend_are_read_as_0_1(dtype):
    """A 0/1 feature read from parquet is bool[pyarrow]: it was refused as
    "booleans" while numpy bool and "boolean" were read as 0/1."""
    pytest.importorskip("pyarrow")
    index = pd.date_range("2020-01", periods=6, freq="MS")
    flags = [True, False, False, True, True, False]
    X = pd.DataFrame({"promo": pd.array(flags, dtype=dtype), "a": np.arange(6.0)}, index=index)
    values = align_exog(X, index)
    np.testing.assert_array_equal(values, np.c_[np.array(flags, float), np.arange(6.0)])


def test_features_on_integer_steps_are_matched_by_their_labels():
    """Integer time steps are labels, as dates are (session 44's sweep:
    future X on steps 90..93 for steps 40..43 was taken row by row, and X
    on the steps in reverse order reversed the forecast). Rows in any
    order or a longer calendar are picked by step; a frame built without
    an index of its own (0, 1, ...) is still taken in row order."""
    rng = np.random.default_rng(0)
    x = pd.DataFrame({"x": 5 * rng.normal(size=44)}, index=pd.RangeIndex(1980, 2024))
    y = pd.Series(10 + 3 * x["x"].to_numpy()[:40] + rng.normal(size=40), index=x.index[:40])
    model = _fit(tsgate.GRUForecaster(**dict(P, horizon=4)), y, x.iloc[:40])
    future = x.iloc[40:]
    forecast = model.predict(X=future)
    assert list(forecast.index) == [2020, 2021, 2022, 2023]
    for same in (future.iloc[::-1], x, future.reset_index(drop=True), future.to_numpy()):
        pd.testing.assert_series_equal(model.predict(X=same), forecast)
    # reversed labels with the rows kept: the rows follow their labels
    flipped = future.set_axis(future.index[::-1])
    np.testing.assert_array_equal(model.predict(X=flipped).to_numpy(),
                                  model.predict(X=future.iloc[::-1].to_numpy()).to_numpy())
    with pytest.raises(ValueError, match=r"X has no row for 2020 \(nor for 3 other.*"
                                         r"X.reset_index\(drop=True\)"):
        model.predict(X=future.set_axis(range(2090, 2094)))
    with pytest.raises(ValueError, match="X has the time 2020 more than once; give one row per time step"):
        model.predict(X=pd.concat([future, future.iloc[:1]]))
    with pytest.raises(ValueError, match="X has no row for 1980"):
        tsgate.GRUForecaster(**P).fit(y, x.iloc[:40].set_axis(range(500, 540)))
    # a collection on integer steps: each series' rows by their steps
    ids = np.repeat(["A", "B"], 40)
    yc = pd.Series(np.r_[y.to_numpy(), 2 * y.to_numpy()],
                   index=pd.MultiIndex.from_arrays([ids, np.tile(np.arange(40), 2)]))
    Xc = pd.DataFrame({"x": np.tile(x["x"].to_numpy()[:40], 2)}, index=yc.index)
    collective = _fit(tsgate.GRUForecaster(**dict(P, horizon=4)), yc, Xc)
    steps = pd.MultiIndex.from_arrays([np.repeat(["A", "B"], 4), np.tile(np.arange(40, 44), 2)])
    Xf = pd.DataFrame({"x": np.tile(x["x"].to_numpy()[40:], 2)}, index=steps)
    out = collective.predict(X=Xf)
    pd.testing.assert_series_equal(collective.predict(X=Xf.iloc[::-1]), out)
    with pytest.raises(ValueError, match=r"X \(series 'A'\) has no row for 40"):
        collective.predict(X=Xf.set_axis(pd.MultiIndex.from_arrays(
            [np.repeat(["A", "B"], 4), np.tile(np.arange(90, 94), 2)])))


def test_features_in_another_time_zone_and_levels_in_the_wrong_order():
    """X on the same instants as y in another zone was refused as "does not
    match the expected time steps"; a MultiIndex X with its levels as
    (time, series id) was told it had no rows for the series (session 44's
    sweep)."""
    hours = pd.date_range("2021-01-01", periods=52, freq="h", tz="Europe/Berlin")
    X = _features(hours)
    y = pd.Series(10 + 3 * X["a"].to_numpy()[:48], index=hours[:48])
    q = dict(P, horizon=4)
    local = _fit(tsgate.GRUForecaster(**q), y, X.iloc[:48])
    utc = X.tz_convert("UTC")
    pd.testing.assert_series_equal(local.predict(X=utc.iloc[48:]), local.predict(X=X.iloc[48:]))
    pd.testing.assert_series_equal(_fit(tsgate.GRUForecaster(**q), y, utc.iloc[:48]).predict(
        X=X.iloc[48:]), local.predict(X=X.iloc[48:]))
    ids = pd.MultiIndex.from_product([["A", "B"], hours[:48]])
    yc = pd.Series(np.r_[y.to_numpy(), 2 * y.to_numpy()], index=ids)
    Xc = pd.DataFrame({"a": np.tile(X["a"].to_numpy()[:48], 2)}, index=ids)
    with pytest.raises(ValueError, match=r"X's index levels are \(time, series id\).*"
                                         r"X.swaplevel\(\).sort_index\(\)"):
        _fit(tsgate.GRUForecaster(**q), yc, Xc.swaplevel())
    assert _fit(tsgate.GRUForecaster(**q), yc, Xc.swaplevel().swaplevel()).n_exog_ == 1


def test_text_dated_and_float_labelled_features_are_matched_by_label():
    """X read with read_csv(index_col=0) and no parse_dates (text dates), or
    integer steps read back as floats, was taken row by row: reversed rows
    moved the forecast."""
    X = _features(Y.index)
    ref = tsgate.GRUForecaster(**P).fit(Y, X)
    text = X.iloc[::-1].set_axis(X.index[::-1].strftime("%Y-%m-%d"))
    np.testing.assert_array_equal(align_exog(text, Y.index), X.to_numpy())
    fut = _features(_future(), seed=1)
    shuffled = fut.iloc[[2, 0, 5, 1, 4, 3]]
    np.testing.assert_allclose(
        ref.predict(X=shuffled.set_axis(shuffled.index.strftime("%Y-%m-%d"))), ref.predict(X=fut))
    with pytest.raises(ValueError, match="where y has dates"):
        align_exog(X.set_axis([f"row {i}" for i in range(len(X))]), Y.index)
    steps = pd.RangeIndex(len(Y))
    floats = X.set_axis(steps.astype(float))
    np.testing.assert_array_equal(align_exog(floats.iloc[::-1], steps), X.to_numpy())


def test_a_multiindex_x_beside_one_series_is_refused():
    X = pd.concat({"a": _features(Y.index)})  # (id, time)
    with pytest.raises(ValueError, match=r"MultiIndex.*X.xs\(id, level=0\)"):
        align_exog(X, Y.index)


def test_a_horizon_past_the_trained_one_reads_the_whole_last_block_of_x():
    """predict(10) of a 6-step model repeated X's 10th row for steps 11-12
    of its second block although X held them: steps 7-10 then differed
    from predict(12)'s."""
    X = _features(Y.index.append(pd.date_range(_future()[0], periods=12, freq="MS")))
    model = tsgate.GRUForecaster(**P).fit(Y, X.iloc[:len(Y)])
    future = X.iloc[len(Y):]
    np.testing.assert_array_equal(model.predict(10, X=future), model.predict(12, X=future)[:10])


def test_a_history_of_one_observation_is_refused_with_x_as_without():
    X = _features(Y.index)
    model = tsgate.GRUForecaster(**P).fit(Y, X)
    history = pd.Series([np.nan, np.nan, 300.0], index=Y.index[-3:])
    with pytest.raises(ValueError, match="at least 2 are needed"):
        model.predict(y=history, X=pd.concat([X.iloc[-3:], _features(_future())]))


def test_messages_for_short_arrays_period_frequencies_and_a_date_column():
    with pytest.raises(ValueError, match="X is an array of 50 rows; .*144 rows"):
        align_exog(np.ones((50, 2)), Y.index)
    quarters = pd.period_range("2020Q1", periods=8, freq="Q")
    months = pd.DataFrame({"a": np.arange(24.0)}, index=pd.period_range("2020-01", periods=24,
                                                                         freq="M"))
    with pytest.raises(ValueError, match="periods are of frequency 'M', y's of 'Q-DEC'"):
        align_exog(months, quarters)
    with pytest.raises(TypeError, match=r"'ds' holds times; put X on them: X.set_index\('ds'\)"):
        align_exog(_features(Y.index).reset_index(names="ds"), Y.index)


def test_a_feature_constant_over_the_training_rows_warns():
    X = _features(Y.index).assign(new=0.0)
    with pytest.warns(UserWarning, match=r"\['new'\] never change over the training rows"):
        tsgate.GRUForecaster(**P).fit(Y, X)


def test_a_long_future_x_with_a_misnamed_time_column_is_named_so():
    """predict(X=...) with 'date' for 'ds' was told its feature columns
    differ ("not seen in fit ['date']"), the missing 'ds' unnamed (a
    migration sweep, session 47)."""
    rng = np.random.default_rng(0)
    y = pd.concat([pd.DataFrame({"unique_id": k, "ds": pd.date_range("2018-01-01", periods=40,
                                                                      freq="MS"),
                                 "y": 10 + rng.normal(0, 1, 40).cumsum()}) for k in "ab"],
                  ignore_index=True)
    X = y[["unique_id", "ds"]].assign(price=np.arange(len(y)) % 5)
    future = pd.DataFrame({"unique_id": np.repeat(["a", "b"], 3), "price": 1.0,
                           "ds": list(pd.date_range("2021-05-01", periods=3, freq="MS")) * 2})
    model = tsgate.GRUForecaster(horizon=3, max_iter=2, n_models=1, random_state=0).fit(y, X)
    with pytest.raises(ValueError, match=r"columns 'unique_id', 'ds' and one column per feature "
                                         r"\(it has \['unique_id', 'price', 'date'\]\)"):
        model.predict(X=future.rename(columns={"ds": "date"}))
    assert len(model.predict(X=future)) == 6


def test_the_rows_asked_of_a_short_future_x_include_the_whole_block():
    """predict(2, X=...) of a 3-step model takes 2 rows or 3 (the block the
    networks read); 5 were refused with "needs exactly 2"."""
    y = load_airline().iloc[:48]
    X = pd.DataFrame({"x": np.arange(60.0)}, index=pd.date_range(y.index[0], periods=60,
                                                                 freq="MS"))
    model = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(y, X.iloc[:48])
    future = X.iloc[48:].to_numpy()
    assert len(model.predict(2, X=future[:2])) == len(model.predict(2, X=future[:3])) == 2
    with pytest.raises(ValueError, match=r"needs exactly 2, .*\(Or 3 rows, the whole blocks of "
                                         r"3 steps"):
        model.predict(2, X=future[:5])


@pytest.mark.parametrize("as_array", [False, True])
def test_a_fitted_model_keeps_its_own_copy_of_x(as_array):
    """A float64 X (frame or array) was kept as a view: the caller's later
    edit of it changed the model's forecasts (session 51's sweep)."""
    X = _features(Y.index)
    X = X.to_numpy().copy() if as_array else X  # (writable: pandas 3 gives a read-only view)
    model = tsgate.GRUForecaster(**P).fit(Y, X)
    future = _features(_future(), seed=1)
    future = future.to_numpy() if as_array else future
    before = model.predict(horizon=3, X=future[:3])  # (not the fit's own forecast)
    kept = model.collection_.exog[0].copy()
    if as_array:
        X[-5:, 0] = 100.0
    else:
        X.iloc[-5:, 0] = 100.0
    np.testing.assert_array_equal(model.collection_.exog[0], kept)
    pd.testing.assert_series_equal(model.predict(horizon=3, X=future[:3]), before)


def test_a_scored_fold_after_a_gap_says_the_gap_needs_x_too():
    """TimeSeriesSplit(gap=2) with X failed on every fold with "X has no row
    for ...": the forecast runs through the gap, whose rows of X the
    splitter does not pass (session 51's sweep). The message says so."""
    from sklearn.model_selection import TimeSeriesSplit, cross_val_score

    X = _features(Y.index)
    model = tsgate.GRUForecaster(**P)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.isfinite(cross_val_score(model, Y, X, cv=TimeSeriesSplit(2, test_size=6))).all()
        with pytest.raises(ValueError, match=r"has no row for .*TimeSeriesSplit\(gap=...\)"):
            cross_val_score(model, Y, X, cv=TimeSeriesSplit(2, test_size=6, gap=2),
                            error_score="raise")


def test_a_feature_new_to_one_series_of_a_collection_is_warned_of_at_predict():
    """A promotion worth +30 in every series, never run in one series'
    history but in its future: that series' effect is 0 and its forecast did
    not move, without a word (session 51's sweep). A feature constant in
    every series is fit's warning, not this one."""
    months = pd.date_range("2015-01-01", periods=40, freq="MS")
    rng = np.random.default_rng(0)
    promo = {k: (rng.random(40) < 0.3).astype(float) for k in ("a", "b")}
    promo["a"][:36] = 0.0  # never promoted before the future rows
    promo["a"][36:] = 1.0
    index = pd.MultiIndex.from_product([["a", "b"], months], names=["unique_id", "ds"])
    X = pd.DataFrame({"promo": np.r_[promo["a"], promo["b"]]}, index=index)
    y = pd.Series(100 + 30 * X["promo"].to_numpy() + rng.normal(0, 1, 80), index=index)
    past = index.get_level_values("ds") < months[36]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = tsgate.GRUForecaster(horizon=4, n_models=1, **FAST).fit(y[past], X[past])
    with pytest.warns(UserWarning, match="'promo' of series 'a' held one value over the series"
                      ) as record:
        model.predict(X=X[~past])
    assert {w.filename for w in record if "held one value" in str(w.message)} == {__file__}
    unchanged = X[~past].copy()
    unchanged.loc["a", "promo"] = 0.0  # stays at its one value: nothing to say
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        model.predict(X=unchanged)


def _two_series_long(n=40):
    rng = np.random.default_rng(3)
    ds = pd.date_range("2020-01-01", periods=n, freq="MS")
    y = pd.DataFrame({"unique_id": np.repeat(["a", "b"], n), "ds": list(ds) * 2,
                      "y": 50 + rng.normal(size=2 * n).cumsum()})
    X = pd.DataFrame({"unique_id": np.repeat(["a", "b"], n + 3), "ds": list(
        pd.date_range(ds[0], periods=n + 3, freq="MS")) * 2, "x": rng.normal(size=2 * (n + 3))})
    return y, X


def test_a_series_reads_its_whole_block_of_x_whatever_another_series_x_holds():
    """predict(2) of a 3-step model reads a series' third future row where
    X holds it; that choice was one for all series, so series 'a''s
    forecast moved when series 'b''s X stopped at the 2 rows asked."""
    y, X = _two_series_long()
    train = X.groupby("unique_id").head(40)
    model = _fit(tsgate.GRUForecaster(**dict(P, horizon=3)), y, train)
    future = X.groupby("unique_id").tail(3)
    whole = model.predict(2, X=future)
    short = model.predict(2, X=future.drop(future.index[-1]))  # b: 2 rows, a: 3
    np.testing.assert_allclose(short["y"][:2], whole["y"][:2], rtol=1e-12)
    repeated = future.copy()  # a's third row as its second: what 'a' read before
    repeated.iloc[2, 2] = repeated.iloc[1, 2]
    assert not np.allclose(model.predict(2, X=repeated)["y"][:2], whole["y"][:2])


def test_a_series_with_a_trailing_gap_reads_x_to_the_end_of_its_last_block():
    """A series whose last value is missing forecasts from the step before:
    its last block ends one future row later than the other series'. Its
    last block repeated the last row asked instead of X's next one."""
    ix = pd.date_range("2020-01-01", periods=40, freq="MS")
    rng = np.random.default_rng(5)
    y = pd.DataFrame({"a": 50 + rng.normal(size=40).cumsum(),
                      "b": 50 + rng.normal(size=40).cumsum()}, index=ix)
    y.iloc[-1, 1] = np.nan  # b: a gap of one
    X = _features(pd.date_range(ix[0], periods=45, freq="MS"))
    model = _fit(tsgate.GRUForecaster(**dict(P, horizon=3)), y, X.iloc[:40])
    before = model.predict(3, X=X.iloc[40:45])  # 5 rows: b's last block ends at the 5th
    moved = X.iloc[40:45].copy()
    moved.iloc[-1] += 3.0
    after = model.predict(3, X=moved)
    np.testing.assert_array_equal(after["a"], before["a"])  # a's block ends at the 3rd
    assert not np.allclose(after["b"], before["b"])
    assert len(model.predict(3, X=X.iloc[40:43])) == 3  # the 3 steps asked still suffice


def test_integer_labels_out_of_row_order_beside_dates_are_refused(fitted):
    """X labelled by integers in another order than its rows (a reset frame
    sorted later: 3, 2, 1, 0) was taken by position for y on dates, the
    forecast moved by up to 5.8 without a word."""
    future = _features(_future(), seed=1)
    expected = fitted.predict(X=future)
    reversed_rows = future.reset_index(drop=True).iloc[::-1]
    with pytest.raises(ValueError, match=r"indexed by integers in another order than its rows' "
                                         r"\(5, 4, \.\.\.\) where y has dates.*X\.sort_index\(\)"):
        fitted.predict(X=reversed_rows)
    pd.testing.assert_series_equal(fitted.predict(X=reversed_rows.sort_index()), expected)
    sliced = pd.concat([_features(Y.index), future]).reset_index(drop=True).iloc[len(Y):]
    pd.testing.assert_series_equal(fitted.predict(X=sliced), expected)  # 144, 145, ...: in order
    # row numbers in order with gaps (a filtered frame), or repeating (two frames of
    # default labels concatenated): rows in order, taken so, as before
    spread = future.reset_index(drop=True).set_axis([0, 2, 4, 6, 8, 10])
    pd.testing.assert_series_equal(fitted.predict(X=spread), expected)
    joined = pd.concat([_features(Y.index).reset_index(drop=True),
                        future.reset_index(drop=True)])  # 0 .. 143, 0 .. 5
    pd.testing.assert_series_equal(fitted.predict(y=Y, X=joined), expected)


def test_a_static_feature_changed_in_one_series_future_is_warned_of():
    """A store's size, 1, 2 and 3 in three series and constant within each:
    no history shows its effect, and a new size in one series' future moved
    its forecast by 0.01-0.04 without a word (fit warns only of a feature
    constant over every row; predict skipped features that vary within no
    series)."""
    months = pd.date_range("2015-01-01", periods=30, freq="MS")
    rng = np.random.default_rng(1)
    index = pd.MultiIndex.from_product([["a", "b", "c"], months], names=["unique_id", "ds"])
    X = pd.DataFrame({"size": np.repeat([1.0, 2.0, 3.0], 30)}, index=index)
    y = pd.Series(10 * X["size"].to_numpy() + rng.normal(0, 1, 90), index=index)
    past = index.get_level_values("ds") < months[26]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = tsgate.GRUForecaster(horizon=4, n_models=1, **FAST).fit(y[past], X[past])
    future = X[~past].copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        model.predict(X=future)  # each at its own size: nothing to say
    future.loc["a", "size"] = 3.0
    with pytest.warns(UserWarning, match="'size' of series 'a' held one value over the series"):
        model.predict(X=future)


@pytest.mark.parametrize("layout", ["multiindex", "long"])
def test_a_series_starting_late_needs_no_x_rows_before_its_first_value(layout):
    """A MultiIndex or long y whose series 'b' starts with NaN rows: X was
    asked for complete rows at those steps (NaN refused, missing rows
    refused), though the trim cuts them; a Series or wide y never asked."""
    months = pd.date_range("2015-01-01", periods=30, freq="MS")
    rng = np.random.default_rng(2)
    index = pd.MultiIndex.from_product([["a", "b"], months], names=["unique_id", "ds"])
    X = pd.DataFrame({"x": rng.normal(size=60)}, index=index)
    y = pd.Series(10 + X["x"].to_numpy() + rng.normal(0, 0.1, 60), index=index, name="y")
    y.loc[("b", months[:6])] = np.nan
    late = (index.get_level_values(0) == "b") & (index.get_level_values(1) < months[6])
    gaps = X.copy()
    gaps.loc[late, "x"] = np.nan
    if layout == "long":
        y, X, gaps = y.reset_index(), X.reset_index(), gaps.reset_index()
    drop = X.index[late]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = tsgate.GRUForecaster(horizon=3, **FAST).fit(y, X)
        for given in (gaps, X.drop(drop)):  # NaN before b's start, or no rows there
            model = tsgate.GRUForecaster(horizon=3, **FAST).fit(y, given)
            for a, b in zip(model.collection_.exog, expected.collection_.exog):
                np.testing.assert_array_equal(a, b)


def test_a_collection_x_of_another_layout_or_time_kind_gets_a_fix_that_works():
    """A MultiIndex X of 3 levels was told to take X (series 'a').xs(...),
    and a long X on periods for dates to call X.to_timestamp(), which
    fails on its RangeIndex."""
    months = pd.date_range("2020-01-01", periods=24, freq="MS")
    index = pd.MultiIndex.from_product([["a", "b"], months], names=["unique_id", "ds"])
    y = pd.Series(np.sin(np.arange(48.0)) + 5, index=index)
    X = pd.DataFrame({"x": np.arange(48.0)}, index=index)
    three = X.assign(region="n").set_index("region", append=True)
    with pytest.raises(ValueError, match=r"X's MultiIndex has 3 levels .*it needs two, "
                                         r"\(series id, time\), as y's"):
        tsgate.GRUForecaster(**P).fit(y, three)
    long_y, long_x = y.rename("y").reset_index(), X.reset_index()
    long_x["ds"] = long_x["ds"].dt.to_period("M")
    with pytest.raises(ValueError, match=r"for a long X, X\['ds'\] = X\['ds'\]\.dt\.to_timestamp"):
        tsgate.GRUForecaster(**P).fit(long_y, long_x)
    long_x["ds"] = long_x["ds"].dt.to_timestamp()  # the fix given
    _fit(tsgate.GRUForecaster(**P), long_y, long_x)


@pytest.mark.parametrize("wide", [False, True])
def test_a_history_starting_with_nan_takes_an_array_x_of_one_row_per_step(wide):
    """predict(y=history, X=array) with one row per y row and then the
    future ones, as fit takes X: a history starting with NaN was refused
    ("needs exactly 54"), and a wide one with a later-starting series took
    no array length at all."""
    index = pd.date_range("2015-01-01", periods=64, freq="MS")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 1))
    y = pd.Series(10 + 2 * x[:, 0] + rng.normal(0, 0.1, 64), index=index, name="y")
    y.iloc[:10] = np.nan
    if wide:
        y = pd.DataFrame({"p": y.fillna(10.0), "q": 2 * y})
    model = _fit(tsgate.GRUForecaster(**dict(P, horizon=4)), y.iloc[:60], x[:60])
    dated = model.predict(y=y.iloc[:60], X=pd.DataFrame(x, index=index))
    by_position = model.predict(y=y.iloc[:60], X=x)
    np.testing.assert_array_equal(np.asarray(by_position), np.asarray(dated))


def test_a_long_x_beside_a_wide_y_is_told_what_it_looks_like():
    """A long X (ids, times, features) beside a wide y was told its row
    count ("has 120 rows but needs exactly 60"); beside one Series, to set
    its time index, which left the id column in it."""
    months = pd.date_range("2015-01-01", periods=30, freq="MS")
    wide = pd.DataFrame({"a": np.arange(30.0), "b": np.arange(30.0) + 1}, index=months)
    long_x = pd.DataFrame({"unique_id": np.repeat(["a", "b"], 30), "ds": list(months) * 2,
                           "x": np.arange(60.0)})
    for y in (wide, wide["a"]):
        with pytest.raises(TypeError, match=r"'ds' holds times; put X on them: "
                                            r"X\.set_index\('ds'\)\. Its other column\(s\) "
                                            r"\['unique_id'\] hold no numbers either"):
            tsgate.GRUForecaster(**P).fit(y, long_x)


def test_an_array_x_of_the_whole_block_serves_a_series_with_a_trailing_gap():
    """An array's rows go by position: one length for every series. With a
    series whose last value is missing, each series asked its own block
    length and no array length passed ("has 3 rows but needs exactly 1")."""
    index = pd.date_range("2021-01-01", periods=30, freq="D")
    rng = np.random.default_rng(4)
    x = rng.normal(size=(36, 1))
    y = pd.Series(5 + x[:30, 0], index=index)
    y.iloc[-1] = np.nan
    model = _fit(tsgate.GRUForecaster(**dict(P, horizon=3)), y, x[:30])
    for h, rows in ((1, 3), (2, 3), (3, 3), (1, 1), (4, 6)):
        assert len(model.predict(h, X=x[30:30 + rows])) == h


@pytest.mark.parametrize("layout", ["multiindex", "long"])
def test_scoring_some_series_says_x_needs_every_fitted_series(layout):
    """score forecasts every fitted series (one global model) and then
    scores the rows y_test holds: X without another series' rows failed
    with "X has no rows for series 'b'", a series the user did not score."""
    idx = pd.date_range("2020-01-01", periods=40, freq="D")
    fut = pd.date_range("2020-02-10", periods=3, freq="D")
    y = pd.concat({k: pd.Series(np.sin(np.arange(40.0) + i) + 5, index=idx)
                   for i, k in enumerate("ab")})
    X = pd.concat({k: pd.DataFrame({"x": np.arange(40.0)}, index=idx) for k in "ab"})
    y_test = pd.concat({"a": pd.Series([5.0, 5.1, 5.2], index=fut)})
    X_one = pd.concat({"a": pd.DataFrame({"x": [40.0, 41, 42]}, index=fut)})
    X_all = pd.concat({k: pd.DataFrame({"x": [40.0, 41, 42]}, index=fut) for k in "ab"})
    if layout == "long":
        y, y_test = (s.rename("y").rename_axis(["unique_id", "ds"]).reset_index()
                     for s in (y, y_test))
        X, X_one, X_all = (f.rename_axis(["unique_id", "ds"]).reset_index()
                           for f in (X, X_one, X_all))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = tsgate.GRUForecaster(horizon=3, n_models=1, **FAST).fit(y, X)
        with pytest.raises(ValueError, match=r"X has no rows for series \['b'\]: score "
                                             r"forecasts all 2 fitted series"):
            model.score(y_test, X_one)
        assert np.isfinite(model.score(y_test, X_all))
