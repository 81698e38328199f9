"""The weights of the forecast's parts (tsgate.combination)."""
import io

import numpy as np
import pandas as pd

import tsgate
from tests.conftest import FAST
from tsgate.combination import combine, combined_errors, network_cells, weights
from tsgate.fitplan import FINAL_STAGES
from tsgate.trendterm import theta_drift


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


def test_the_trend_weight_fits_the_networks_weight_the_forecast_uses():
    """Networks that follow a line's trend and the trend term at weight 2
    both forecast the line: every grid pair ``a * P + b * D`` on the ridge
    ``a + b / 2 = 1`` forecasts it about as well. The grid chose (0.25, 1.5)
    and the inverse-MSE weight then set ``w`` to 0.11, so the forecast
    ``w * P + 1.5 * D`` had 86% of the slope (a noisy line 24 months ahead:
    6.8 below it at the last step). Where ``w`` so errs on the tail by more
    than REPAIR times the grid pair's error, the trend weight is chosen
    again for the ``w`` the forecast uses."""
    rng = np.random.default_rng(7)
    D = np.tile(np.arange(1.0, 25.0) / 2, (300, 1))  # (rows, H) the trend term at weight 1
    noise = rng.normal(size=(300, 24))
    Y = 2 * D + noise  # the tail: the whole slope
    for spread, grid_pair in ((1.0, "under"), (0.5, "over")):  # the networks' own noise
        # the networks: the slope, a little of the tail's noise and their own
        P = 2 * D + 0.3 * noise + spread * rng.normal(size=(300, 24))
        w, u = weights(Y, P, D)
        slope = np.mean(w * P + u * D) / np.mean(Y)  # 0.86 and 1.15 before
        assert abs(slope - 1) < 0.05, (grid_pair, w, u, slope)
        errors = [np.mean(np.abs(Y - combine(P, D, None, w, b))) for b in np.linspace(0, 2, 9)]
        assert np.isclose(np.mean(np.abs(combined_errors(Y, P, D, w, u))), min(errors))


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


def test_network_cells_leave_out_the_blind_steps_of_trended_rows_only():
    trended = np.array([True, False, True])
    used = network_cells(trended, 2, 5)
    assert used.shape == (3, 5)
    assert used[1].all()  # a seasonal row keeps the networks at every step
    assert used[[0, 2], :2].all() and not used[[0, 2], 2:].any()
    assert network_cells(trended, 5, 5).all()  # every step seen: all cells


def test_a_horizon_near_the_series_length_follows_a_noisy_line():
    """A noisy line of 40 points forecast 36 ahead: the validation fit keeps
    4 points and learns 3 steps, so past them the forecast is the
    statistical one (the line's Theta trend at the weight chosen on the cut
    tail). Networks and trend term together had run 15 above the line by
    step 22; a band still comes from the same combination's errors."""
    rng = np.random.default_rng(5)
    idx = pd.period_range("1950", periods=40, freq="Y")
    y = pd.Series(10.0 + 2 * np.arange(40) + rng.normal(0, 0.5, 40), index=idx)
    model = tsgate.GRUForecaster(horizon=36, random_state=0).fit(y)
    assert model.network_steps_ == 3
    error = model.predict().to_numpy() - (10.0 + 2 * np.arange(40, 76))
    assert np.abs(error).max() < 4.0, error
    band = model.predict_interval(coverage=0.8)
    assert (band["lower"] < band["upper"]).all()
    buffer = io.BytesIO()  # the rule travels with a saved model
    model.save(buffer)
    buffer.seek(0)
    np.testing.assert_array_equal(tsgate.load(buffer).predict(), model.predict())


def test_pooled_folds_and_long_series_keep_the_networks_at_every_step():
    """Where the trend weight is the Theta method's own (one series, horizon
    under 10) or the series outlast the cut, every step is seen."""
    rng = np.random.default_rng(2)
    idx = pd.period_range("1950", periods=12, freq="Y")
    y = pd.Series(10.0 + np.cumsum(rng.normal(1, 1, 12)), index=idx)
    short = tsgate.GRUForecaster(horizon=6, **FAST).fit(y)
    assert short.network_steps_ == 6
    assert (short._network_weights(FINAL_STAGES[short][2]) == short.shrinkage_).all()
    y = pd.Series(10.0 + np.cumsum(rng.normal(1, 1, 60)),
                  index=pd.period_range("1950", periods=60, freq="Y"))
    assert tsgate.GRUForecaster(horizon=10, **FAST).fit(y).network_steps_ == 10


def test_combine_with_per_cell_weights_and_without_the_seasonal_term():
    """Per-cell weights (0 where the networks are left out) give 1 - w to
    the seasonal term there; without S no seasonal term; the errors are
    the targets less this forecast."""
    rng = np.random.default_rng(3)
    P, D, S, Y = (rng.normal(size=(4, 3)) for _ in range(4))
    w = np.array([[0.6, 0.6, 0.0]] * 4)  # (rows, H): the last step blind
    got = combine(P, D, S, w, 0.5)
    np.testing.assert_array_equal(got[:, :2], 0.6 * P[:, :2] + 0.5 * D[:, :2] + 0.4 * S[:, :2])
    np.testing.assert_array_equal(got[:, 2], 0.5 * D[:, 2] + S[:, 2])
    np.testing.assert_array_equal(combine(P, D, None, 0.6, 0.5), 0.6 * P + 0.5 * D)
    np.testing.assert_array_equal(combined_errors(Y, P, D, w, 0.5, S), Y - got)
