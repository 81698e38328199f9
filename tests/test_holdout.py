"""The validation fits' tail forecasts (tsgate.holdout): the weights of the
forecast's parts and the calibration residuals, against their formulas."""
import numpy as np
import pandas as pd
import pytest

import tsgate


def _first_fold(model):
    """The cuts of the model's first validation fold (one per series)."""
    from tsgate import folds

    return folds.validation_cuts(model.collection_.values, model.horizon,
                                 model.validation_fraction)[0]


def _cut_stages(model, coefficients=False):
    """The first fold's stages, fitted on the cut series (the log scale of
    the whole one), each filtered on the whole series; ``coefficients``:
    with the smoothing coefficients of the stage fitted on the whole series
    (where it has the cut stage's season), as the bands' residuals are made."""
    from dataclasses import replace

    from tsgate.smoothing import takes_log

    coll = model.collection_
    cuts = _first_fold(model)
    _, stages_cut = model._stages([v[:len(v) - c] for v, c in zip(coll.values, cuts)],
                                  logs=[takes_log(v, model.season_length_) for v in coll.values])
    if coefficients:
        _, whole = model._stages(coll.values)
        stages_cut = [replace(c, alpha=w.alpha, gamma=w.gamma, delta=w.delta)
                      if w.period == c.period else c for c, w in zip(stages_cut, whole)]
    return model._stages(coll.values, like=stages_cut)


def _tail_parts(model, coefficients=False):
    """Targets Y, the validation ensemble's median P, the trend term D and
    the seasonal series' one S on the cut tail (with :func:`_cut_stages`)."""
    from tsgate import encoding

    cuts = _first_fold(model)
    extended = _cut_stages(model, coefficients)
    preds = []
    for reg, L in zip(model.holdout_regressors_, model.windows_):
        X, Y = encoding.tail_windows(*extended, cuts, L, model.horizon)
        preds.append(reg._predict_arrays(X).reshape(len(X), -1))
    ends = encoding.tail_ends(extended[0], cuts)
    D, S = model._drift(*extended, ends), model._drift(*extended, ends, seasonal=True)
    return Y, np.median(preds, axis=0), D, S


def _unit_ratio(model):
    """One series: its unit over its one-step noise before the cut, of the
    stage the bands' residuals are made with (by hand; one series gets the
    whole history's noise, outlying errors clipped)."""
    from tsgate.bandunit import MAD_TO_SD, NOISE_CLIP

    assert model.interval_unit_ == "robust noise"
    cut = _first_fold(model)[0]
    (z,), (sm,) = _cut_stages(model, coefficients=True)
    m = sm.period
    e = np.array([z[t] - sm.level[t - 1] - (sm.season[t - m] if m > 1 else 0.0)
                  for t in range(m + m // 2 if m > 1 else 1, len(z) - cut)])
    e = e[np.isfinite(e)]
    bound = NOISE_CLIP * MAD_TO_SD * np.median(np.abs(e))
    return sm.scale / np.sqrt(np.mean(np.square(np.clip(e, -bound, bound))))


def test_network_weight_is_the_inverse_mse_combination():
    """shrinkage_ weighs the networks' forecast against the statistical one
    (smoothing plus trend term) by their squared errors on the cut tail
    (Bates & Granger): near 1 on a noisy cycle of 11 years, which only the
    network can forecast; below 0.5 on a random walk, where the correction
    is noise. The weight and the calibration residuals follow the formula
    (the residuals in units of the series' one-step noise): the weight by
    the parts of the stage fitted on the cut series, the residuals by those
    of that stage with the smoothing coefficients of the whole series'
    (here the same: test_bands_after_a_recent_shift tells them apart)."""
    rng = np.random.default_rng(0)
    idx = pd.period_range("1850", periods=150, freq="Y")
    t = np.arange(150)
    cycle = pd.Series(50 + 30 * np.sin(2 * np.pi * t / 11) + rng.normal(0, 2, 150), index=idx)
    walk = pd.Series(100 + np.cumsum(rng.normal(0, 1, 150)), index=idx)
    weights = {}
    for name, y in (("cycle", cycle), ("walk", walk)):
        model = tsgate.GRUForecaster(horizon=6, n_models=1, hidden_size=8, random_state=0).fit(y)
        Y, P, D, S = _tail_parts(model)
        assert not S.any()  # no season: no seasonal trend term
        statistical = Y - model.drift_weight_ * D
        mse_stat, mse_net = np.nanmean(statistical ** 2), np.nanmean((statistical - P) ** 2)
        assert model.shrinkage_ == pytest.approx(mse_stat / (mse_stat + mse_net))
        Y, P, D, _ = _tail_parts(model, coefficients=True)
        # the first fold's rows come first (earlier folds follow: test_calibration_folds)
        np.testing.assert_allclose(model.calibration_residuals_[:len(P)],
                                   (Y - model.drift_weight_ * D - model.shrinkage_ * P)
                                   * _unit_ratio(model), rtol=1e-6, atol=1e-9)
        weights[name] = model.shrinkage_
    assert weights["cycle"] > 0.9 and weights["walk"] < 0.5, weights


def test_bands_after_a_recent_shift():
    """A seasonal series (noise sd 4) shifted by +60 a year before its end.
    The stage fitted on the cut series (before the shift) smooths its level
    slowly (alpha 0.05); the one fitted on the whole history follows the
    shift (0.6), and so does the final forecast. With the cut stage's
    coefficients, every origin after the shift forecast the old level, and
    the 80% band was 103-157 wide (over 25 times the noise's sd); it is
    now 21 wide at the first step (the later steps' rows still hold origins
    before the shift that forecast across it). The bands' residuals take
    the whole history's coefficients (the weights still the cut stage's
    parts)."""
    rng = np.random.default_rng(200)
    t = np.arange(108)
    y = 200 + 20 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 4, 108)
    y[96:] += 60
    y = pd.Series(y, index=pd.date_range("2005-01-01", periods=108, freq="MS"))
    model = tsgate.GRUForecaster(horizon=12, n_models=1, hidden_size=8, random_state=0).fit(y)
    (cut,), (whole,) = _cut_stages(model)[1], _cut_stages(model, coefficients=True)[1]
    assert whole.alpha > 5 * cut.alpha  # the two stages differ where it matters
    Y, P, D, S = _tail_parts(model, coefficients=True)
    w = model.shrinkage_
    np.testing.assert_allclose(model.calibration_residuals_[:len(P)],
                               (Y - model.drift_weight_ * D - w * P - (1 - w) * S)
                               * _unit_ratio(model), rtol=1e-6, atol=1e-9)
    band = model.predict_interval([0.8, 0.95])
    width = (band["upper_80"] - band["lower_80"]).to_numpy()
    assert width[0] < 10 * 4, width  # was over 100
    assert (band["lower_95"] <= band["lower_80"]).all() and (band["upper_80"] <= band["upper_95"]).all()


def test_a_cut_takes_no_season_its_whole_series_has_not(monkeypatch):
    """Three years of weekly counts: the whole series is not seasonal, but a
    cut of it found a 52-week season from two years, and its residuals,
    from a noisy seasonal stage no final fit uses, sized the bands (95%
    1.7 times as wide; an accuracy sweep, session 47)."""
    from tsgate import fitplan, smoothing

    rng = np.random.default_rng(13)
    t = np.arange(143)
    y = rng.poisson(5 * (1 + 0.3 * np.sin(2 * np.pi * t / 52.18))).astype(float)
    assert smoothing.smooth(y, 52).period == 1 and smoothing.smooth(y[:-26], 52).period == 52
    seen = []
    jobs = fitplan.EnsembleFits._validation_jobs

    def spy(self, *args, **kwargs):
        made, stages = jobs(self, *args, **kwargs)
        seen.extend(s.period for s in stages)
        return made, stages

    monkeypatch.setattr(fitplan.EnsembleFits, "_validation_jobs", spy)
    series = pd.Series(y, index=pd.date_range("2020-01-05", periods=143, freq="W-SUN"))
    model = tsgate.GRUForecaster(horizon=13, n_models=1, max_iter=2, random_state=0).fit(series)
    assert model.season_length_ == 52 and len(seen) == 3 and set(seen) == {1}


def test_bands_of_two_seasons_of_weekly_data():
    """Two years of weekly data (noise sd 3, a yearly season): the stage's
    indices are made from both years, and the second year's first half
    had made its own, so the one-step errors there were near 0; counted in
    the series' robust unit, they made it 0.2-0.5 of the noise, and the 80%
    band at the first step 2.5 wide, covering 9 of the next 13 weeks. An
    honest band is 2 x 1.28 x the errors' sd (4.7 here): 12."""
    rng = np.random.default_rng(3)
    t = np.arange(117)
    y = 50 + 10 * np.sin(2 * np.pi * t / 52) + 5 * np.cos(4 * np.pi * t / 52) + rng.normal(0, 3, 117)
    y = pd.Series(y, index=pd.date_range("2020-01-05", periods=117, freq="W-SUN"))
    model = tsgate.GRUForecaster(horizon=13, n_models=1, hidden_size=8, random_state=0).fit(y[:104])
    assert model.season_length_ == 52 and model.interval_unit_ == "robust noise"
    band = model.predict_interval([0.8])
    width = (band["upper_80"] - band["lower_80"]).to_numpy()
    assert width[0] > 2 * 1.28 * 3 * 0.9, width  # was 2.5
    future = y.iloc[104:]
    inside = ((future >= band["lower_80"]) & (future <= band["upper_80"])).to_numpy()
    assert inside.sum() >= 10, inside  # was 9 of 13 (now 12)


def _wandering_season(seed, n):
    """A random-walk level under a random monthly season (n,): the series
    whose bands the model-band floor was made for."""
    rng = np.random.default_rng(seed)
    pattern = rng.normal(0, 1, 12)
    pattern = (pattern - pattern.mean()) / pattern.std()
    t = np.arange(n)
    y = 50 + np.cumsum(rng.normal(0, 1, n)) + 8 * pattern[t % 12] + rng.normal(0, 1, n)
    return pd.Series(y, index=pd.date_range("2010-01-01", periods=n, freq="MS"))


def test_model_band_floor_where_no_cut_saw_the_season():
    """25 months of a wandering level under a season, forecast 18 ahead:
    the validation cut keeps 7 months, too short for the season, so the
    calibration rows are a level smoothing's errors in its own unit (the
    season's swing), read in the seasonal stage's unit at the end; the 80%
    band covered .43 of the test months over 8 draws. Such a series' band
    is the wider of its calibrated band and its stage's model band: the
    normal quantile times its robust one-step noise times its error
    growth (here the wider at every step). Series with a seasonal cut, and
    collections of 10 or more, keep their bands as they were."""
    from statistics import NormalDist

    from tsgate.bandunit import error_growth, noise

    y = _wandering_season(1, 48)
    model = tsgate.GRUForecaster(horizon=18, n_models=1, random_state=1).fit(y[:25])
    assert model.model_band_floor_.tolist() == [True]
    (z,), (sm,) = model._stages(model.collection_.values)
    assert sm.period == 12
    center = sm.to_working(model.predict().to_numpy())  # (18,)
    floored = model.predict_interval([0.8, 0.95])
    model.model_band_floor_ = None  # the calibrated band alone
    plain = model.predict_interval([0.8, 0.95])
    binds = {}
    for c in (80, 95):
        floor = NormalDist().inv_cdf(0.5 + c / 200) * noise(z, sm, robust=True) * error_growth(sm, 18)
        for bound, sign in (("upper", 1), ("lower", -1)):
            got = sign * (sm.to_working(floored[f"{bound}_{c}"].to_numpy()) - center)
            calibrated = sign * (sm.to_working(plain[f"{bound}_{c}"].to_numpy()) - center)
            np.testing.assert_allclose(got, np.maximum(calibrated, floor), rtol=1e-9)
            binds[bound, c] = int((floor > calibrated * (1 + 1e-9)).sum())
    assert binds["upper", 80] > 0 and binds["lower", 80] > 0, binds  # the floor matters here
    longer = tsgate.GRUForecaster(horizon=6, n_models=1, random_state=1).fit(y)
    assert longer.model_band_floor_.tolist() == [False]
    many = pd.DataFrame({f"s{i}": y[:25] + i for i in range(10)})
    model = tsgate.GRUForecaster(horizon=18, n_models=1, hidden_size=8, random_state=0).fit(many)
    assert model.model_band_floor_ is None


def test_model_band_floor_of_pooled_rows_and_old_units():
    """Two series fitted together, each flagged: a new id reads the pooled
    rows, all of cuts without the season, so its band is floored too
    (without the floor it was not). A file saved before the unit scored
    from one and a half seasons (no ``noise_from_``) keeps the unit its
    residuals were divided by: errors from one season on."""
    from tsgate.bandunit import noise

    both = pd.DataFrame({"a": _wandering_season(1, 25), "b": _wandering_season(2, 25) + 3})
    model = tsgate.GRUForecaster(horizon=18, n_models=1, random_state=1).fit(both)
    assert model.model_band_floor_.tolist() == [True, True]
    new = _wandering_season(3, 40).rename("c")
    floored = model.predict_interval(0.8, y=new)
    model.model_band_floor_ = None
    plain = model.predict_interval(0.8, y=new)
    wider = (floored["upper"] - floored["lower"]) - (plain["upper"] - plain["lower"])
    assert (wider >= -1e-9).all() and (wider > 1e-6).any()
    (z, _), (sm, _) = model._stages(model.collection_.values)
    assert sm.period == 12
    np.testing.assert_allclose(model._unit(z, sm, 3), noise(z, sm, robust=True))
    del model.noise_from_  # as a file saved before it
    np.testing.assert_allclose(model._unit(z, sm, 3), noise(z, sm, robust=True, start=12))
    assert noise(z, sm, robust=True, start=12) != noise(z, sm, robust=True)


def test_a_series_calm_before_its_cuts_and_noisy_after_gets_no_inflated_band():
    """50 days at 10, then 8 days of N(10, 1): the cut's unit was the calm
    stretch's (near its floor), so the errors after the cut were huge in it,
    and times the noisy unit at the end they made an 80% band of [0, 25.9]
    (an honest one is about 2.6 wide). A cut's unit is now taken at least
    half the unit at the end."""
    rng = np.random.default_rng(0)
    v = np.r_[np.full(50, 10.0), 10 + rng.normal(0, 1, 8)]
    y = pd.Series(v, index=pd.date_range("2020-01-01", periods=len(v), freq="D"))
    model = tsgate.LSTMForecaster(horizon=7, random_state=0).fit(y)
    band = model.predict_interval(coverage=0.8)
    width = (band["upper"] - band["lower"]).to_numpy()  # (7,)
    assert width.max() < 8.0, width
