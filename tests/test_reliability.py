"""Reliability: thread safety, determinism, fuzzed inputs (issue 8)."""
import threading
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

import tsgate
from tests.conftest import FAST



def test_two_fits_in_two_threads_equal_sequential_fits():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 10, 2)).astype(np.float32)
    y = X[:, -3:, 0].sum(axis=1)
    makers = [lambda: tsgate.LSTMRegressor(hidden_size=8, max_iter=4, random_state=1),
              lambda: tsgate.GRURegressor(hidden_size=8, max_iter=4, random_state=2)]
    sequential = [m().fit(X, y).params_ for m in makers]
    threaded = [None, None]

    def work(i):
        threaded[i] = makers[i]().fit(X, y).params_

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for a, b in zip(sequential, threaded):
        np.testing.assert_array_equal(a, b)


def test_one_model_predicting_in_two_threads_equals_sequential():
    # one fitted model, two threads predicting different inputs at once: the
    # network's workspaces must not be shared between the two passes
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 8, 2)).astype(np.float32)
    model = tsgate.GRURegressor(**FAST).fit(X, X[:, -1, 0])
    inputs = [X[:60], 1.5 * X[60:]]
    expected = [model.predict(Z) for Z in inputs]
    wrong = []

    def work(i):
        for _ in range(30):
            if not np.array_equal(model.predict(inputs[i]), expected[i]):
                wrong.append(i)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not wrong


def test_grid_search_threading_backend_matches_sequential():
    from joblib import parallel_backend

    y = tsgate.datasets.load_airline()
    grid = {"hidden_size": [4, 6]}
    cv = TimeSeriesSplit(n_splits=2, test_size=6)
    base = tsgate.GRUForecaster(horizon=6, window=12, max_iter=3, random_state=0)
    seq = GridSearchCV(base, grid, cv=cv).fit(y)
    with parallel_backend("threading", n_jobs=2):
        par = GridSearchCV(base, grid, cv=cv, n_jobs=2).fit(y)
    np.testing.assert_array_equal(seq.cv_results_["mean_test_score"], par.cv_results_["mean_test_score"])


def test_divergence_stops_restores_and_warns():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 5, 1))
    y = rng.normal(size=40)
    reg = tsgate.LSTMRegressor(hidden_size=4, max_iter=30, learning_rate_init=1e4,
                               random_state=0, n_iter_no_change=30)
    with pytest.warns(RuntimeWarning, match="diverged in epoch"):
        reg.fit(X, y)
    assert np.isfinite(reg.params_).all()
    assert np.isfinite(reg.predict(X)).all()
    assert reg.diverged_at_ is not None


def test_gradient_norms_and_clipping_are_recorded():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 6, 1))
    reg = tsgate.GRURegressor(hidden_size=4, max_iter=3, clip_norm=1e-3, random_state=0, tol=0)
    reg.fit(X, X[:, -1, 0])
    assert len(reg.grad_norm_curve_) == reg.n_iter_ == 3
    assert reg.clipped_fraction_ == 1.0  # every step exceeds a norm of 1e-3


def test_prediction_overflow_is_an_error_not_inf():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 4, 1))
    reg = tsgate.LSTMRegressor(hidden_size=4, max_iter=2, random_state=0).fit(X, X[:, -1, 0])
    assert np.isfinite(reg.predict(X * 1e37)).all()  # bounded gates: huge inputs stay finite
    reg.params_[:] = 3e38  # weights that overflow the dense head
    with pytest.raises(ValueError, match="overflow"):
        reg.predict(X)


# ---------------------------------------------------------------- fuzzing
FREQS = ["D", "h", "MS", "QS-JAN", "W-SUN", "YS-JAN", None]


@st.composite
def series(draw):
    n = draw(st.integers(1, 40))
    freq = draw(st.sampled_from(FREQS))
    kind = draw(st.sampled_from(["datetime", "period", "range"]))
    if freq is None or kind == "range":
        index = pd.RangeIndex(0, 2 * n, 2)
    elif kind == "period":
        index = pd.period_range("2000-01-01", periods=n, freq=freq.split("-")[0].rstrip("S") or "D")
    else:
        index = pd.date_range("2000-01-01", periods=n, freq=freq)
    dtype = draw(st.sampled_from(["float64", "float32", "int64"]))
    values = draw(st.lists(st.floats(-1e6, 1e6, allow_nan=False, width=32), min_size=n, max_size=n))
    y = pd.Series(np.asarray(values, dtype=np.float64).astype(dtype), index=index, name="v")
    if dtype != "int64" and n:
        nan_at = draw(st.lists(st.integers(0, n - 1), max_size=max(0, n // 3)))
        y = y.astype("float64")
        y.iloc[nan_at] = np.nan
    return y


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(y=series(), window=st.integers(1, 12), horizon=st.integers(1, 5),
       cell=st.sampled_from([tsgate.LSTMForecaster, tsgate.GRUForecaster]))
def test_fuzz_forecasters(y, window, horizon, cell):
    model = cell(window=window, horizon=horizon, early_stopping=False, **FAST)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            model.fit(y)
        except (ValueError, TypeError) as exc:
            assert str(exc)  # a message, never a bare error
            return
    fc = model.predict()
    assert len(fc) == horizon and np.isfinite(fc.to_numpy()).all()
    iv = model.predict_interval(0.8)
    assert np.isfinite(iv.to_numpy()).all()


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 30), window=st.integers(-1, 10), horizon=st.integers(-1, 5),
       k=st.integers(1, 3), nan_frac=st.floats(0, 0.5),
       dtype=st.sampled_from([np.float32, np.float64, np.int32]))
def test_fuzz_make_windows(n, window, horizon, k, nan_frac, dtype):
    rng = np.random.default_rng(n)
    y = rng.normal(size=(n, k)).astype(dtype)
    if dtype != np.int32:
        y[rng.random(size=y.shape) < nan_frac] = np.nan
    try:
        X, Y = tsgate.make_windows(y, window=window, horizon=horizon)
    except (ValueError, TypeError) as exc:
        assert str(exc)
        return
    assert X.dtype == np.float32 and np.isfinite(X).all()
    assert X.shape == (n - window - horizon + 1, window, k)


# ---------------------------------------------------------------- memory
def test_million_point_series_with_window_512_fits_in_bounded_memory():
    """10^6 points, window 512: all windows would take 4 GB as float32 inputs.

    The whole fit runs (validation fit, calibration, final fit, forecast and
    interval) with the newest windows only (``MAX_INPUT_FLOATS``), so the
    peak of traced allocations stays far below what all windows would cost.
    """
    import tracemalloc

    from tsgate.fitplan import MAX_INPUT_FLOATS

    n, window = 1_000_000, 512
    rng = np.random.default_rng(0)
    y = pd.Series(1000 + np.cumsum(rng.normal(size=n)), index=pd.RangeIndex(n))
    tracemalloc.start()
    model = tsgate.GRUForecaster(window=window, horizon=1, hidden_size=4, max_iter=1, n_models=1,
                                 random_state=0).fit(y)
    fc = model.predict()
    band = model.predict_interval(0.9)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert np.isfinite(fc).all() and (band["lower"] < fc).all()
    assert np.isfinite(model.calibration_residuals_).any()
    assert (n - window) * window * 2 * 4 > 4e9  # what all windows would cost
    assert MAX_INPUT_FLOATS * 4 <= 32 * 2**20
    assert peak < 300 * 2**20, f"peak {peak / 2**20:.0f} MiB"


@pytest.mark.parametrize("cell", [tsgate.LSTMForecaster, tsgate.GRUForecaster])
def test_a_history_of_subnormal_changes_forecasts_finite(cell):
    """The example hypothesis found: the validation cut keeps 1e-38, 0, 0,
    whose unit of change underflowed float32 and made the target 2 infinite."""
    y = pd.Series([1.175494e-38, 0.0, 0.0, 2.0], name="v",
                  index=pd.date_range("2000-01-01", periods=4, freq="D"))
    model = cell(window=1, horizon=1, **FAST).fit(y)
    assert np.isfinite(model.predict().to_numpy()).all() and np.isfinite(model.shrinkage_)
