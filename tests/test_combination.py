"""The weights of the forecast's parts (tsgate.combination)."""
import numpy as np

from tsgate.combination import combined_errors, weights


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
