"""LSTMForecaster / GRUForecaster on pandas series (issue 4 acceptance)."""
import io
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

import tsgate
from tests.conftest import FAST, SMALL, ar1_seasonal, seasonal
from tsgate.calibration import CalibrationWarning
from tsgate.datasets import load_airline
from tsgate.distributed import PerSeriesForecaster


@pytest.mark.parametrize("index, expected_next", [
    (pd.date_range("2000-01-01", periods=60, freq="MS"), pd.date_range("2005-01-01", periods=4, freq="MS")),
    (pd.period_range("2000Q1", periods=60, freq="Q"), pd.period_range("2015Q1", periods=4, freq="Q")),
    (pd.date_range("2020-01-01", periods=60, freq="D"), pd.date_range("2020-03-01", periods=4, freq="D")),
    (pd.date_range("2020-01-01", periods=60, freq="h"), pd.date_range("2020-01-03 12:00", periods=4, freq="h")),
    (pd.RangeIndex(0, 120, 2), pd.RangeIndex(120, 128, 2)),
])
@pytest.mark.parametrize("cls", [tsgate.LSTMForecaster, tsgate.GRUForecaster])
def test_forecast_index_is_next_periods(cls, index, expected_next):
    y = seasonal(len(index), 12, index)
    if not isinstance(index, pd.RangeIndex):
        y.index = y.index._with_freq(None) if isinstance(index, pd.DatetimeIndex) else y.index
    fc = cls(window=8, horizon=4, **SMALL).fit(y).predict()
    assert isinstance(fc, pd.Series) and fc.name == "value"
    assert fc.index.equals(expected_next)
    assert np.isfinite(fc).all()
    longer = cls(window=8, horizon=2, **SMALL).fit(y).predict(horizon=5)  # recursive blocks
    assert len(longer) == 5 and longer.index[:4].equals(expected_next)
    assert np.isfinite(longer).all()


def test_grid_search_on_series_picks_by_forecast_error():
    y = load_airline()
    search = GridSearchCV(tsgate.GRUForecaster(horizon=12, max_iter=5, random_state=0),
                          {"hidden_size": [4, 8], "window": [12, 24]},
                          cv=TimeSeriesSplit(n_splits=3, test_size=12))
    search.fit(y)
    scores = search.cv_results_["mean_test_score"]
    assert np.isfinite(scores).all() and (scores < 0).all()  # negative MAE
    assert search.best_score_ == scores.max()
    fc = search.best_estimator_.predict()
    assert fc.index[0] == pd.Timestamp("1961-01-01") and len(fc) == 12


def test_several_series_one_global_model():
    idx = pd.date_range("2010-01-01", periods=80, freq="MS")
    df = pd.DataFrame({"a": seasonal(80, 12, idx).to_numpy(),
                       "b": 100 * seasonal(80, 12, idx).to_numpy()}, index=idx)
    model = tsgate.LSTMForecaster(window=12, horizon=3, **SMALL).fit(df)
    fc = model.predict()
    assert list(fc.columns) == ["a", "b"] and fc.index.equals(pd.date_range("2016-09-01", periods=3, freq="MS"))
    assert len(model.regressors_) == model.n_models  # one ensemble for both series
    # per-series scaling: the 100x series forecasts at its own level
    assert 50 < fc["b"].mean() / fc["a"].mean() < 200
    iv = model.predict_interval(0.8)
    assert iv.columns.tolist() == [("a", "lower"), ("a", "upper"), ("b", "lower"), ("b", "upper")]
    assert (iv[("a", "lower")] <= fc["a"]).all() and (fc["a"] <= iv[("a", "upper")]).all()


def test_band_width_follows_each_series_one_step_noise():
    """Two series with the same noise, one with a steep trend: its typical
    seasonal change (the network's unit) is about 15 times larger, yet its
    one-step noise only about 2.5 times. The bands scale with the noise
    (before, with the unit: the trending series' band was 15 times wider,
    and on M1 monthly bands were 2.5 times too wide for the median series);
    a file without ``interval_unit_`` keeps the unit's widths. (Both below 0
    somewhere: on their own scale, whatever the logs' seasonality test.)"""
    rng = np.random.default_rng(4)
    idx = pd.date_range("2000-01-01", periods=120, freq="MS")
    t = np.arange(120)
    pattern = 5 * np.sin(2 * np.pi * t / 12)
    df = pd.DataFrame({"flat": pattern + rng.normal(0, 1, 120),
                       "trend": pattern + 2 * t - 10 + rng.normal(0, 1, 120)}, index=idx)
    model = tsgate.GRUForecaster(horizon=6, n_models=1, hidden_size=8, max_iter=20,
                                 random_state=0).fit(df)
    # the pooled rows (a file of an older tsgate; a collection of 10 or more):
    # the widths differ by the unit alone (each series' own rows: by its quantile too)
    model.calibration_owners_ = None
    iv = model.predict_interval(0.8)
    width = {k: (iv[(k, "upper")] - iv[(k, "lower")]).to_numpy() for k in ("flat", "trend")}
    _, stages = model._stages(model.collection_.values)
    assert [sm.log for sm in stages] == [False, False]
    units = [sm.scale for sm in stages]
    assert units[1] / units[0] > 10
    # two series (fewer than POOLED_UNIT_MIN_SERIES): each one's whole-history
    # one-step noise, outlying errors clipped
    from tsgate.bandunit import noise
    assert model.interval_unit_ == "robust noise"
    zs = [sm.to_working(v) for sm, v in zip(stages, model.collection_.values)]
    want = [noise(z, sm, robust=True) for z, sm in zip(zs, stages)]
    np.testing.assert_allclose(width["trend"] / width["flat"], want[1] / want[0], rtol=1e-6)
    assert np.all(width["trend"] / width["flat"] < 5)
    model.interval_unit_ = "noise"  # as loaded from a file of the unclipped unit
    plain = model.predict_interval(0.8)
    ratio = (plain[("trend", "upper")] - plain[("trend", "lower")]) / (
        plain[("flat", "upper")] - plain[("flat", "lower")])
    want = [noise(z, sm) for z, sm in zip(zs, stages)]
    np.testing.assert_allclose(ratio.to_numpy(), want[1] / want[0], rtol=1e-6)
    del model.interval_unit_  # as loaded from a file written before the noise unit
    old = model.predict_interval(0.8)
    old_width = {k: (old[(k, "upper")] - old[(k, "lower")]).to_numpy() for k in ("flat", "trend")}
    np.testing.assert_allclose(old_width["trend"] / old_width["flat"], units[1] / units[0])


def test_one_series_band_is_sized_by_its_errors_at_any_scale():
    """A series constant before a level shift (5.0 for 40 months, then 50.0):
    the history before an earlier fold's cut is fitted exactly, so its unit
    there is at the noise floor (0.05 of a fallback unit of 1, whatever the
    series' scale). Read in that unit the shift became 900 units and the 80%
    band ran to 4,100 around a forecast of 50, and 1000 times the series did
    not get 1000 times the band. Such rows are now read in the unit at the
    end, the one the band is made of. (The residuals are those of the
    whole history's stage, which follows the shift at once: the origins
    whose first steps crossed it are under a fifth of each of those steps'
    rows, so the 80% band is 0 wide there, the series being exactly flat
    since, and the shift's size beyond.)"""
    idx = pd.date_range("2000-01-01", periods=60, freq="MS")
    y = pd.Series(np.r_[np.full(40, 5.0), np.full(20, 50.0)], idx)
    params = dict(horizon=12, n_models=1, hidden_size=8, max_iter=20, random_state=0)
    model = tsgate.GRUForecaster(**params).fit(y)
    iv = model.predict_interval(0.8)
    assert model.interval_unit_ == "robust noise"
    width = (iv["upper"] - iv["lower"]).to_numpy()
    assert (width >= 0).all() and (np.diff(width) >= 0).all()
    assert 45 <= width.max() < 4 * 45  # the one shift's size, not 100 times it
    big = tsgate.GRUForecaster(**params).fit(1000 * y).predict_interval(0.8)
    np.testing.assert_allclose(big.to_numpy() / 1000, iv.to_numpy(), rtol=1e-3, atol=1e-6)


def test_a_series_fitted_exactly_before_the_cut_does_not_widen_the_others():
    """In a collection (pooled residuals), a series constant up to 3 steps
    before its end and then shifted has a floored unit at the cut: its rows,
    hundreds of units, set the pooled 95% quantile of every series. Read in
    its unit at the end, the other series' bands stay those of the
    collection without it, within the change one series' rows make, and
    the weights of the forecast's parts are chosen without its rows."""
    rng = np.random.default_rng(3)
    idx = pd.date_range("2000-01-01", periods=60, freq="MS")
    t = np.arange(60)
    cols = {f"s{k}": 100 + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, 60) for k in range(10)}
    params = dict(horizon=6, n_models=1, hidden_size=8, max_iter=20, random_state=0)
    plain = tsgate.GRUForecaster(**params).fit(pd.DataFrame(cols, index=idx))
    cols["shift"] = np.r_[np.full(57, 5.0), np.full(3, 50.0)]
    mixed = tsgate.GRUForecaster(**params).fit(pd.DataFrame(cols, index=idx))
    assert mixed.interval_unit_ == "step noise"
    a, b = plain.predict_interval(0.95), mixed.predict_interval(0.95)
    ratio = (b[("s0", "upper")] - b[("s0", "lower")]) / (a[("s0", "upper")] - a[("s0", "lower")])
    assert ratio.between(0.67, 1.5).all(), ratio.to_numpy()
    # nor do its rows, as extreme in network units, choose the weights of all
    # (the trend weight went from 0 to its maximum, 2)
    assert mixed.drift_weight_ == plain.drift_weight_
    assert abs(mixed.shrinkage_ - plain.shrinkage_) < 0.1


@pytest.mark.parametrize("level", [0.0, 1e-3, 1e3])
def test_a_constant_series_in_a_collection_stays_at_its_level_at_any_scale(level):
    """A constant series has no typical change to be its unit; a unit of 1
    whatever its size made the networks' correction an absolute amount: in
    a collection of seasonal series, a constant 0.001 forecast 0.015 three
    steps ahead with a band 0.1 wide. Its unit is now 1% of its size, and a
    history that never changed forecasts its value (a series of zeros
    forecast 0.005-0.02): the networks' output is noise there."""
    rng = np.random.default_rng(0)
    idx = pd.date_range("2010-01-01", periods=60, freq="MS")
    t = np.arange(60)
    cols = {f"s{k}": 100 + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, 60) for k in range(10)}
    cols["constant"] = np.full(60, level)
    model = tsgate.GRUForecaster(horizon=6, n_models=1, hidden_size=8, max_iter=20,
                                 random_state=0).fit(pd.DataFrame(cols, index=idx))
    fc, iv = model.predict(horizon=9)["constant"], model.predict_interval(0.9)["constant"]
    np.testing.assert_allclose(fc.to_numpy(), level, rtol=1e-12, atol=0)  # recursive steps too
    assert (iv["lower"] <= fc[:6]).all() and (fc[:6] <= iv["upper"]).all()
    if level:
        assert ((iv["upper"] - iv["lower"]).to_numpy() / level).max() < 1e-2
    # a history that changed only after a flat start is forecast as any other
    cols["constant"][-12:] += np.arange(12) + 1.0
    other = tsgate.GRUForecaster(horizon=6, n_models=1, hidden_size=8, max_iter=20,
                                 random_state=0).fit(pd.DataFrame(cols, index=idx))
    assert not np.allclose(other.predict()["constant"], cols["constant"][-1])


def test_unchanged_histories_row_by_row():
    from tsgate.encoding import unchanged

    values = [np.array([np.nan, 2.0, 2.0, np.nan, 2.0, 3.0]), np.array([0.0, 0.0])]
    got = unchanged(values, [np.arange(6), np.array([1])])
    np.testing.assert_array_equal(got, [False, True, True, True, True, False, True])


def test_band_width_follows_the_recent_noise_and_its_growth():
    """In a collection of 10 series (POOLED_UNIT_MIN_SERIES), one whose noise
    fell from sd 4 to sd 0.5 four years before its end: its band is sized by
    the recent noise (weights halving every two seasons) times the square
    root of its smoothing stage's error growth to each step, against the
    same residuals read in the whole history's noise ("noise"), exactly. One
    series alone gets the whole history's noise, outliers clipped."""
    from tsgate.bandunit import error_growth, noise
    from tsgate.forecasters import POOLED_UNIT_MIN_SERIES

    assert POOLED_UNIT_MIN_SERIES == 10
    rng = np.random.default_rng(8)
    t = np.arange(144)
    idx = pd.date_range("2000-01-01", periods=144, freq="MS")
    cols = {}
    for k in range(10):
        sd = np.where(t < 96, 4.0, 0.5) if k == 0 else 1.0
        cols[f"s{k}"] = 100 + 10 * np.sin(2 * np.pi * t / 12) + sd * rng.normal(size=144)
    df = pd.DataFrame(cols, index=idx)
    model = tsgate.GRUForecaster(horizon=6, n_models=1, hidden_size=8, max_iter=20,
                                 random_state=0).fit(df)
    assert model.interval_unit_ == "step noise"
    recent = model.predict_interval(0.8)["s0"]
    model.interval_unit_ = "noise"
    whole = model.predict_interval(0.8)["s0"]
    zs, stages = model._stages(model.collection_.values)
    z, sm = zs[0], stages[0]
    # seasonal, and additive: its own scale fits better than the logs (smoothing.takes_log)
    assert not sm.log and sm.period == 12
    ratio = ((recent["upper"] - recent["lower"]) / (whole["upper"] - whole["lower"])).to_numpy()
    want = noise(z, sm, recent=True) * np.sqrt(error_growth(sm, 6)) / noise(z, sm)
    assert want[0] < 0.75 and np.all(np.diff(want) > 0)
    np.testing.assert_allclose(ratio, want, rtol=1e-6)
    one = tsgate.GRUForecaster(horizon=6, n_models=1, hidden_size=8, max_iter=20,
                               random_state=0).fit(df["s0"])
    assert one.interval_unit_ == "robust noise"


def test_exogenous_features_known_in_the_future():
    n = 200
    idx = pd.date_range("2000-01-01", periods=n + 5, freq="D")
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"promo": rng.integers(0, 2, n + 5).astype(float)}, index=idx)
    y = pd.Series(5 + 3 * X["promo"].to_numpy() + 0.05 * rng.normal(size=n + 5), index=idx, name="sales")
    params = dict(window=7, horizon=5, hidden_size=16, max_iter=60, random_state=0)
    with_x = tsgate.GRUForecaster(**params).fit(y[:n], X[:n])
    fc = with_x.predict(X=X[n:])
    without = tsgate.GRUForecaster(**params).fit(y[:n]).predict()
    err_x = np.abs(fc.to_numpy() - y[n:].to_numpy()).mean()
    err_plain = np.abs(without.to_numpy() - y[n:].to_numpy()).mean()
    assert err_x < 0.5 * err_plain
    with pytest.raises(ValueError, match="future values"):
        with_x.predict()
    with pytest.raises(ValueError, match=r"X has no row for 2000-07-22 00:00:00 \(nor for 1 other"):
        with_x.predict(X=X[n:n + 3])
    with pytest.raises(ValueError, match="X has no row for 2000-07-18"):
        tsgate.GRUForecaster(**SMALL).fit(y[:n], X[:n - 1])


def test_exogenous_rows_are_matched_by_time_when_x_covers_more_dates():
    # a calendar of features covering the training and the future dates (and
    # beyond) serves both fit and predict: rows are picked by time
    n, h = 60, 4
    idx = pd.date_range("2010-01-01", periods=n + 3 * h, freq="MS")
    rng = np.random.default_rng(2)
    X = pd.DataFrame({"promo": rng.integers(0, 2, len(idx)).astype(float)}, index=idx)
    y = pd.Series(50 + 5 * X["promo"].to_numpy() + rng.normal(size=len(idx)), index=idx)[:n]
    exact = tsgate.GRUForecaster(horizon=h, **SMALL).fit(y, X[:n])
    calendar = tsgate.GRUForecaster(horizon=h, **SMALL).fit(y, X)
    np.testing.assert_array_equal(calendar.predict(X=X), exact.predict(X=X[n:n + h]))
    # a future row missing is still an error that names it and the rows needed
    with pytest.raises(ValueError, match="no row for 2015-02-01.*from 2015-01-01.*to 2015-04-01"):
        calendar.predict(X=X.drop(index=idx[n + 1]))
    # the exact rows in another order are picked by time too
    np.testing.assert_array_equal(exact.predict(X=X[n:n + h][::-1]), exact.predict(X=X[n:n + h]))
    np.testing.assert_array_equal(
        tsgate.GRUForecaster(horizon=h, **SMALL).fit(y, X[:n][::-1]).predict(X=X[n:n + h]),
        exact.predict(X=X[n:n + h]))
    # positional rows (an array) must match exactly: their dates are unknown
    with pytest.raises(ValueError, match="rows but needs exactly 4"):
        exact.predict(X=X.to_numpy()[n:n + h + 1])
    # backtest picks the rows at y's times too
    template = tsgate.GRUForecaster(horizon=h, **SMALL)
    pd.testing.assert_frame_equal(tsgate.backtest(template, y, X=X, start=-h),
                                  tsgate.backtest(template, y, X=X[:n], start=-h))


def test_nan_inside_series_is_masked_not_propagated():
    y = seasonal(80, 12, pd.date_range("2000-01-01", periods=80, freq="MS"))
    y.iloc[[0, 10, 11, 40, 79]] = np.nan
    model = tsgate.LSTMForecaster(window=12, horizon=6, **SMALL).fit(y)
    assert np.isfinite(model.predict()).all()
    assert np.isfinite(model.predict_interval(0.9).to_numpy()).all()


def test_interval_coverage_near_nominal_on_held_back_data():
    n = 700
    y = ar1_seasonal(n)
    cut = 500
    model = tsgate.GRUForecaster(window=24, horizon=1, hidden_size=16, max_iter=40,
                                 validation_fraction=0.3, random_state=0).fit(y[:cut])
    hits = []
    for origin in range(cut, n):
        iv = model.predict_interval(0.9, y=y[:origin])
        hits.append(iv["lower"].iloc[0] <= y.iloc[origin] <= iv["upper"].iloc[0])
    coverage = np.mean(hits)
    assert 0.8 <= coverage <= 0.97, coverage


def test_backtest_on_bundled_dataset():
    y = load_airline()
    bt = tsgate.backtest(tsgate.LSTMForecaster(horizon=6, **SMALL), y, start=-18, refit=2)
    assert list(bt.columns) == ["origin", "time", "step", "series", "forecast", "actual", "error", "abs_error"]
    assert len(bt) == 18 and bt["origin"].nunique() == 3
    assert (bt["time"] > bt["origin"]).all()
    np.testing.assert_allclose(bt["error"], bt["actual"] - bt["forecast"])
    no_refit = tsgate.backtest(tsgate.LSTMForecaster(horizon=6, **SMALL), y, start=-18, refit=False)
    assert no_refit["origin"].nunique() == 3 and np.isfinite(no_refit["forecast"]).all()
    # with the bands of each origin: the same forecasts, and the bounds predict_interval gives
    banded = tsgate.backtest(tsgate.LSTMForecaster(horizon=6, **SMALL), y, start=-18, refit=2,
                             coverage=[0.8, 0.95])
    assert list(banded.columns[8:]) == ["lower_80", "upper_80", "lower_95", "upper_95"]
    pd.testing.assert_frame_equal(banded.iloc[:, :8], bt)
    first = tsgate.LSTMForecaster(horizon=6, **SMALL).fit(y.iloc[:-18])
    np.testing.assert_array_equal(banded["upper_95"].to_numpy()[:6],
                                  first.predict_interval(0.95)["upper"].to_numpy())
    assert (banded["lower_95"] < banded["lower_80"]).all()
    later = banded[banded["origin"] == banded["origin"].iloc[6]]  # forecast from a longer history
    np.testing.assert_array_equal(later["lower_80"].to_numpy(),
                                  first.predict_interval(0.8, y=y.iloc[:-12])["lower"].to_numpy())
    one = tsgate.backtest(tsgate.LSTMForecaster(horizon=6, **SMALL), y, start=-6, coverage=0.9)
    assert list(one.columns[8:]) == ["lower", "upper"]
    with pytest.raises(ValueError, match="coverage must be a number in \\(0, 1\\) or a list"):
        tsgate.backtest(tsgate.LSTMForecaster(horizon=6, **SMALL), y, start=-6, coverage=90)


def test_backtest_forecasts_each_origin_once_with_its_bands(monkeypatch):
    # predict and predict_interval each computed the forecast from a new history
    y = load_airline()
    real = tsgate.forecasters._BaseForecaster._forecast_from
    calls = []

    def counted(self, h, X, history):
        calls.append(None if history is None else len(history))
        return real(self, h, X, history)

    monkeypatch.setattr(tsgate.forecasters._BaseForecaster, "_forecast_from", counted)
    bt = tsgate.backtest(tsgate.GRUForecaster(horizon=3, **SMALL), y, start=-9, refit=False,
                         coverage=[0.8, 0.95])
    assert sorted(n for n in calls if n is not None) == [len(y) - 6, len(y) - 3]
    model = tsgate.GRUForecaster(horizon=3, **SMALL).fit(y.iloc[:-9])
    for o in (len(y) - 9, len(y) - 6, len(y) - 3):  # the public calls give the same numbers
        rows = bt[bt["origin"] == y.index[o - 1]]
        history = None if o == len(y) - 9 else y.iloc[:o]
        np.testing.assert_array_equal(rows["forecast"], model.predict(y=history))
        band = model.predict_interval([0.8, 0.95], y=history)
        for name in ("lower_80", "upper_80", "lower_95", "upper_95"):
            np.testing.assert_array_equal(rows[name], band[name])

    class Clipped(tsgate.GRUForecaster):  # a user's own predict is what backtest scores
        def predict(self, horizon=None, X=None, y=None):
            return super().predict(horizon, X, y).clip(upper=400.0)

    clipped = tsgate.backtest(Clipped(horizon=3, **SMALL), y, start=-9, refit=False, coverage=0.8)
    np.testing.assert_array_equal(clipped["forecast"], bt["forecast"].clip(upper=400.0))
    assert (bt["forecast"] > 400).any()
    # one model per series (its _bands gathers the series' own): the public calls' numbers
    wide = pd.DataFrame({"a": y.to_numpy(), "b": y.to_numpy() / 2}, index=y.index)
    per = PerSeriesForecaster(tsgate.GRUForecaster(horizon=3, **SMALL))
    got = tsgate.backtest(per, wide, start=-6, refit=False, coverage=0.8)
    later = clone(per).fit(wide.iloc[:-6])
    rows = got[got["origin"] == wide.index[-4]]
    band, fc = later.predict_interval(0.8, y=wide.iloc[:-3]), later.predict(y=wide.iloc[:-3])
    for col in ("a", "b"):
        one = rows[rows["series"] == col]
        np.testing.assert_array_equal(one["forecast"], fc[col])
        np.testing.assert_array_equal(one["upper"], band[col]["upper"])


def test_backtest_of_long_and_multiindex_layouts_is_that_of_their_wide_frame():
    y = load_airline()
    wide = pd.DataFrame({"a": y.to_numpy(), "b": np.r_[np.full(20, np.nan), y.to_numpy()[20:] / 2]},
                        index=y.index)
    expected = tsgate.backtest(tsgate.GRUForecaster(horizon=3, **SMALL), wide, start=-6,
                               coverage=0.8)
    assert ((expected["lower"] < expected["forecast"]) & (expected["forecast"] < expected["upper"])).all()
    long = wide.stack().rename("y").rename_axis(["ds", "unique_id"]).reset_index()
    got = tsgate.backtest(tsgate.GRUForecaster(horizon=3, **SMALL), long, start=-6, coverage=0.8)
    pd.testing.assert_frame_equal(got, expected, check_freq=False)
    expected = expected.drop(columns=["lower", "upper"])
    stacked = long.set_index(["unique_id", "ds"])["y"]
    got = tsgate.backtest(tsgate.GRUForecaster(horizon=3, **SMALL), stacked, start=-6)
    pd.testing.assert_frame_equal(got, expected, check_freq=False)
    with pytest.raises(ValueError, match="exogenous X with a Series or a wide DataFrame only"):
        tsgate.backtest(tsgate.GRUForecaster(horizon=3, **SMALL), long, X=long[["y"]])


def test_sklearn_estimator_contract():
    y = load_airline()
    model = tsgate.GRUForecaster(horizon=3, **SMALL)
    c = clone(model.set_params(hidden_size=5))
    assert c.get_params()["hidden_size"] == 5 and "hidden_size=5" in repr(c)
    with pytest.raises(NotFittedError):
        c.predict()
    c.fit(y)
    again = pickle.loads(pickle.dumps(c))
    pd.testing.assert_series_equal(again.predict(), c.predict())
    same = tsgate.GRUForecaster(horizon=3, hidden_size=5, max_iter=3, random_state=0).fit(y)
    pd.testing.assert_series_equal(same.predict(), c.predict())


@pytest.mark.parametrize("make, exc, match", [
    (lambda y: y[:3], ValueError, "at least 4 are needed"),
    (lambda y: pd.concat([y[:30], y[29:30], y[30:]]), ValueError, "duplicate"),
    (lambda y: y.iloc[::-1], ValueError, "sorted"),
    (lambda y: y.drop(y.index[[3, 7, 8, 20]]).set_axis(
        y.index.delete([3, 7, 8, 20])._with_freq(None)), ValueError, "frequency"),
    (lambda y: y.astype(str), TypeError, "numbers"),
    (lambda y: y.to_numpy(), TypeError, "pandas"),
    (lambda y: y.set_axis([f"t{i}" for i in range(len(y))]), ValueError, "DatetimeIndex"),
    (lambda y: y.replace(y.iloc[5], np.inf), ValueError, "inf"),
    (lambda y: pd.concat([y, y], axis=1), ValueError, "duplicate column"),
])
def test_bad_series(make, exc, match):
    y = load_airline()
    with pytest.raises(exc, match=match):
        tsgate.LSTMForecaster(window=24, horizon=12, **SMALL).fit(make(y))


def test_bad_horizon_and_history():
    y = load_airline()
    model = tsgate.LSTMForecaster(window=12, horizon=3, **SMALL).fit(y)
    with pytest.raises(ValueError, match="horizon"):
        model.predict(horizon=0)
    with pytest.raises(ValueError, match="at least 2"):
        model.predict(y=y[:1])
    with pytest.raises(ValueError, match="coverage"):
        model.predict_interval(1.5)
    with pytest.raises(ValueError, match="horizon"):
        tsgate.LSTMForecaster(horizon=0).fit(y)


def test_a_short_new_history_of_a_fitted_series_is_extended_by_its_past():
    """``predict(y=...)`` estimates the smoothing stage on the new history;
    under three seasons the seasonality test runs only as the phases'
    F-test, under two not at all. Such a history of a
    fitted series that overlaps or continues it is extended back by its
    training values: the last 24 months of airline forecast as the whole
    series does, and a model fitted a year earlier forecasts from the new
    year as from the whole series; with one series fitted, whatever the
    history's name. A gap before the history, or another series of a
    collection, leaves it alone, and a warning says its forecast has no
    season (before, every short history lost the season silently)."""
    y = load_airline()
    model = tsgate.GRUForecaster(horizon=12, **FAST).fit(y)
    assert model._stages([y.to_numpy()])[1][0].period == 12
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)  # (max_iter ended the fits)
        pd.testing.assert_series_equal(model.predict(y=y[-24:]), model.predict())
        pd.testing.assert_frame_equal(model.predict_interval(0.8, y=y[-24:]),
                                      model.predict_interval(0.8))
        model.predict(y=y[-48:])  # long enough to be tested on its own
        earlier = tsgate.GRUForecaster(horizon=12, **FAST).fit(y[:-12])
        pd.testing.assert_series_equal(earlier.predict(y=y[-12:]), earlier.predict(y=y))
        trend = pd.Series(np.arange(60.0) + 1, pd.date_range("2000-01-01", periods=60, freq="MS"))
        flat = tsgate.GRUForecaster(horizon=6, **FAST).fit(trend)  # no season: nothing to lose
        flat.predict(y=trend[-12:].rename("other"))
    gap = tsgate.GRUForecaster(horizon=12, **FAST).fit(y[:-36])
    with pytest.warns(UserWarning, match="fewer than the 24 that show a season of 12"):
        gap.predict(y=y[-20:])
    with warnings.catch_warnings():  # two seasons alone show it (session 38)
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)  # (max_iter ended the fits)
        gap.predict(y=y[-24:])
    # one series fitted: a Series is that one whatever its name (as score() matches it)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", ConvergenceWarning)  # (max_iter ended the fits)
        pd.testing.assert_frame_equal(model.predict_interval(0.8, y=y[-24:].rename("other")),
                                      model.predict_interval(0.8))
    periods = tsgate.GRUForecaster(horizon=12, **FAST).fit(y.to_period("M"))
    with pytest.warns(UserWarning, match="no seasonal pattern"):  # dates after periods: alone
        assert np.isfinite(periods.predict(y=y[-20:])).all()


def _state(est):
    """vars(est), nested estimators (members) included: identities and array copies."""
    out = {}
    for k, v in vars(est).items():
        out[k] = (id(v), v.copy() if isinstance(v, np.ndarray) else None)
        members = v.values() if isinstance(v, dict) else v if isinstance(v, list) else ()
        for i, m in enumerate(members):
            if hasattr(m, "get_params"):
                out.update({f"{k}[{i}].{kk}": vv for kk, vv in _state(m).items()})
    return out


def _assert_same_state(before, after):
    assert after.keys() == before.keys(), set(after) ^ set(before)
    for k, (ident, array) in before.items():
        assert after[k][0] == ident, k
        if array is not None:
            np.testing.assert_array_equal(after[k][1], array, err_msg=k)


def test_predict_leaves_the_forecaster_unchanged():
    from tsgate.distributed import PerSeriesForecaster

    y = load_airline().iloc[:48]
    X = pd.DataFrame({"x": np.sin(np.arange(54) / 3.0)},
                     index=pd.date_range(y.index[0], periods=54, freq="MS"))
    model = tsgate.LSTMForecaster(horizon=3, n_models=2, attention=True, **SMALL).fit(y, X.iloc[:48])
    before = _state(model)
    model.predict(X=X.iloc[48:51])
    model.predict(horizon=6, X=X.iloc[48:])  # recursive
    model.predict_interval(0.8, X=X.iloc[48:51])
    model.predict(y=y.iloc[:40], X=X.iloc[:43])
    model.score(pd.Series([400.0, 410.0, 420.0], index=X.index[48:51]), X=X.iloc[48:51])
    _assert_same_state(before, _state(model))
    per = PerSeriesForecaster(tsgate.GRUForecaster(horizon=2, n_models=1, **SMALL))
    per.fit(pd.DataFrame({"a": y.to_numpy(), "b": y.to_numpy()[::-1].copy()}))
    before = _state(per)
    per.predict()
    per.predict_interval(0.9)
    _assert_same_state(before, _state(per))


def test_trend_term_only_for_series_without_season():
    """Growing yearly series: the validation fit picks the Theta trend term
    (its weight on the grid) and the forecasts keep growing; one series
    alone, forecast fewer than 10 steps ahead, takes the Theta method's
    weight, 1; seasonal series get no trend term at all."""
    rng = np.random.default_rng(0)
    idx = pd.period_range("1980", periods=25, freq="Y")
    growth = rng.uniform(0.03, 0.08, 12)
    wide = pd.DataFrame(
        100 * np.exp(np.outer(np.arange(25), growth) + rng.normal(0, 0.01, (25, 12))),
        index=idx, columns=[f"s{i}" for i in range(12)])
    model = tsgate.GRUForecaster(horizon=4, **SMALL).fit(wide)
    assert model.drift_weight_ > 0
    fc = model.predict()
    assert (fc.iloc[-1] > wide.iloc[-1]).all() and (fc.diff().iloc[1:] > 0).all().all()
    one = tsgate.GRUForecaster(horizon=4, **SMALL).fit(wide["s0"])
    assert one.drift_weight_ == 1.0 and (one.predict().diff().iloc[1:] > 0).all()

    monthly_idx = pd.date_range("2000-01-01", periods=72, freq="MS")
    season = pd.DataFrame({f"m{i}": seasonal(72, 12, monthly_idx, seed=i).to_numpy() + 10
                           for i in range(3)}, index=monthly_idx)
    model = tsgate.GRUForecaster(horizon=6, **SMALL).fit(season)
    zs, stages = model._stages(model.collection_.values)
    assert all(sm.period == 12 for sm in stages)
    ends = [np.array([len(z) - 1]) for z in zs]
    assert (model._drift(zs, stages, ends) == 0).all()


@pytest.mark.parametrize("values", [[1.0, 1, 1, 0], [5.0, 6, 7, 8, 9, 10, 11, 12, -1, 3]])
def test_positive_history_with_a_non_positive_tail(values):
    """Found by the fuzz test: the validation fit's stage took the log scale
    of the positive cut series, and the tail's 0 became -inf residuals. The
    scale is now chosen on the whole series, so everything stays finite."""
    y = pd.Series(values, index=pd.date_range("2000-01-01", periods=len(values), freq="D"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CalibrationWarning)
        model = tsgate.GRUForecaster(window=1, horizon=2, **FAST).fit(y)
        assert np.isfinite(model.calibration_residuals_[np.isfinite(model.calibration_residuals_)]).all()
        assert not np.isinf(model.calibration_residuals_).any()
        assert np.isfinite(model.predict().to_numpy()).all()
        assert np.isfinite(model.predict_interval(0.8).to_numpy()).all()


@pytest.mark.parametrize("early_stopping", [False, True])
def test_members_fit_at_once_with_the_bits_of_one_after_the_other(monkeypatch, early_stopping):
    """The ensemble's fits run on a thread pool, one Numba thread each, and
    give the same bits as the same fits run in turn on this thread."""
    import threading

    import numba

    from tsgate import fitplan
    from tsgate.backend import numba_threads

    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("one Numba thread: the fits run in turn")
    where = []
    fit_member = fitplan._fit_member

    def spy(reg, *args, **kwargs):  # (the threads the kernels are chosen by: Numba's own
        # count where its threading layer runs, else a flag that starts none)
        where.append((threading.current_thread().name, numba_threads()))
        return fit_member(reg, *args, **kwargs)

    monkeypatch.setattr(fitplan, "_fit_member", spy)
    y = ar1_seasonal(60)
    params = dict(horizon=3, early_stopping=early_stopping, **SMALL)
    pooled = tsgate.GRUForecaster(**params).fit(y)
    assert len(where) == 12  # 3 validation folds (one series) and the final fit, 3 members each
    assert all(name.startswith("tsgate-fit") and threads == 1 for name, threads in where)

    before = numba.get_num_threads()
    numba.set_num_threads(1)  # a caller's cap of one thread: the fits run in turn, here
    try:
        where.clear()
        in_turn = tsgate.GRUForecaster(**params).fit(y)
    finally:
        numba.set_num_threads(before)
    assert [name for name, _ in where] == [threading.current_thread().name] * 12
    np.testing.assert_array_equal(pooled.predict(), in_turn.predict())
    np.testing.assert_array_equal(pooled.calibration_residuals_, in_turn.calibration_residuals_)
    for a, b in zip(pooled.regressors_ + pooled.holdout_regressors_,
                    in_turn.regressors_ + in_turn.holdout_regressors_):
        np.testing.assert_array_equal(a.params_, b.params_)
        assert a.n_iter_ == b.n_iter_

    # with a progress display too (lines here: not a terminal), the same bits
    where.clear()
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()) as out:
        shown = tsgate.GRUForecaster(verbose=True, **params).fit(y)
    assert all(name.startswith("tsgate-fit") for name, _ in where)
    np.testing.assert_array_equal(shown.predict(), pooled.predict())
    assert "GRUForecaster, fold 3 model 3/3 epoch 3/3" in out.getvalue()
    assert not any(hasattr(r, "_shared_progress") for r in shown.regressors_)


def test_one_bar_for_the_ensemble_on_a_terminal(monkeypatch):
    """On a terminal the ensemble's fits, two at once, share one bar: every
    member's epochs, the model and loss of the latest, and at the end the
    count of models fitted (it ended on "model 2/3" of 3); nothing of it
    stays on the fitted model (it pickles)."""
    import io
    import pickle

    from tsgate import _progress

    monkeypatch.setattr(_progress, "_is_terminal", lambda stream: True)
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    model = tsgate.GRUForecaster(horizon=3, verbose=True, **SMALL).fit(ar1_seasonal(60))
    text = err.getvalue()
    # 9 validation fits (3 folds) of 3 epochs, 3 final ones continuing them for 1
    assert "GRUForecaster: 100%" in text and "30/30" in text
    assert "model=" in text and "loss=" in text
    last = text.rstrip().rsplit("\r", 1)[-1]  # the bar as it is left on the screen
    assert "30/30" in last and "models fitted=12, loss=" in last and "model=" not in last
    assert not hasattr(model, "_bar")
    pickle.dumps(model)


def test_a_fit_inside_an_except_block_ends_its_bar_as_completed(monkeypatch):
    """The bar's end is the fit's, not ``sys.exc_info()``'s: fitted inside
    the caller's ``except`` block, the ensemble's bar still counts its
    models, and a regressor's early stop still shows as complete (both read
    as interrupted before)."""
    import io

    from tsgate import _progress

    monkeypatch.setattr(_progress, "_is_terminal", lambda stream: True)
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    try:
        raise KeyError("the caller's own handled error")
    except KeyError:
        tsgate.GRUForecaster(horizon=3, verbose=True, **SMALL).fit(ar1_seasonal(60))
        last = err.getvalue().rstrip().rsplit("\r", 1)[-1]
        assert "30/30" in last and "models fitted=12" in last, last
        err.seek(0), err.truncate()
        rng = np.random.default_rng(0)
        reg = tsgate.GRURegressor(hidden_size=4, max_iter=50, n_iter_no_change=1, tol=1e9,
                                  random_state=0, verbose=True)
        reg.fit(rng.normal(size=(40, 5, 1)), rng.normal(size=40))
        last = err.getvalue().rstrip().rsplit("\r", 1)[-1]
        assert reg.n_iter_ < 50 and f"{reg.n_iter_}/{reg.n_iter_}" in last, last


def test_backtest_errors_name_the_parameter():
    y = load_airline()
    model = tsgate.GRUForecaster(horizon=3, **SMALL)
    for refit in ("yes", None, 2.5, 0):
        with pytest.raises(ValueError, match="refit must be True, False or a positive integer"):
            tsgate.backtest(model, y, refit=refit)
    from tsgate.backtest import (
        _origins,  # five horizons before the end, or the first start
    )
    assert _origins(len(y), 200, None, 200) == [4]  # with history enough (it was 1: refused)
    with pytest.raises(ValueError, match="leaves 2 training step"):
        tsgate.backtest(model, y, start=2)
    # a series that starts 8 steps before the end has nothing before an origin at -12
    wide = pd.DataFrame({"a": y, "b": 2 * y})
    wide.iloc[:-8, 1] = np.nan
    with pytest.raises(ValueError, match=r"position 132, series 'b' has 0 observed value\(s\).*"
                                         r"start must be >= 140"):
        tsgate.backtest(model, wide, start=-12)


def test_a_season_longer_than_half_the_data_warns():
    y = load_airline().iloc[:40]
    with pytest.warns(UserWarning, match="season_length=30 is more than half of the longest"
                                         ".*make the fit slow"):
        tsgate.GRUForecaster(horizon=2, season_length=30, **SMALL).fit(y)
    # with a window given, the seasons do not set the windows: no word of their cost
    with pytest.warns(UserWarning, match="season_length=30") as caught:
        tsgate.GRUForecaster(horizon=2, season_length=30, window=5, **SMALL).fit(y)
    assert not any("slow" in str(w.message) for w in caught)


def test_stall_settings_without_max_iter_warn_they_do_nothing():
    """The step budget of max_iter=None trains its fits whole: n_iter_no_change=1
    and tol=1e6 gave the default fit, without a word."""
    y = load_airline().iloc[:40]
    small = {k: v for k, v in SMALL.items() if k != "max_iter"}
    with pytest.warns(UserWarning, match="n_iter_no_change=1 and tol=1000000.0 act only with "
                                         "max_iter set"):
        tsgate.GRUForecaster(horizon=2, n_iter_no_change=1, tol=1e6, **small).fit(y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)  # (max_iter=3 ended the fits)
        tsgate.GRUForecaster(horizon=2, **small).fit(y)
        tsgate.GRUForecaster(horizon=2, n_iter_no_change=1, **SMALL).fit(y)


def test_progress_lines_of_concurrent_fits_stay_whole(monkeypatch):
    """An ensemble's members print from several threads: print() wrote the
    line and its newline apart, and two members' lines ran together."""
    import threading
    import time

    from tsgate import _progress

    class Slow(io.StringIO):  # a terminal's write: slow enough for a thread switch
        def write(self, text):
            n = super().write(text)
            time.sleep(1e-4)
            return n

    out = Slow()
    monkeypatch.setattr("sys.stdout", out)

    def member(k):
        log = _progress.EpochProgress(f"model {k}", 100, 2)
        for epoch in range(1, 101):
            log(epoch, 0.5, None, 0.0)
        log.close()

    threads = [threading.Thread(target=member, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = out.getvalue().splitlines()
    assert len(lines) == 400
    monkeypatch.setattr("sys.stdout", None)  # pythonw, services: nowhere to write, no error
    _progress.EpochProgress("model", 2, 2)(1, 0.5, None, 0.0)
    assert all(line.startswith("model ") and line.count("epoch") == 1 for line in lines)


def test_a_never_negative_history_gets_no_negative_forecast_or_bound():
    """An intermittent series of 0s and 3s: the additive stage's forecast and
    band reach below 0; floored at 0 where the history never is negative,
    as a mixed-sign series is not."""
    rng = np.random.default_rng(0)
    index = pd.date_range("2020-01", periods=80, freq="MS")
    y = pd.Series(3.0 * (rng.random(80) < 0.3), index=index)
    model = tsgate.GRUForecaster(horizon=6, **SMALL).fit(y)
    band = model.predict_interval(0.95)
    assert (model.predict() >= 0).all() and (band.to_numpy() >= 0).all()
    assert (band["lower"] == 0).any()  # the floor is reached: the test can fail
    signed = model.predict_interval(0.95, y=y - 1.5)  # the same shape, below 0 half the time
    assert (signed["lower"] < 0).all()
    # a return now and then (1 value in 400 below 0) keeps the floor and the zeros'
    # bounds: they went off at the first negative value (95% lower bounds of -2.5)
    long = pd.Series(rng.poisson(0.4, 400).astype(float),
                     index=pd.date_range("2020-01-01", periods=400, freq="D"))
    long.iloc[[100]] = -2.0
    bands = tsgate.GRUForecaster(horizon=7, **SMALL).fit(long).predict_interval([0.8, 0.95])
    assert (bands[["lower_80", "lower_95"]] == 0).all().all()


def test_training_forecast_is_computed_once_per_fit_and_horizon(monkeypatch):
    idx = pd.date_range("2010-01-01", periods=60, freq="MS")
    df = pd.DataFrame({"a": seasonal(60, 12, idx).to_numpy(),
                       "b": 3 * seasonal(60, 12, idx).to_numpy()[::-1]}, index=idx)
    model = tsgate.GRUForecaster(window=12, horizon=3, **SMALL).fit(df)
    computed = []
    inner = type(model)._forecast_from
    monkeypatch.setattr(type(model), "_forecast_from",
                        lambda self, *a: computed.append(a[0]) or inner(self, *a))
    first = model.predict()
    first.iloc[0, 0] = -1e9  # the caller's copy: the kept forecast is not touched
    again = model.predict()
    bands = model.predict_interval(coverage=[0.8, 0.95])
    assert computed == [3]
    assert again.iloc[0, 0] != -1e9 and bands.shape == (3, 8)
    longer = model.predict(horizon=5)
    assert computed == [3, 5] and np.allclose(longer.iloc[:3], again)
    model.predict(y=df.iloc[:-2])  # a new history is never kept
    assert computed == [3, 5, 3]
    # a refit forgets it: the forecast of the new data, not the old one
    refit = model.fit(df * 10).predict()
    assert computed == [3, 5, 3, 3]
    np.testing.assert_allclose(refit, clone(model).fit(df * 10).predict())
    assert not np.allclose(refit, again)


@pytest.mark.parametrize("early_stopping", [False, True])
def test_a_max_iter_that_ends_the_fits_warns_once_as_the_regressors_do(early_stopping):
    """Issue 15: a ConvergenceWarning where max_iter ends a fit that early
    stopping (or the stall rule) did not; the forecasters said nothing.
    (One series: 2 members in each of 3 calibration folds.)"""

    y = pd.Series(np.sin(np.arange(60) / 3) + 5, index=pd.date_range("2020-01", periods=60,
                                                                     freq="MS"))
    with pytest.warns(ConvergenceWarning, match=r"max_iter=2 epochs ended 6 of 6 validation"):
        tsgate.GRUForecaster(horizon=3, n_models=2, hidden_size=4, max_iter=2, random_state=0,
                             early_stopping=early_stopping, n_iter_no_change=5).fit(y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # the step budget is a plan
        tsgate.GRUForecaster(horizon=3, n_models=1, hidden_size=4, random_state=0).fit(y)
