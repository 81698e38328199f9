"""The Theta trend term's shape on the log scale (tsgate.trendterm)."""
import numpy as np
import pandas as pd
import pytest

import tsgate
from tests.conftest import FAST
from tsgate.smoothing import smooth
from tsgate.trendterm import HALF, _relative_to_logs, linear_in_values, theta_drift


def _seasonal(level, seed=0):
    """Monthly values: ``level`` (n,) times a season of +-30%, 3% noise."""
    n = len(level)
    rng = np.random.default_rng(seed)
    return level * (1 + 0.3 * np.sin(2 * np.pi * np.arange(n) / 12)) * (
        1 + 0.03 * rng.standard_normal(n))


def reference(z, sm, end, H):
    """Each origin's term written out plainly: the values' straight line up
    to ``end`` (half its least-squares slope times the Theta horizon factor,
    relative to the level at ``end``, in the logs) where it fits the logs
    better and stays above zero for ``H`` steps, else the logs' line."""
    d = z[:end + 1] - sm.season[:end + 1]
    ok = ~np.isnan(d)
    t = np.arange(end + 1)[ok]
    k, a = int(ok.sum()), sm.alpha
    factor = np.arange(H) + 1 / a - (1 - a) ** k / a  # (H,): j - 1 + ...
    logs = np.polyfit(t, d[ok], 1)[0] / 2 * factor
    fit_logs = np.polyval(np.polyfit(t, d[ok], 1), t)
    line = np.polyval(np.polyfit(t, np.exp(d[ok]), 1), t)
    if k < max(6, 2 * sm.period) or (line <= 0).any() or (np.sum((d[ok] - np.log(line)) ** 2)
                             >= np.sum((d[ok] - fit_logs) ** 2)):
        return logs, False
    x = np.polyfit(t, np.exp(d[ok]), 1)[0] / 2 * factor / np.exp(sm.level[end])
    if x.min() <= -1:
        return logs, False
    return np.array([np.log1p(v) if v >= HALF - 1 else np.log(HALF) + (v - HALF + 1) / HALF
                     for v in x]), True


@pytest.mark.parametrize("level", [np.linspace(5, 97, 60), np.linspace(100, 8, 60)])
def test_a_straight_line_in_the_values_follows_the_line(level):
    y = _seasonal(level)
    y[[7, 30]] = np.nan
    sm = smooth(y, 12, log=True)
    z = np.log(y)
    ends = np.arange(24, 60)
    got = theta_drift(z, sm, ends, 12)  # (36, 12)
    want, values = zip(*[reference(z, sm, e, 12) for e in ends])
    np.testing.assert_allclose(got, np.stack(want), rtol=1e-9, atol=1e-12)
    assert any(values)  # the values' line somewhere
    row = got[int(np.flatnonzero(values)[-1])]
    steps = np.diff(np.exp(row))
    if level[-1] > level[0]:  # in the values the increments are the line's: equal steps
        assert values[-1]
        np.testing.assert_allclose(steps, steps[0], rtol=1e-9)
    else:  # a fall, never below zero; where it would reach zero, the logs' line
        assert (steps < 0).all() and (np.exp(row) > 0).all()
        assert not values[-1]
    # each origin's term is its own history's: the same with any other origins
    np.testing.assert_allclose(theta_drift(z, sm, ends[:3], 12), got[:3], rtol=1e-12)
    # the logs' line (a model saved before the choice) is another term
    assert not np.allclose(theta_drift(z, sm, ends, 12, shapes=False), got)


def test_a_line_falling_to_near_zero_keeps_a_positive_forecast():
    """It fell 100 -> 0.003 in a straight line: the values' line would
    cross zero, and its tangent had decayed the forecast to 1e-49."""
    y = _seasonal(np.linspace(100, 0.003, 60))
    sm = smooth(y, 12, log=True)
    z = np.log(y)
    ends = np.arange(30, 60)
    got = theta_drift(z, sm, ends, 12)
    assert np.isfinite(got).all()
    # never below the tangent's floor relative to the level
    assert got.min() >= np.log(HALF) - (1 - HALF) / HALF - 1e-12 or np.array_equal(
        got, theta_drift(z, sm, ends, 12, shapes=False))
    assert got[-1].min() > -1.0  # the last origin: the logs' gentle line


def test_a_later_value_far_above_the_history_changes_no_earlier_origin():
    y = _seasonal(np.linspace(5, 97, 60))
    y[:-1] *= 1e-30
    y[-1] = 1e300
    sm = smooth(y, 12, log=True)
    z = np.log(y)
    with np.errstate(all="raise"):
        got = theta_drift(z, sm, np.array([57, 58]), 6)
    assert np.isfinite(got).all()


def test_growth_at_a_steady_rate_keeps_the_logs_line():
    t = np.arange(72)
    y = _seasonal(10 * 1.03 ** t, seed=1)
    sm = smooth(y, 12, log=True)
    z = np.log(y)
    assert not linear_in_values(z - sm.season, len(z) - 1)
    ends = np.array([30, 71])
    np.testing.assert_array_equal(theta_drift(z, sm, ends, 6),
                                  theta_drift(z, sm, ends, 6, shapes=False))


def test_a_series_on_its_own_scale_keeps_the_line():
    y = 50 + 0.5 * np.arange(48) + np.random.default_rng(2).normal(0, 1, 48)
    sm = smooth(y, 1, log=False)
    ends = np.array([20, 47])
    np.testing.assert_array_equal(theta_drift(y, sm, ends, 4),
                                  theta_drift(y, sm, ends, 4, shapes=False))


def test_linear_in_values_needs_three_points_and_a_positive_line():
    assert not linear_in_values(np.array([0.0, np.nan, 1.0, 2.0]), 2)  # two observed
    # a fall the values' line takes below zero within the history: the logs' line
    d = np.log(np.array([100.0, 60.0, 5.0, 1.0, 0.5, 0.4]))
    assert not linear_in_values(d, 5)


def test_relative_to_logs_is_log1p_then_its_tangent():
    x = np.array([2.0, 0.0, -0.3, HALF - 1.0, -0.9, -5.0])
    got = _relative_to_logs(x)
    np.testing.assert_allclose(got[:4], np.log1p(x[:4]))
    floor, eps = HALF - 1.0, 1e-7
    slope = (_relative_to_logs(np.array([floor + eps]))
             - _relative_to_logs(np.array([floor - eps])))[0] / (2 * eps)
    assert slope == pytest.approx(1 / HALF, rel=1e-5)  # continuous slope at the floor
    assert np.isfinite(got).all() and (np.diff(got) < 0).all()


def test_the_forecast_carries_the_chosen_shape_and_old_files_the_logs_line():
    y = pd.Series(_seasonal(np.linspace(5, 97, 60)),
                  index=pd.date_range("2010-01-01", periods=60, freq="MS"))
    model = tsgate.GRUForecaster(horizon=6, n_models=1, **FAST).fit(y)
    assert model.season_drift_ and model.trend_shapes_ and 0 < model.shrinkage_ < 1
    zs, stages = model._stages(model.collection_.values)
    z, sm = zs[0], stages[0]
    assert sm.log and sm.period == 12
    new = model._forecast_from(6, None, None)[1][0]
    model.trend_shapes_ = False  # as a file saved before the choice forecasts
    old = model._forecast_from(6, None, None)[1][0]
    end = np.array([len(z) - 1])
    diff = (theta_drift(z, sm, end, 6) - theta_drift(z, sm, end, 6, shapes=False))[0]
    np.testing.assert_allclose(sm.to_working(new) - sm.to_working(old),
                               (1 - model.shrinkage_) * diff, rtol=1e-7, atol=1e-12)
    assert (diff < 0).all()  # the logs' line overshot the steady line
