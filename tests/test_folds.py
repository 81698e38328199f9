"""The validation folds: where each series is cut, and what a few series calibrate on."""
import numpy as np
import pandas as pd
import pytest

import tsgate
from tsgate import encoding, folds, forecasters
from tests.conftest import SMALL, ar1_seasonal


def test_cuts_and_earlier_cuts_by_hand():
    """First fold: the last horizon, keeping 3 observations. Earlier folds:
    back by one horizon each (at least 10 steps), keeping half of the
    observations (NaN not counted), never shorter than the fold before; none
    where nothing moves."""
    H = 4
    long = np.arange(22.0)
    gappy = np.arange(20.0)
    gappy[[0, 1, 2, 3]] = np.nan  # 16 observed: keeps 8, the first at position 4
    short = np.arange(7.0)  # keeps 4 of 7: no earlier fold can move back
    first = folds.cuts([long, gappy, short], H)
    assert first == [4, 4, 4]
    assert folds.FOLD_MIN_STEP == 10
    assert folds.earlier_cuts([long, gappy, short], first, H) == [[11, 8, 4]]
    assert folds.earlier_cuts([short], [4], H) == []
    assert folds.earlier_cuts([np.arange(100.0)], [12], 12) == [[24], [36]]
    assert folds.earlier_cuts([np.arange(100.0)], [1], 1) == [[11], [21]]
    assert folds.cuts([long], H, validation_fraction=0.5) == [11]


def test_validation_cuts_one_long_cut_where_it_keeps_three_quarters():
    """Few series: the folds, unless the last fold's cut is at most a
    quarter of every series, when that one cut replaces them. Many series,
    or a chosen fraction: the first fold only."""
    assert folds.ONE_FOLD_MAX_SHARE == 0.25
    H = 3
    long, short = np.arange(92.0), np.arange(60.0)  # last fold's cut 23: 25% of 92, 38% of 60
    assert folds.validation_cuts([long], H) == [[23]]
    assert folds.validation_cuts([short], H) == [[3], [13], [23]]
    assert folds.validation_cuts([long, short], H) == [[3, 3], [13, 13], [23, 23]]
    assert folds.validation_cuts([np.arange(91.0)], H) == [[3], [13], [23]]
    assert folds.POOLED_UNIT_MIN_SERIES == 10
    assert folds.validation_cuts([long] * 10, H) == [[3] * 10]
    assert folds.validation_cuts([short] * 9, H) == [[3] * 9, [13] * 9, [23] * 9]
    assert folds.validation_cuts([long], H, 0.5) == [[46]]
    assert folds.validation_cuts([np.arange(7.0)], 4) == [[4]]  # nothing moves


def test_a_long_series_validates_once_on_the_folds_origins(monkeypatch):
    """One long series: one validation fit, cut where the last fold would
    be; its residual rows are the origins of the three folds together."""
    y = ar1_seasonal(120)
    H = 3
    seen = _spy_training_lengths(monkeypatch)
    model = tsgate.GRUForecaster(horizon=H, **SMALL).fit(y)
    n = len(y)
    assert sorted(map(tuple, seen)) == sorted([(n - 23,)] * 3 + [(n,)] * 3)
    assert model.calibration_residuals_.shape == (23, H)
    assert np.isfinite(model.predict_interval(0.95).to_numpy()).all()


def test_new_rows_are_the_origins_before_the_newer_fold():
    mask = folds.new_rows([8, 5], [4, 4])
    assert mask.tolist() == [True] * 4 + [False] * 4 + [True] + [False] * 4
    assert folds.new_rows([3, 2]).all() and len(folds.new_rows([3, 2])) == 5


def _spy_training_lengths(monkeypatch):
    """Record the length of every series a member is trained on."""
    seen = []
    windows = encoding.collection_windows

    def spy(zs, *args, **kwargs):
        seen.append([len(z) for z in zs])
        return windows(zs, *args, **kwargs)

    monkeypatch.setattr(encoding, "collection_windows", spy)
    return seen


def test_one_series_calibrates_on_earlier_folds(monkeypatch):
    """One series with the default cut: three validation folds, each trained
    only on the steps before its cut, adding the rows of its origins before
    the next fold's. The weights of the forecast's parts are chosen on the
    rows of all three folds; the networks are bit-identical to a fit with
    one fold, whose weights see only its 3 origins."""
    from tsgate import combination

    y = ar1_seasonal(60)
    H = 3
    seen = _spy_training_lengths(monkeypatch)
    chosen_on = []  # rows each choice of the weights saw
    weights = combination.weights
    monkeypatch.setattr(combination, "weights",
                        lambda Y, P, D, *a: chosen_on.append(len(Y)) or weights(Y, P, D, *a))
    model = tsgate.GRUForecaster(horizon=H, **SMALL).fit(y)
    n = len(y)
    assert folds.earlier_cuts([y.to_numpy()], [3], H) == [[13], [23]]
    # 3 members per validation fold on the cut series, then 3 on the whole
    assert sorted(map(tuple, seen)) == sorted([(n - 3,)] * 3 + [(n - 13,)] * 3 + [(n - 23,)] * 3
                                              + [(n,)] * 3)
    R = model.calibration_residuals_
    assert R.shape == (3 + 10 + 10, H)  # each earlier fold adds 10 origins
    assert np.isfinite(R[3:]).all()  # an earlier fold's rows have every step
    assert len(model.holdout_regressors_) == 3

    assert chosen_on == [3 + 10 + 10]

    monkeypatch.setattr(folds, "CALIBRATION_FOLDS", 1)
    one = tsgate.GRUForecaster(horizon=H, **SMALL).fit(y)
    assert chosen_on == [23, 3] and one.calibration_residuals_.shape == (3, H)
    zs, stages = one._stages(one.collection_.values)
    for a, b, L in zip(one.regressors_, model.regressors_, one.windows_):
        X = encoding.last_windows(zs, stages, L, H)
        np.testing.assert_array_equal(a._predict_arrays(X), b._predict_arrays(X))


def test_a_long_horizon_chooses_on_the_first_fold(monkeypatch):
    """One series forecast FOLD_MIN_STEP steps or more: its first fold's H
    origins choose the weights (the newest evidence, enough of it), the
    trend weight chosen too, while all three folds calibrate the band."""
    from tsgate import combination

    y = ar1_seasonal(80)
    H = folds.FOLD_MIN_STEP
    given = []  # (rows, trend weight given) of each choice
    weights = combination.weights
    monkeypatch.setattr(combination, "weights", lambda Y, P, D, drift=None, S=None: given.append(
        (len(Y), drift)) or weights(Y, P, D, drift, S))
    model = tsgate.GRUForecaster(horizon=H, n_models=1, **SMALL).fit(y)
    assert model.calibration_residuals_.shape == (3 * H, H)  # three folds calibrate
    assert given == [(H, None)]
    assert combination.pools_folds(1, H - 1) and not combination.pools_folds(1, H)
    assert not combination.pools_folds(folds.POOLED_UNIT_MIN_SERIES, 1)


def test_no_earlier_folds_for_collections_or_a_chosen_fraction(monkeypatch):
    """Ten series pool enough residuals from one cut; a validation_fraction
    is the user's choice of the calibration set: one fold each."""
    seen = _spy_training_lengths(monkeypatch)
    idx = pd.date_range("2000-01-01", periods=40, freq="MS")
    df = pd.DataFrame({f"s{k}": ar1_seasonal(40).to_numpy() + k for k in range(10)}, index=idx)
    model = tsgate.GRUForecaster(horizon=3, n_models=1, **SMALL).fit(df)
    assert len(seen) == 2 and model.calibration_residuals_.shape == (30, 3)
    assert forecasters.POOLED_UNIT_MIN_SERIES == 10
    seen.clear()
    tsgate.GRUForecaster(horizon=3, n_models=1, validation_fraction=0.2, **SMALL).fit(df["s0"])
    assert len(seen) == 2


def test_one_step_ahead_gets_a_95_percent_band_without_warning():
    """Horizon 1: one cut tail holds one error; the folds, 10 steps apart,
    give 21, enough for a conformal 95% band of one series."""
    import warnings

    y = ar1_seasonal(120)
    model = tsgate.GRUForecaster(horizon=1, n_models=1, **SMALL).fit(y)
    assert model.calibration_residuals_.shape == (21, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        band = model.predict_interval(0.95)
    assert (band["upper"] > band["lower"]).all()


@pytest.mark.parametrize("n", [7, 9, 12, 16])
def test_short_series_fold_only_where_half_the_history_stays(n):
    """Horizon 4: a series of 7 or 9 keeps 4 or 5 observations before its
    first cut, half of it at most: one fold. Of 12, an earlier fold keeps 6
    (cut 6, two new origins); of 16, it keeps 8 (cut 8, four)."""
    y = pd.Series(10 + np.sin(np.arange(n)), index=pd.period_range("2000", periods=n, freq="Y"))
    model = tsgate.GRUForecaster(horizon=4, n_models=1, **SMALL).fit(y)
    assert model.calibration_residuals_.shape == ({7: 4, 9: 4, 12: 6, 16: 8}[n], 4)
    assert np.isfinite(model.predict_interval(0.8).to_numpy()).all()


def test_folds_that_would_train_too_long_become_one_fold(monkeypatch):
    """Three folds whose estimated training work passes
    ``fitplan.FOLDS_MOST_WORK`` (windows of a year of weeks, or a horizon of
    months of days: minutes of training) are replaced by the one fold at the
    last cut, which forecasts the same origins; a fit with ``max_iter`` set
    keeps the folds it asked for."""
    from tsgate import fitplan

    y = ar1_seasonal(60)
    H, n = 3, 60
    assert fitplan.FOLDS_MOST_WORK == fitplan.MAX_WINDOW_STEPS
    assert folds.validation_cuts([y.to_numpy()], H, costly=lambda plan: True) == [[23]]
    assert folds.validation_cuts([y.to_numpy()], H, costly=lambda plan: False) == [[3], [13], [23]]
    seen = _spy_training_lengths(monkeypatch)
    tsgate.GRUForecaster(horizon=H, n_models=1, hidden_size=8, random_state=0).fit(y)
    assert sorted(map(tuple, seen)) == [(n - 23,), (n - 13,), (n - 3,), (n,)]  # cheap: three
    seen.clear()
    monkeypatch.setattr(fitplan, "FOLDS_MOST_WORK", 0)
    tsgate.GRUForecaster(horizon=H, n_models=1, hidden_size=8, random_state=0).fit(y)
    assert sorted(map(tuple, seen)) == [(n - 23,), (n,)]
    seen.clear()
    tsgate.GRUForecaster(horizon=H, n_models=1, **SMALL).fit(y)
    assert sorted(map(tuple, seen)) == [(n - 23,), (n - 13,), (n - 3,), (n,)]
