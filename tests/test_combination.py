"""The weights of the forecast's parts (tsgate.combination)."""
import numpy as np
import pandas as pd

import tsgate
from tests.conftest import FAST
from tsgate.combination import combined_errors, weights
from tsgate.smoothing import theta_drift


def test_inverse_mse_weight_and_grid_trend_weight():
    rng = np.random.default_rng(0)
    D = np.tile(np.arange(1.0, 5.0), (200, 1))  # (rows, H) the trend term at weight 1
    P = rng.normal(size=(200, 4))  # the networks' forecast
    noise = rng.normal(size=(200, 4))
    Y = 0.5 * D + P + 0.5 * noise  # the tail: half the trend, the networks right but noisy
    Y[-3:, -1] = np.nan  # series' ends
    w, u = weights(Y, P, D)
    residuals = combined_errors(Y, P, D, w, u)
    assert u == 0.5  # the grid pair of least absolute error
    stat = Y - u * D
    mse_stat, mse_net = np.nanmean(stat ** 2), np.nanmean((stat - P) ** 2)
    assert np.isclose(w, mse_stat / (mse_stat + mse_net))
    assert 0.7 < w < 0.9  # networks better than no correction, not perfect
    np.testing.assert_allclose(residuals, Y - w * P - u * D)
    assert np.isnan(residuals[-3:, -1]).all() and np.isfinite(residuals[:-3]).all()
    # a trend weight given (the Theta method's, for a few series) is taken;
    # the networks' weight is then chosen for the statistical forecast with it
    w1, u1 = weights(Y, P, D, drift=1.0)
    stat = Y - D
    mse_stat, mse_net = np.nanmean(stat ** 2), np.nanmean((stat - P) ** 2)
    assert u1 == 1.0 and np.isclose(w1, mse_stat / (mse_stat + mse_net)) and w1 != w


def test_useless_networks_get_little_weight_and_a_perfect_tail_half():
    rng = np.random.default_rng(1)
    Y = rng.normal(size=(300, 3))
    w, u = weights(Y, 3 * rng.normal(size=(300, 3)), np.zeros((300, 3)))
    assert w < 0.2 and u == 0.0
    zeros = np.zeros((5, 2))
    w, u = weights(zeros, zeros, zeros)
    residuals = combined_errors(zeros, zeros, zeros, w, u)
    assert w == 0.5 and not residuals.any()  # no error either way: equal weights


def test_one_series_that_broke_away_does_not_choose_the_weights():
    """Rows are pooled over series in network units: a few rows of errors of
    hundreds of units (a series whose tail jumped tenfold) set the
    networks' weight of every series to 0.5 before; targets beyond TRIM
    times their median size now stay out of the choice (clipped at that
    bound instead, they still pulled the weight from 0.88 to 0.64)."""
    rng = np.random.default_rng(2)
    Y = rng.normal(size=(300, 4))
    P = 0.8 * Y + 0.3 * rng.normal(size=(300, 4))  # networks much better than no correction
    D = np.zeros((300, 4))
    w, u = weights(Y, P, D)
    assert w > 0.8
    broken = np.vstack([Y, np.full((6, 4), 500.0)])  # one series' tail, far off
    P2, D2 = np.vstack([P, np.zeros((6, 4))]), np.zeros((306, 4))
    w2, u2 = weights(broken, P2, D2)
    residuals = combined_errors(broken, P2, D2, w2, u2)
    assert abs(w2 - w) < 0.05 and u2 == u
    np.testing.assert_allclose(residuals[-6:], 500.0)  # still residuals, as they are


def test_a_seasonal_trend_is_part_of_the_statistical_forecast_only():
    rng = np.random.default_rng(3)
    S = np.tile(np.arange(1.0, 5.0), (200, 1))  # (rows, H) the seasonal series' trend term
    P = S + 0.3 * rng.normal(size=(200, 4))  # the networks follow the trend, noisily
    Y = S + 0.5 * rng.normal(size=(200, 4))
    D = np.zeros((200, 4))
    w, u = weights(Y, P, D, S=S)
    stat, net = Y - S, Y - P  # each forecast's errors: the trend is in both
    mse_stat, mse_net = np.mean(stat ** 2), np.mean(net ** 2)
    assert np.isclose(w, mse_stat / (mse_stat + mse_net)) and 0.3 < w < 0.9
    residuals = combined_errors(Y, P, D, w, u, S)
    np.testing.assert_allclose(residuals, Y - w * P - (1 - w) * S)  # a convex combination
    # without it the statistical forecast is flat: far worse, the networks' weight near 1
    w0, _ = weights(Y, P, D)
    assert w0 > 0.9 and w0 > w
    np.testing.assert_allclose(combined_errors(Y, P, D, w0, u), Y - w0 * P)


def test_a_seasonal_series_forecast_carries_its_trend_at_the_statistical_share():
    t = np.arange(96)
    y = pd.Series(100 + 2.0 * t + 15 * np.sin(2 * np.pi * t / 12)
                  + np.random.default_rng(0).normal(0, 1, 96),
                  index=pd.date_range("2015-01-01", periods=96, freq="MS"))
    model = tsgate.GRUForecaster(horizon=6, n_models=1, **FAST).fit(y)
    assert model.season_drift_ and 0 < model.shrinkage_ < 1
    with_trend = model.predict().to_numpy()
    zs, stages = model._stages(model.collection_.values)
    z, sm = zs[0], stages[0]
    assert sm.period == 12
    drift = theta_drift(z, sm, np.array([len(z) - 1]), 6)[0]  # (6,) upward
    assert (drift > 0).all()
    model.season_drift_ = False  # as a file saved before the term forecasts
    without = model._forecast_from(6, None, None)[1][0]
    # on the working scale (here the log's) the forecasts differ by the term's share
    np.testing.assert_allclose(sm.to_working(with_trend) - sm.to_working(without),
                               (1 - model.shrinkage_) * drift, rtol=1e-9)
