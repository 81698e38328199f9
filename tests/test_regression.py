"""The exogenous features' linear effect (tsgate.regression) and its use."""
import numpy as np
import pandas as pd
import pytest

import tsgate
from tsgate.regression import linear_effect
from tsgate.smoothing import smooth, takes_log
from tsgate.spikes import without_spikes


def _reference(z, X, lag):
    """Least squares of the lag-differences with an intercept, by the normal
    equations: (beta, t statistics, residual variance)."""
    dz, dX = z[lag:] - z[:-lag], X[lag:] - X[:-lag]
    A = np.column_stack([dX, np.ones(len(dz))])
    G = A.T @ A
    coef = np.linalg.solve(G, A.T @ dz)
    r = dz - A @ coef
    var = r @ r / (len(dz) - A.shape[1])
    se = np.sqrt(var * np.diag(np.linalg.inv(G)))
    return coef[:-1], np.abs(coef[:-1]) / se[:-1], var


def _promo_series(seed, n, effect=15.0, season=10.0, noise=1.0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    promo = (rng.random(n) < 0.25).astype(float)
    y = 100 + season * np.sin(2 * np.pi * t / 12) + 0.2 * t + effect * promo + rng.normal(0, noise, n)
    return y, promo


def test_linear_effect_is_the_shrunk_least_squares_fit_of_the_better_lag():
    rng = np.random.default_rng(0)
    n = 96
    X = np.column_stack([rng.random(n) < 0.3, rng.normal(size=n)]).astype(float)  # (n, 2)
    z = np.cumsum(rng.normal(0, 0.5, n)) + 3 * np.sin(2 * np.pi * np.arange(n) / 12) \
        + X @ np.array([4.0, -0.2])
    fits = {lag: _reference(z, X, lag) for lag in (1, 12)}
    lag = min(fits, key=lambda k: fits[k][2])
    beta, t, _ = fits[lag]
    want = beta * np.where(t > 1, 1 - 1 / t ** 2, 0.0)
    np.testing.assert_allclose(linear_effect(z, X, 12), want, rtol=1e-9, atol=1e-12)
    # without a season only lag 1 is tried
    beta1, t1, _ = fits[1]
    np.testing.assert_allclose(linear_effect(z, X, 1), beta1 * np.where(t1 > 1, 1 - 1 / t1 ** 2, 0),
                               rtol=1e-9, atol=1e-12)


def test_linear_effect_recovers_an_effect_and_keeps_nothing_it_cannot_support():
    y, promo = _promo_series(1, 72)
    rng = np.random.default_rng(5)
    X = np.column_stack([promo, rng.normal(size=72), np.full(72, 3.0)])  # promo, noise, static
    beta = linear_effect(y, X, 12)
    assert abs(beta[0] - 15) < 1.0
    assert abs(beta[1]) < 0.3  # noise: shrunk toward 0 by its t statistic
    assert beta[2] == 0.0  # a feature that never changes has nothing to learn from
    # too few differences per coefficient: no estimate at all
    np.testing.assert_array_equal(linear_effect(y[:5], X[:5], 12), np.zeros(3))
    # missing values are left out of the differences
    y_nan = y.copy()
    y_nan[[3, 30]] = np.nan
    assert abs(linear_effect(y_nan, X, 12)[0] - 15) < 1.0


def test_smoothing_stage_takes_the_effect_out_and_reuses_it():
    y, promo = _promo_series(2, 72)
    X = promo[:, None]
    sm = smooth(y, 12, exog=X)
    z = sm.to_working(y, X)
    np.testing.assert_allclose(z, sm.to_working(y) - X @ sm.beta)
    np.testing.assert_allclose(sm.from_working(z, X), y)
    # an additive series and effect: its own scale fits better than the logs
    assert not sm.log and sm.beta[0] == pytest.approx(15.0, abs=1.0)
    # a longer history filtered with the stage keeps its coefficients
    longer = smooth(np.concatenate([y, y[-12:]]), 12, like=sm, exog=np.concatenate([X, X[-12:]]))
    assert longer.beta is sm.beta
    assert smooth(y, 12).beta is None


def test_the_log_scale_is_chosen_with_the_effect_taken_out():
    # a 30% promotion lift on a multiplicative seasonal series: its jumps hide
    # the season of the logs, so alone the series stays on its own scale,
    # where a lift is no constant effect
    rng = np.random.default_rng(0)
    t = np.arange(72)
    promo = (rng.random(72) < 0.25).astype(float)
    y = (100 + 0.5 * t) * (1 + 0.1 * np.sin(2 * np.pi * t / 12)) * (1 + 0.3 * promo) \
        * np.exp(rng.normal(0, 0.01, 72))
    assert not takes_log(y, 12)
    assert takes_log(y, 12, promo[:, None])
    sm = smooth(y, 12, exog=promo[:, None])
    assert sm.log and sm.period == 12
    assert sm.beta[0] == pytest.approx(np.log(1.3), abs=0.01)


def test_spikes_that_the_features_explain_are_kept():
    rng = np.random.default_rng(3)
    n = 60
    promo = np.zeros(n)
    promo[[10, 25, 40]] = 1.0
    y = 50 + rng.normal(0, 0.3, n) + 15 * promo
    assert np.isnan(without_spikes(y, 1)[[10, 25, 40]]).all()  # alone: data errors
    np.testing.assert_array_equal(without_spikes(y, 1, promo[:, None]), y)
    bad = y.copy()
    bad[33] = 500.0  # a jump the feature does not explain is still one
    assert np.isnan(without_spikes(bad, 1, promo[:, None])[33])


def test_forecaster_forecasts_the_features_effect():
    H, n = 12, 72
    idx = pd.date_range("2015-01", periods=n + H, freq="MS")
    y, promo = _promo_series(4, n + H)
    X = pd.DataFrame({"promo": promo}, index=idx)
    history = pd.Series(y[:n], idx[:n])
    params = dict(horizon=H, n_models=1, random_state=0)
    model = tsgate.GRUForecaster(**params).fit(history, X[:n])
    fc = model.predict(X=X[n:]).to_numpy()
    plain = tsgate.GRUForecaster(**params).fit(history).predict().to_numpy()
    test = y[n:]
    assert np.abs(fc - test).mean() < 0.5 * np.abs(plain - test).mean()
    on = promo[n:].astype(bool)
    assert on.any() and (~on).any()
    learnt = (fc - (test - 15 * promo[n:]))[on].mean() - (fc - (test - 15 * promo[n:]))[~on].mean()
    assert 10 < learnt < 20
    band = model.predict_interval(0.8, X=X[n:])
    assert ((band["lower"] < fc) & (fc < band["upper"])).all()
    # the same future without the promotions: the forecast drops by the effect
    quiet = model.predict(X=X[n:] * 0).to_numpy()
    assert (fc[on] - quiet[on]).min() > 10
    np.testing.assert_allclose(fc[~on], quiet[~on], rtol=0.02)
