"""Series and features of any float64 size forecast, scale-invariantly,
without NaN or numpy warnings (a sweep of inputs, session 32): squares
overflowed beyond ~1e154, a std of a constant at 1e300 was 1e284, and a
series of size 1e37 on its own scale was refused once a value was missing."""
import warnings

import numpy as np
import pandas as pd
import pytest

import tsgate
from tests.conftest import FAST
from tsgate.moments import mean_spread, root_mean_square

INDEX = pd.date_range("2000-01-01", periods=48, freq="MS")


def _fit(y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow, no invalid value
        model = tsgate.GRUForecaster(horizon=3, n_models=2, **{**FAST, **params}).fit(y)
        return model.predict(), model.predict_interval(coverage=[0.8, 0.95])


def test_moments_of_any_size_agree_with_numpy_where_numpy_can():
    x = np.random.default_rng(0).normal(5, 3, (50, 3))
    x[4, 1] = np.nan
    mean, spread = mean_spread(x, axis=0)
    np.testing.assert_allclose(mean, np.nanmean(x, axis=0), rtol=1e-12)
    np.testing.assert_allclose(spread, np.nanstd(x, axis=0), rtol=1e-12)
    assert mean_spread(np.full(48, 1e300)) == (1e300, 0.0)  # a constant: no rounding spread
    np.testing.assert_allclose(mean_spread(np.array([1e200, -1e200, 3e200]))[1],
                               np.std([1.0, -1.0, 3.0]) * 1e200, rtol=1e-12)
    assert all(np.isnan(mean_spread(np.array([np.nan, np.nan]))))
    np.testing.assert_allclose(root_mean_square(np.array([3e200, 4e200])), np.sqrt(12.5) * 1e200)
    np.testing.assert_allclose(root_mean_square(np.array([3.0, 1.0]), np.array([1.0, 3.0])),
                               np.sqrt(3.0))


@pytest.mark.parametrize("normalize", ["smooth", "last", "standard"])
@pytest.mark.parametrize("level", [1e60, 1e200, 1e300])
def test_a_constant_series_of_any_size_forecasts_itself(level, normalize):
    forecast, band = _fit(pd.Series(level, index=INDEX), normalize=normalize)
    np.testing.assert_allclose(forecast, level, rtol=1e-9)
    assert np.isfinite(band.to_numpy()).all()


@pytest.mark.parametrize("size", [1e250, -1e250])
def test_a_signed_series_of_size_1e250_is_the_same_forecast_scaled(size):
    t = np.arange(48.0)
    shape = np.sin(t / 3) + 0.3 * np.cos(t)  # crosses zero: the raw scale, no log
    sign = np.sign(size)
    small, small_band = _fit(pd.Series(shape * sign, index=INDEX))
    big, big_band = _fit(pd.Series(shape * size, index=INDEX))
    np.testing.assert_allclose(big / abs(size), small, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(big_band.to_numpy() / abs(size), small_band.to_numpy(),
                               rtol=1e-4, atol=1e-6)


def test_a_missing_value_does_not_refuse_a_series_beyond_float32():
    """1e39 is beyond float32 (3.4e38): on the series' own scale
    (``normalize="last"``; by default, before session 32, the missing value
    hid the season and with it the log scale) the inputs are divided by the
    unit in float64 before they are made float32."""
    t = np.arange(48.0)
    y = pd.Series(100 + t + 10 * np.sin(2 * np.pi * t / 12), index=INDEX)
    y.iloc[5] = np.nan
    small, _ = _fit(y, normalize="last")
    big, _ = _fit(y * 1e39, normalize="last")
    np.testing.assert_allclose(big / 1e39, small, rtol=1e-4)


def test_an_exogenous_feature_of_size_1e155_counts_as_at_size_1():
    n, t = 48, np.arange(51.0)
    rng = np.random.default_rng(0)
    y = pd.Series(100 + t[:n] + 10 * np.sin(2 * np.pi * t[:n] / 12) + rng.normal(0, 1, n),
                  index=INDEX)
    future = pd.date_range("2004-01-01", periods=3, freq="MS")
    x = (t % 7)[:, None]
    forecasts = []
    for scale in (1.0, 1e155):
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            model = tsgate.GRUForecaster(horizon=3, n_models=2, **FAST).fit(
                y, pd.DataFrame(x[:n] * scale, index=INDEX, columns=["x"]))
            forecasts.append(model.predict(X=pd.DataFrame(x[n:] * scale, index=future,
                                                          columns=["x"])))
    np.testing.assert_allclose(forecasts[1], forecasts[0], rtol=1e-6)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_regressor_learns_targets_with_a_level_of_1e12_as_without():
    """y_mean_ was float32: 1e12 + s rounded to a multiple of 65536, and
    every prediction was thousands off."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 4, 1))
    y = X[:, -1, 0] * 2 + X[:, -2, 0]  # (64,) of size about 2
    preds = [tsgate.GRURegressor(**FAST).fit(X, y + offset).predict(X) - offset
             for offset in (0.0, 1e12)]
    np.testing.assert_allclose(preds[1], preds[0], atol=1e-3)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("size", [1e-100, 1e-300])
def test_a_regressor_learns_tiny_targets_as_at_size_1(size):
    """The scale was float32 (0 for targets of 1e-100: predictions of 0) or
    a float64 variance that underflowed (1 for 1e-300: predictions of
    -0.24 for targets of 1e-300)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 4, 1))
    y = X[:, -1, 0] * 2 + X[:, -2, 0]
    small = tsgate.GRURegressor(**FAST).fit(X, y)
    tiny = tsgate.GRURegressor(**FAST).fit(X, y * size)
    np.testing.assert_allclose(tiny.y_scale_ / size, small.y_scale_, rtol=1e-12)
    np.testing.assert_allclose(tiny.predict(X) / size, small.predict(X), rtol=1e-5, atol=1e-9)


def test_the_trend_term_of_values_near_1e300_scales_exactly():
    """The sums of t * values run to n**3 times them: a series of 48 values
    near 1e302 forecast NaN, one of 300 near 1e300 had no calibration."""
    from tsgate.smoothing import smooth
    from tsgate.trendterm import theta_drift

    t = np.arange(300.0)
    z = 5 + 0.1 * t + np.sin(t)
    ends = np.array([50, 299])
    drift = theta_drift(z, smooth(z, 1, log=False), ends, 3)  # (2, 3)
    big = theta_drift(z * 2.0**1000, smooth(z * 2.0**1000, 1, log=False), ends, 3)
    assert np.isfinite(big).all() and np.abs(drift).min() > 0
    np.testing.assert_array_equal(big, drift * 2.0**1000)


def test_windows_of_values_below_float32_are_refused():
    """Values of 1e-300 became zeros in the float32 windows, silently."""
    with pytest.raises(ValueError, match="below float32's smallest normal"):
        tsgate.make_windows(np.linspace(1, 30, 40) * 1e-300, window=4, horizon=1)
    X, _ = tsgate.make_windows(np.linspace(0, 30, 40) * 1e-30, window=4, horizon=1)
    assert np.abs(X).max() > 0


@pytest.mark.parametrize("c", [1e-40, 1e-50, 1e-300])
def test_a_series_below_float32s_range_forecasts_as_its_scaled_copy(c):
    """Below about 1e-38 the smoothing's unit was floored at float32's
    smallest normal number: at 1e-50 the networks' correction was lost and
    the 90% band 24 times too narrow (a state sweep, session 47)."""
    rng = np.random.RandomState(0)
    v = np.sin(np.arange(40) / 3) * 5 + 20 + rng.randn(40)
    def fitted(scale):
        return tsgate.GRUForecaster(horizon=3, max_iter=2, random_state=0, n_models=1).fit(
            pd.Series(v * scale))
    one, tiny = fitted(1.0), fitted(c)
    np.testing.assert_allclose(tiny.predict() / c, one.predict(), rtol=1e-6)
    np.testing.assert_allclose(tiny.predict_interval(0.9) / c, one.predict_interval(0.9),
                               rtol=1e-6)


def test_a_series_of_subnormal_values_is_told_to_rescale():
    """A weekly sine times 1e-309 (below float64's normal numbers) was told
    that it "varies by nan about its level, nan times its typical change"."""
    shape = 2 + np.sin(2 * np.pi * np.arange(84) / 7)
    y = pd.Series(1e-309 * shape, index=pd.date_range("2020-01-01", periods=84, freq="D"))
    with pytest.raises(ValueError, match=r"changes by less than float64 resolves .*rescale it"):
        tsgate.GRUForecaster(horizon=7, max_iter=1, n_models=1, random_state=0).fit(y)
