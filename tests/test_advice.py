"""Error messages that tell a fix: applying the fix they tell must work
(session 34's sweep found three that named values or calls the code then
refused); and inputs that met numpy's or pandas' own errors (a 763 GiB
allocation, "could not convert string to float") or were taken silently
(``learning_rate_init=True``) now get tsgate's, which name the fix."""
import re
import warnings

import numpy as np
import pandas as pd
import pytest

import tsgate
from tests.conftest import FAST
from tsgate.folds import MIN_OBSERVATIONS

MONTHS = pd.date_range("2020-01-01", periods=40, freq="MS")
Y = pd.Series(np.sin(np.arange(40) / 3) + 10, index=MONTHS)


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)


def test_backtest_start_advice_names_starts_that_work():
    """It said "a start in 1..39, or -39..-1", then refused 1 and -39."""
    model = tsgate.GRUForecaster(**dict(FAST, horizon=3))
    with pytest.raises(ValueError, match=r"start in (\d+)\.\.39, or -(\d+)\.\.-1") as info:
        tsgate.backtest(model, Y, start=0)
    low, high = map(int, re.search(r"start in (\d+)\.\.39, or -(\d+)\.\.-1", str(info.value)).groups())
    assert low == MIN_OBSERVATIONS and high == len(Y) - MIN_OBSERVATIONS
    for start in (low, -high):  # the advised bounds themselves
        out = _quiet(tsgate.backtest, model, Y, start=start, refit=False)
        assert out["origin"].iloc[0] == Y.index[low - 1]


def test_backtest_defaults_on_short_series_and_a_series_x_on_its_dates():
    """The default start, five horizons before the end, fell before the
    history a fit needs (20 points, horizon 5: position 1) and the error
    asked for a shorter horizon; a series of 4 was advised starts the next
    check refused. A Series X was read by position (rows shuffled: other
    forecasts, without a word) where fit reads it by date."""
    model = tsgate.GRUForecaster(**dict(FAST, horizon=5))
    out = _quiet(tsgate.backtest, model, Y.iloc[:20], refit=False)
    assert out["origin"].iloc[0] == Y.index[MIN_OBSERVATIONS - 1]
    with pytest.raises(ValueError, match=r"y has 4 time steps; a backtest needs at least 5"):
        tsgate.backtest(model, Y.iloc[:4])
    x = pd.Series(np.cos(np.arange(40) / 5), index=MONTHS, name="x")
    model = tsgate.GRUForecaster(**dict(FAST, horizon=3))
    ordered = _quiet(tsgate.backtest, model, Y, X=x, start=30, refit=False)
    shuffled = _quiet(tsgate.backtest, model, Y, X=x.sample(frac=1.0, random_state=0), start=30,
                      refit=False)
    pd.testing.assert_frame_equal(shuffled, ordered)
    with pytest.raises(ValueError, match="X has no row for"):
        tsgate.backtest(model, Y, X=x.shift(5, freq="MS"), start=30)
    # X on integer labels takes exact rows: near the end, the h steps asked
    steps = _quiet(tsgate.backtest, model, Y.reset_index(drop=True),
                   X=x.reset_index(drop=True), horizon=2, start=34)
    assert len(steps) == 6 and steps["forecast"].notna().all()


def test_a_period_index_that_skips_periods_takes_its_own_freq():
    """One value a year on an 'M' PeriodIndex: freq='M' was refused as a grid
    too fine, advising freq='M'; without it, asked for freq='M'."""
    y = pd.Series(np.arange(12.0), index=pd.period_range("2000-01", periods=12, freq="Y")
                  .asfreq("M", "start"))
    model = tsgate.GRUForecaster(**dict(FAST, horizon=2, freq="M"))
    assert _quiet(model.fit, y).predict().size == 2


@pytest.mark.parametrize("per_series", [False, True])
def test_backtest_horizon_advice_works_for_a_forecaster_without_one(per_series):
    """"pass backtest(..., horizon=steps)": then the clones were fitted with
    horizon=None, which their parameter check refuses."""
    model = tsgate.GRUForecaster(**dict(FAST, horizon=None))
    if per_series:
        model = tsgate.distributed.PerSeriesForecaster(model)
    with pytest.raises(ValueError, match=r"pass backtest\(\.\.\., horizon=steps\)"):
        tsgate.backtest(model, Y)
    out = _quiet(tsgate.backtest, model, Y, horizon=3, start=-6)
    assert len(out) == 6 and set(out["step"]) == {1, 2, 3}
    assert model.get_params()["forecaster__horizon" if per_series else "horizon"] is None


def test_too_few_dates_to_infer_a_frequency_says_the_series_is_too_short_to_fit():
    """Two dates without freq: the advice (set a freq) led only to "too short"."""
    y = pd.Series([1.0, 2.0], index=pd.DatetimeIndex(["2020-01-01", "2020-02-01"]))
    model = tsgate.GRUForecaster(**dict(FAST, horizon=3))
    with pytest.raises(ValueError, match=f"too few to infer one.*at least {MIN_OBSERVATIONS} "
                                         "observations"):
        model.fit(y)
    y.index.freq = "MS"
    with pytest.raises(ValueError, match=f"at least {MIN_OBSERVATIONS} are needed"):
        model.fit(y)


def test_backtest_takes_numpy_bools_for_refit():
    model = tsgate.GRUForecaster(**dict(FAST, horizon=3))
    plain = _quiet(tsgate.backtest, model, Y, start=-9, refit=False)
    numpy_false = _quiet(tsgate.backtest, model, Y, start=-9, refit=np.False_)  # range(.., 0)
    pd.testing.assert_frame_equal(plain, numpy_false)


def test_a_freq_grid_far_finer_than_the_dates_is_refused():
    """freq="ms" (for "MS") on monthly dates: numpy's MemoryError for 763 GiB."""
    model = tsgate.GRUForecaster(**dict(FAST, horizon=3, freq="ms"))
    with pytest.raises(ValueError, match=r"grid of about 1\.\d+e\+11 steps.*'MS' is month start"):
        model.fit(Y)
    sparse = Y.iloc[::3]  # every third month: a grid of 3 steps per date is fine
    assert _quiet(tsgate.GRUForecaster(**dict(FAST, horizon=3, freq="MS")).fit, sparse).predict().size == 3


def test_a_date_alias_for_a_period_index_names_the_period_alias():
    y = Y.to_period("M")
    with pytest.raises(ValueError, match="freq='MS' is not a period frequency.*such as 'M'"):
        tsgate.GRUForecaster(**dict(FAST, horizon=3, freq="MS")).fit(y)
    assert _quiet(tsgate.GRUForecaster(**dict(FAST, horizon=3, freq="M")).fit, y).predict().size == 3


@pytest.mark.parametrize(("params", "named"), [
    ({"hidden_size": 30000}, r"hidden_size=30000 with num_layers=1 makes a network"),
    ({"num_layers": 100000}, r"hidden_size=4 with num_layers=100000 makes a network"),
    ({"season_length": 10**8}, r"from season_length=100000000: set a shorter window="),
])
def test_the_fit_size_check_names_what_makes_the_fit_big(params, named):
    """hidden_size and num_layers were not counted (numpy's MemoryError), and
    every message blamed the horizon or the window."""
    model = tsgate.LSTMForecaster(**dict(FAST, horizon=3, n_models=1, **params))
    with pytest.raises(ValueError, match=named):
        _quiet(model.fit, Y)


def test_window_utilities_on_empty_arrays_values_beyond_float32_and_text_columns():
    with pytest.raises(ValueError, match="The series has 0 points"):
        tsgate.make_windows(np.array([]), window=3, horizon=1)
    with pytest.raises(ValueError, match="The series has 0 points"):
        tsgate.last_window(np.array([]), window=3)
    big = np.array([1.0, 2.0, 5e38, 3.0, 4.0, 5.0])
    with pytest.raises(ValueError, match=r"y holds values up to 5e\+38, beyond float32"):
        tsgate.make_windows(big, window=2, horizon=1)
    with pytest.raises(ValueError, match=r"X holds values up to 5e\+38, beyond float32"):
        tsgate.SlidingWindowTransformer(window=2).fit_transform(big.reshape(-1, 1))
    frame = pd.DataFrame({"sales": np.arange(6.0), "shop": list("abcabc")})
    with pytest.raises(TypeError, match="X column 'shop' has non-numeric dtype"):
        tsgate.SlidingWindowTransformer(window=2).fit(frame)
    fitted = tsgate.SlidingWindowTransformer(window=2).fit(frame[["sales"]].assign(n=1.0))
    with pytest.raises(TypeError, match="X column 'shop' has non-numeric dtype"):
        fitted.transform(frame.rename(columns={"shop": "n"}).assign(n=list("abcabc")).rename(
            columns={"n": "shop"}))


def test_a_class_for_an_estimator_says_to_create_one():
    with pytest.raises(TypeError, match=r"not the class GRUForecaster: create one"):
        tsgate.distributed.PerSeriesForecaster(tsgate.GRUForecaster).fit(Y)
    with pytest.raises(TypeError, match=r"not the class GRUForecaster: create one"):
        tsgate.backtest(tsgate.GRUForecaster, Y, horizon=2)


@pytest.mark.parametrize(("name", "value"), [("learning_rate_init", True), ("tol", True),
                                             ("alpha", True), ("dropout", False)])
def test_a_bool_for_a_number_parameter_is_refused(name, value):
    """learning_rate_init=True trained at a step of 1."""
    message = f"'{name}' parameter .* must be a number, got {value}"
    with pytest.raises(ValueError, match=message):
        tsgate.GRURegressor(**{name: value}).fit(np.ones((8, 4, 1)), np.ones(8))
    with pytest.raises(ValueError, match=message):
        tsgate.GRUForecaster(horizon=3, **{name: value}).fit(Y)
    with pytest.raises(ValueError, match="'n_jobs' parameter .* must be an int"):
        tsgate.distributed.PerSeriesForecaster(tsgate.GRUForecaster(horizon=3), n_jobs=True).fit(Y)


def test_scoring_a_model_with_features_without_them_names_backtest():
    """cross_val_score(params={"X": X}) scored NaN: scikit-learn passes no X
    to score, and the error asked for predict(X=...), which a search cannot."""
    from sklearn.model_selection import TimeSeriesSplit, cross_val_score

    X = pd.DataFrame({"a": np.cos(np.arange(40) / 4)}, index=MONTHS)
    model = tsgate.GRUForecaster(**dict(FAST, horizon=3))
    cv = TimeSeriesSplit(n_splits=2, test_size=3)
    for scoring in (None, tsgate.metrics.neg_mase_scorer):
        with pytest.raises(ValueError, match=r"scoring needs the test steps' rows, "
                                             r"score\(y_test, X=X_test\).*cross_val_score\("
                                             r"model, y, X, cv=...\)"):
            _quiet(cross_val_score, model, Y, cv=cv, params={"X": X}, scoring=scoring,
                   error_score="raise")
        # the fix it gives: X as the second argument, split for fit and score
        assert np.isfinite(_quiet(cross_val_score, model, Y, X, cv=cv, scoring=scoring)).all()
    fitted = _quiet(model.fit, Y.iloc[:37], X.iloc[:37])
    assert np.isfinite(_quiet(fitted.score, Y.iloc[37:], X=X.iloc[37:]))


def test_backtest_of_a_long_frame_gives_the_forecasters_checks():
    """Text times worked everywhere but in backtest; inf, a duplicate row and
    a missing id were blamed on "the union is not a regular grid" or came
    as pandas' reshape error."""
    long = pd.concat([pd.DataFrame({"unique_id": k, "ds": MONTHS.strftime("%Y-%m-%d"),
                                    "y": Y.to_numpy() + i}) for i, k in enumerate("ab")],
                     ignore_index=True)
    model = tsgate.GRUForecaster(**dict(FAST, horizon=3))
    out = _quiet(tsgate.backtest, model, long, start=34, refit=False)
    assert set(out["series"]) == {"a", "b"} and out["forecast"].notna().all()
    bad = long.copy()
    bad.loc[3, "y"] = np.inf
    with pytest.raises(ValueError, match="inf") as info:
        tsgate.backtest(model, bad, start=34)
    assert "union" not in str(info.value)
    with pytest.raises(ValueError, match="duplicate"):
        tsgate.backtest(model, pd.concat([long, long.iloc[[5]]]), start=34)
