"""LSTMRegressor / GRURegressor: scikit-learn contract, searches, inputs."""
import io
import pickle
import warnings
from contextlib import redirect_stdout

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError, SkipTestWarning
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import (GridSearchCV, HalvingGridSearchCV, RandomizedSearchCV,
                                     TimeSeriesSplit)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_estimator

import tsgate
from tsgate.datasets import load_airline

REGRESSORS = [tsgate.LSTMRegressor, tsgate.GRURegressor]


@pytest.fixture(scope="module")
def airline_windows():
    y = np.log(load_airline().to_numpy())
    return tsgate.make_windows(y, window=12, horizon=1)


@pytest.mark.parametrize("cls", REGRESSORS)
def test_check_estimator_with_default_parameters(cls):
    # No check fails or is skipped, with the defaults a user gets
    # (check_regressors_train needs R^2 > 0.5 after a default fit). The one
    # skip allowed is scikit-learn's own: its array-API check runs only when
    # the environment sets SCIPY_ARRAY_API=1 (it passes then).
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SkipTestWarning)
        check_estimator(cls())
    skips = [str(w.message) for w in caught if issubclass(w.category, SkipTestWarning)
             and "SCIPY_ARRAY_API is not set" not in str(w.message)]
    assert skips == []


@pytest.mark.parametrize("cls", REGRESSORS)
def test_learns_sine_multi_output(cls):
    y = np.sin(np.arange(300) / 4.0)
    X, Y = tsgate.make_windows(y, window=16, horizon=3)
    reg = cls(hidden_size=16, max_iter=60, learning_rate_init=5e-3, random_state=0).fit(X, Y)
    pred = reg.predict(X)
    assert pred.shape == Y.shape
    assert np.sqrt(np.mean((pred - Y) ** 2)) < 0.1
    assert reg.n_features_in_ == 16 and reg.window_ == 16 and reg.n_step_features_ == 1
    assert len(reg.loss_curve_) == reg.n_iter_ and reg.best_loss_ == min(reg.loss_curve_)


def test_grid_search_pipeline_time_series_split(airline_windows):
    X, Y = airline_windows
    X2 = X[:, :, 0]  # 2-D windows so that StandardScaler can sit in front
    pipe = make_pipeline(StandardScaler(), tsgate.LSTMRegressor(max_iter=15, random_state=0))
    search = GridSearchCV(pipe, {"lstmregressor__hidden_size": [4, 8],
                                 "lstmregressor__num_layers": [1, 2]},
                          cv=TimeSeriesSplit(n_splits=3, test_size=12))
    search.fit(X2, Y.ravel())
    assert set(search.best_params_) == {"lstmregressor__hidden_size", "lstmregressor__num_layers"}
    assert search.best_estimator_.predict(X2[-2:]).shape == (2,)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_randomized_and_halving_search(airline_windows):
    X, Y = airline_windows
    X2 = X[:, :, 0]
    pipe = make_pipeline(StandardScaler(), tsgate.GRURegressor(max_iter=10, random_state=0))
    cv = TimeSeriesSplit(n_splits=2, test_size=12)
    rs = RandomizedSearchCV(pipe, {"gruregressor__hidden_size": [4, 8, 12],
                                   "gruregressor__learning_rate_init": [1e-3, 1e-2]},
                            n_iter=3, cv=cv, random_state=0).fit(X2, Y.ravel())
    assert rs.best_estimator_.predict(X2[:1]).shape == (1,)
    hs = HalvingGridSearchCV(pipe, {"gruregressor__hidden_size": [4, 8]}, cv=cv,
                             min_resources=60, random_state=0).fit(X2, Y.ravel())
    assert hs.best_estimator_.predict(X2[:1]).shape == (1,)


@pytest.mark.parametrize("cls", REGRESSORS)
def test_same_seed_same_predictions_and_refit_restarts(cls, airline_windows):
    X, Y = airline_windows
    a = cls(hidden_size=8, max_iter=5, random_state=3).fit(X, Y)
    b = cls(hidden_size=8, max_iter=5, random_state=3).fit(X, Y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    first = a.predict(X)
    a.fit(X, Y)  # no warm start: a second fit starts from scratch
    np.testing.assert_array_equal(a.predict(X), first)


def test_warm_start_continues(airline_windows):
    X, Y = airline_windows
    reg = tsgate.LSTMRegressor(hidden_size=8, max_iter=3, random_state=0, warm_start=True,
                               tol=0).fit(X, Y)
    before = reg.params_.copy()
    reg.fit(X, Y)
    cold = tsgate.LSTMRegressor(hidden_size=8, max_iter=6, random_state=0, tol=0).fit(X, Y)
    assert not np.array_equal(reg.params_, before)
    assert reg.loss_curve_[-1] < reg.loss_curve_[0] or reg.loss_curve_[-1] < 1.0
    assert cold.n_iter_ == 6
    # a new shape starts afresh, and says what changed (it was silent)
    with pytest.warns(UserWarning, match=r"shape changed since the last fit \(hidden_size "
                                         r"8 -> 6\): training starts from new weights"):
        reg.set_params(hidden_size=6).fit(X, Y)
    assert reg.n_iter_ == 3


def test_warm_start_continues_the_curves_as_sklearns_mlp():
    """A warm fit runs max_iter epochs more; n_iter_ and the curves go on
    (scikit-learn's MLPRegressor does the same), best_epoch_ counts into the
    latest fit, and a cold fit starts them over."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 5, 1)).astype(np.float32)
    y = X[:, -1, 0] + 0.1 * X[:, 0, 0]
    reg = tsgate.GRURegressor(hidden_size=4, max_iter=3, tol=0.0, early_stopping=True,
                              n_iter_no_change=100, random_state=0, warm_start=True).fit(X, y)
    first = list(reg.loss_curve_), list(reg.validation_scores_), reg.best_loss_
    reg.set_params(max_iter=2).fit(X, y)
    assert reg.n_iter_ == 5 and len(reg.grad_norm_curve_) == 5
    assert reg.loss_curve_[:3] == first[0] and len(reg.loss_curve_) == 5
    assert reg.validation_scores_[:3] == first[1] and len(reg.validation_loss_curve_) == 5
    assert reg.best_loss_ == min(reg.loss_curve_) <= first[2]
    assert reg.best_validation_loss_ == min(reg.validation_loss_curve_)
    assert 1 <= reg.best_epoch_ <= 2
    reg.set_params(early_stopping=False).fit(X, y)  # no validation now: none reported
    assert reg.n_iter_ == 7 and reg.validation_scores_ is None
    reg.set_params(warm_start=False).fit(X, y)
    assert reg.n_iter_ == 2 and len(reg.loss_curve_) == 2


def test_early_stopping_validates_on_last_fraction_and_restores_best():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 5, 1)).astype(np.float32)
    y = X[:, -1, 0].copy()
    y[-20:] = 50.0  # only the last 20% (the validation part) is unlearnable
    reg = tsgate.GRURegressor(hidden_size=4, max_iter=40, early_stopping=True,
                              validation_fraction=0.2, n_iter_no_change=3, random_state=0,
                              scale_target=False).fit(X, y)
    assert len(reg.validation_scores_) == reg.n_iter_ == len(reg.validation_loss_curve_)
    # validation loss is huge (targets 50 never seen in training) -> time-ordered split
    assert min(reg.validation_loss_curve_) > 100
    assert reg.best_validation_loss_ == min(reg.validation_loss_curve_)
    held = np.mean((reg.predict(X[-20:]) - y[-20:]) ** 2)
    np.testing.assert_allclose(held, reg.best_validation_loss_, rtol=1e-4)


def test_pickle_and_joblib_round_trip(tmp_path, airline_windows):
    X, Y = airline_windows
    reg = tsgate.LSTMRegressor(hidden_size=8, max_iter=3, random_state=0, attention=True,
                               bidirectional=True).fit(X, Y)
    expected = reg.predict(X)
    again = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(again.predict(X), expected)
    joblib.dump(reg, tmp_path / "m.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "m.joblib").predict(X), expected)
    weights = again.predict_attention(X)
    assert weights.shape == (len(X), 12)
    np.testing.assert_allclose(weights.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(reg.predict_attention(X), weights)


def test_clone_and_params():
    reg = tsgate.GRURegressor(hidden_size=7, dropout=0.2)
    c = clone(reg)
    assert c.get_params() == reg.get_params()
    assert "hidden_size=7" in repr(reg)


def test_verbose_prints_progress_and_default_is_silent(airline_windows):
    X, Y = airline_windows
    out = io.StringIO()
    with redirect_stdout(out):
        tsgate.LSTMRegressor(hidden_size=4, max_iter=2, random_state=0).fit(X, Y)
    assert out.getvalue() == ""
    with redirect_stdout(out):
        tsgate.LSTMRegressor(hidden_size=4, max_iter=2, random_state=0, verbose=True).fit(X, Y)
    assert "LSTMRegressor epoch 2/2" in out.getvalue() and "loss" in out.getvalue()


def test_verbose_lines_every_tenth_of_the_epochs_and_the_last(airline_windows):
    """Lines, not a line per epoch: the first, every tenth of max_iter and the
    last epoch run (an early stop's too); verbose=2 prints every epoch."""
    X, Y = airline_windows
    with redirect_stdout(io.StringIO()) as out, warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        tsgate.GRURegressor(hidden_size=4, max_iter=40, random_state=0, verbose=True).fit(X, Y)
    epochs = [int(line.split("epoch ")[1].split("/")[0]) for line in out.getvalue().splitlines()]
    assert epochs == [1, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40]
    with redirect_stdout(io.StringIO()) as out:
        reg = tsgate.GRURegressor(hidden_size=4, max_iter=50, n_iter_no_change=1, tol=1e9,
                                  random_state=0, verbose=True).fit(X, Y)  # stops at epoch 2
    assert reg.n_iter_ == 2 and out.getvalue().count("epoch ") == 2
    with redirect_stdout(io.StringIO()) as out, warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        tsgate.GRURegressor(hidden_size=4, max_iter=7, random_state=0, verbose=2).fit(X, Y)
    assert out.getvalue().count("epoch ") == 7


def test_a_terminal_without_a_width_still_gets_a_bar(monkeypatch):
    from tsgate import _progress

    monkeypatch.setattr(_progress, "_is_terminal", lambda stream: True)
    monkeypatch.setattr(_progress, "_terminal_size", lambda stream: (0, 0))  # never sized
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    bar = _progress.EpochProgress("GRURegressor", 5, True)
    for epoch in range(1, 6):
        bar(epoch, 0.5, None, 0.01)
    bar.close()
    assert "5/5" in err.getvalue()


def test_an_interrupted_fit_leaves_its_bar_where_it_stopped(monkeypatch):
    """Ctrl-C in the fourth of 50 epochs: the bar stays at 4/50 (not redrawn
    as complete), and the interrupt reaches the caller."""
    from tsgate import _progress, regressors

    monkeypatch.setattr(_progress, "_is_terminal", lambda stream: True)
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)

    def interrupted(*args, log=None, **kwargs):
        for epoch in range(1, 5):
            log(epoch, 0.5, None, 0.01)
        raise KeyboardInterrupt

    monkeypatch.setattr(regressors, "train", interrupted)
    rng = np.random.default_rng(0)
    reg = tsgate.GRURegressor(hidden_size=4, max_iter=50, random_state=0, verbose=True)
    with pytest.raises(KeyboardInterrupt):
        reg.fit(rng.normal(size=(40, 5, 1)), rng.normal(size=40))
    last = err.getvalue().rstrip().rsplit("\r", 1)[-1]
    assert "4/50" in last and "100%" not in last, last


def test_verbose_shows_a_bar_on_a_terminal_named_by_the_owner(airline_windows, monkeypatch):
    X, Y = airline_windows
    monkeypatch.setattr("tsgate._progress._is_terminal", lambda stream: True)
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    reg = tsgate.GRURegressor(hidden_size=4, max_iter=3, early_stopping=True, random_state=0,
                              verbose=True)
    reg._progress_name = "GRUForecaster, model 1/2"  # set by an estimator that owns regressors
    with redirect_stdout(io.StringIO()) as out:
        reg.fit(X, Y)
    text = err.getvalue()
    assert out.getvalue() == ""  # the bar, not lines
    assert "GRUForecaster, model 1/2" in text and "3/3" in text
    assert "loss=" in text and "val_loss=" in text


def test_convergence_warning_only_when_max_iter_ends_the_fit(airline_windows):
    X, Y = airline_windows
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        tsgate.LSTMRegressor(hidden_size=4, max_iter=2, random_state=0).fit(X, Y)
    # the loss "stalls" at once: no warning of max_iter, but the two epochs
    # leave a model no better than the targets' mean, which is said
    with pytest.warns(ConvergenceWarning, match="no better than the constant their mean.*"
                                                "stall rule .tol=1e.09, n_iter_no_change=1"):
        reg = tsgate.LSTMRegressor(hidden_size=4, max_iter=50, n_iter_no_change=1, tol=1e9,
                                   random_state=0).fit(X, Y)
    assert reg.n_iter_ == 2  # the first epoch improves on nothing; the second stalls
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        reg = tsgate.LSTMRegressor(hidden_size=4, max_iter=50, n_iter_no_change=3, tol=1e-2,
                                   random_state=0).fit(X, Y)
        assert reg.n_iter_ < 50 and reg.score(X, Y) > 0  # better than the mean: no word


def test_nan_targets_are_masked():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4, 2)).astype(np.float32)
    y = X[:, -1, 0].astype(np.float64)
    y[::7] = np.nan
    reg = tsgate.LSTMRegressor(hidden_size=4, max_iter=5, random_state=0).fit(X, y)
    assert np.isfinite(reg.predict(X)).all()


@pytest.mark.parametrize("cls", [tsgate.LSTMRegressor, tsgate.GRURegressor])
def test_an_output_no_target_reached_carries_the_last_trained_one_on(cls):
    """Its weights never trained: it predicts what the last trained output
    before it predicts (a forecaster's step beyond every window of a short
    series, which the forecasters fit through ``_fit_arrays``, quietly:
    the correction to the statistical forecast carried on), or 0 where
    none is before it; not their random start. A user's ``fit`` with such
    a column is refused: a value for it would be silent garbage."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 4, 2)).astype(np.float32)
    Y = np.stack([np.full(40, np.nan), X[:, -1, 0] + 5, np.full(40, np.nan)], axis=1)  # (40, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no "Mean of empty slice"
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = cls(hidden_size=4, max_iter=3, alpha=0.0, scale_target=False, random_state=0)
        reg._fit_arrays(X, Y.astype(np.float32), 2)
    pred = reg.predict(X)  # (40, 3)
    assert np.all(pred[:, 0] == 0) and np.all(pred[:, 1] != 0)
    np.testing.assert_array_equal(pred[:, 2], pred[:, 1])
    with pytest.raises(ValueError, match="output column 0 is all NaN: .*drop that column"):
        cls(hidden_size=4, max_iter=3).fit(X, Y)


@pytest.mark.parametrize("bad, exc, match", [
    (lambda X, y: (np.where(np.arange(X.size).reshape(X.shape) == 5, np.nan, X), y), ValueError, "NaN"),
    (lambda X, y: (np.where(np.arange(X.size).reshape(X.shape) == 5, np.inf, X), y), ValueError, "infinity"),
    (lambda X, y: (X[..., None], y), ValueError, "dimensions"),
    (lambda X, y: (X, y[:-1]), ValueError, "samples"),
    (lambda X, y: (X.astype(str).astype(object) + "a", y), ValueError, "float|string"),
    (lambda X, y: (X[:0], y[:0]), ValueError, "0 sample"),
    (lambda X, y: (X, None), ValueError, "requires y"),
    (lambda X, y: (X, np.full_like(y, np.inf)), ValueError, "infinity"),
])
def test_bad_fit_input(bad, exc, match):
    X = np.random.default_rng(0).normal(size=(20, 6, 2))
    y = X[:, -1, 0]
    Xb, yb = bad(X, y)
    with pytest.raises(exc, match=match):
        tsgate.LSTMRegressor(max_iter=1).fit(Xb, yb)


@pytest.mark.parametrize("params, match", [
    ({"hidden_size": -1}, "hidden_size"), ({"num_layers": 0}, "num_layers"),
    ({"batch_size": 0}, "batch_size"), ({"dropout": 1.5}, "dropout"),
    ({"device": "tpu"}, "device"), ({"loss": "hinge"}, "loss"),
    ({"learning_rate_init": -1.0}, "learning_rate_init"),
])
def test_bad_parameters(params, match):
    X = np.zeros((10, 3, 1))
    with pytest.raises(ValueError, match=match):
        tsgate.GRURegressor(max_iter=1, **params).fit(X, np.zeros(10))


def test_predict_errors():
    X = np.random.default_rng(0).normal(size=(20, 6, 2))
    reg = tsgate.GRURegressor(max_iter=1, hidden_size=3)
    with pytest.raises(NotFittedError):
        reg.predict(X)
    reg.fit(X, X[:, -1, 0])
    with pytest.raises(ValueError, match="features"):
        reg.predict(X[:, :, :1])
    with pytest.raises(ValueError, match="steps|features"):
        reg.predict(X[:, :4, :])


def test_cuda_without_gpu_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("NUMBA_ENABLE_CUDASIM", raising=False)
    from tsgate import backend
    if backend.cuda_unavailable_reason() is None:
        pytest.skip("a GPU is usable here")
    with pytest.raises(RuntimeError, match="device='cuda' is not usable"):
        tsgate.LSTMRegressor(max_iter=1, device="cuda").fit(np.zeros((4, 3)), np.zeros(4))
    reg = tsgate.LSTMRegressor(max_iter=1, device="auto").fit(np.zeros((4, 3)), np.zeros(4))
    assert reg.device_ == "cpu"
    # the simulator's variable set after Numba's import: Numba runs no simulator, so
    # no GPU is usable still (tsgate read the variable and called it usable; the fit
    # then failed inside Numba with its raw CudaSupportError)
    monkeypatch.setenv("NUMBA_ENABLE_CUDASIM", "1")
    assert backend.cuda_unavailable_reason() is not None
    with pytest.raises(RuntimeError, match="device='cuda' is not usable"):
        tsgate.LSTMRegressor(max_iter=1, device="cuda").fit(np.zeros((4, 3)), np.zeros(4))


@pytest.mark.parametrize("cls", REGRESSORS)
def test_float32_windows_skip_validation_with_the_same_result(cls, airline_windows):
    X, Y = airline_windows
    reg = cls(hidden_size=4, max_iter=2, random_state=0).fit(X, Y.ravel())
    one = np.ascontiguousarray(X[-1:], dtype=np.float32)
    np.testing.assert_array_equal(reg.predict(one), reg.predict(one.astype(np.float64)))
    np.testing.assert_array_equal(reg.predict(one[:, :, 0]), reg.predict(one))  # 2-D windows
    bad = one.copy()
    bad[0, 3, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        reg.predict(bad)  # what validation rejects, the fast path does not take
    with pytest.raises(ValueError, match="expecting 12 features"):
        reg.predict(np.ascontiguousarray(X[-1:, 1:]))  # a window of the wrong length
    with pytest.raises(NotFittedError):
        cls().predict(one)


def _snapshot(est):
    """What ``vars(est)`` holds: each value's identity, and a copy of arrays' contents."""
    return {k: (id(v), v.copy() if isinstance(v, np.ndarray) else None) for k, v in vars(est).items()}


def _assert_unchanged(est, before):
    after = _snapshot(est)
    assert after.keys() == before.keys(), set(after) ^ set(before)
    for k, (ident, array) in before.items():
        assert after[k][0] == ident, k
        if array is not None:
            np.testing.assert_array_equal(getattr(est, k), array, err_msg=k)


@pytest.mark.parametrize("attention", [False, True])
def test_predict_leaves_the_estimator_unchanged(tmp_path, attention):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 5, 2)).astype(np.float32), rng.normal(size=20)
    fitted = tsgate.GRURegressor(hidden_size=4, max_iter=2, random_state=0, attention=attention)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted.fit(X, y)
    loaded = tsgate.load(fitted.save(tmp_path / "r.npz"))  # no network built yet
    for reg in (fitted, loaded):
        before = _snapshot(reg)
        reg.predict(X)            # the fast path (float32 windows)
        reg.predict(X.astype(np.float64).tolist())  # validated
        if attention:
            reg.predict_attention(X)
        _assert_unchanged(reg, before)


def test_predict_attention_and_its_deprecated_attribute(airline_windows):
    X, Y = airline_windows
    reg = tsgate.LSTMRegressor(hidden_size=4, max_iter=2, random_state=0, attention=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X, Y)
    with pytest.warns(FutureWarning, match="use predict_attention"), \
            pytest.raises(AttributeError, match="after predict with attention=True"):
        reg.attention_weights_
    reg.predict(X[:5])
    with pytest.warns(FutureWarning, match="attention_weights_ is deprecated"):
        old = reg.attention_weights_
    np.testing.assert_array_equal(old, reg.predict_attention(X[:5]))
    assert old.shape == (5, 12)
    with warnings.catch_warnings():  # a refit leaves no weights of the fit before
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.set_params(attention=False).fit(X, Y)
    with pytest.warns(FutureWarning), pytest.raises(AttributeError, match="after predict"):
        _ = reg.attention_weights_
    plain = tsgate.LSTMRegressor(hidden_size=4, max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain.fit(X, Y)
    with pytest.raises(ValueError, match="fit it with attention=True"):
        plain.predict_attention(X)


def test_huge_float32_targets_are_scaled_in_float64():
    """The squares of float32 targets near 1e20 overflow float32: the scale
    fell back to 1 and the network learned nothing (R^2 0)."""
    import warnings

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 5)).astype(np.float32)
    y = (X.sum(axis=1) * 1e20).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = tsgate.GRURegressor(hidden_size=8, max_iter=5, random_state=0).fit(X, y)
    np.testing.assert_allclose(model.y_scale_, np.std(y.astype(np.float64)), rtol=1e-6)
    # beyond float32's range: refused at fit, naming y (predict used to blame X)
    with pytest.raises(ValueError, match=r"y holds values up to .*beyond float32's range"):
        tsgate.GRURegressor(hidden_size=8, max_iter=5).fit(X, X.astype(np.float64).sum(axis=1) * 1e39)


def test_predict_on_another_window_length_says_windows():
    X = np.random.default_rng(0).normal(size=(20, 12, 1)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = tsgate.LSTMRegressor(max_iter=2, random_state=0).fit(X, X[:, -1, 0])
    with pytest.raises(ValueError, match="X has 6 features.*windows of 12 steps with 1 feature"):
        model.predict(X[:, :6])


def test_four_dimensional_windows_get_the_shape_message_at_fit_and_predict():
    X = np.random.default_rng(0).normal(size=(20, 5, 1)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = tsgate.GRURegressor(hidden_size=4, max_iter=2, random_state=0).fit(X, X[:, -1, 0])
    for bad in (X[:2, :, :, None], X[:2, :, :, None].astype(np.float64)):
        with pytest.raises(ValueError, match="X must be 2-D .* or 3-D .*4 dimensions"):
            model.predict(bad)
    with pytest.raises(ValueError, match="X must be 2-D .* or 3-D .*4 dimensions"):
        tsgate.GRURegressor().fit(X[:, :, :, None], X[:, -1, 0])


def test_one_sample_with_early_stopping_passes_scikit_learns_check():
    """check_fit2d_1sample accepts an error that says "1 sample"."""
    from sklearn.utils.estimator_checks import check_fit2d_1sample
    check_fit2d_1sample("LSTMRegressor", tsgate.LSTMRegressor(hidden_size=4, max_iter=2,
                                                              early_stopping=True))


@pytest.mark.parametrize("warm_start", [False, True])
def test_an_interrupted_fit_leaves_the_regressor_as_it_was(monkeypatch, warm_start):
    """A KeyboardInterrupt during a refit (on targets 100x + 1000) left the
    new target scaling with the old weights: forecasts near 1000 from a
    model of values near 1. A warm fit's weights change in place."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 6, 1)).astype(np.float32)
    y = X[:, -1, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = tsgate.GRURegressor(hidden_size=3, max_iter=2, random_state=0,
                                    warm_start=warm_start).fit(X, y)
    before = model.predict(X)
    attrs = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in vars(model).items()}

    def interrupted(net, params, *args, **kwargs):
        params += 1.0  # as Adam's updates, in place
        raise KeyboardInterrupt

    monkeypatch.setattr("tsgate.regressors.train", interrupted)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X[:, :4], y * 100 + 1000)  # another window too
    monkeypatch.undo()
    assert set(vars(model)) == set(attrs)
    for name, value in attrs.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(getattr(model, name), value, err_msg=name)
    np.testing.assert_array_equal(model.predict(X), before)
    unfitted = tsgate.GRURegressor(hidden_size=3, max_iter=2)
    monkeypatch.setattr("tsgate.regressors.train", interrupted)
    with pytest.raises(KeyboardInterrupt):
        unfitted.fit(X, y)
    with pytest.raises(NotFittedError):
        unfitted.predict(X)
    assert not [k for k in vars(unfitted) if k.endswith("_") and not k.startswith("_")]


def _sine_windows(n=120, T=8, seed=0):
    rng = np.random.default_rng(seed)
    s = np.sin(np.arange(n + T + 1) / 4) + 0.1 * rng.standard_normal(n + T + 1)
    X = np.stack([s[i:i + T] for i in range(n)])[:, :, None]  # (n, T, 1)
    return X, s[T:T + n].copy()  # (n,)


@pytest.mark.parametrize("part", ["validation", "training"])
def test_early_stopping_refuses_a_side_of_the_split_without_targets(part):
    """All-NaN validation targets scored a perfect 0 at every epoch, and the
    first epoch's weights were kept without a word (R^2 0.23 against 0.98)."""
    X, y = _sine_windows()
    if part == "validation":
        y[-12:] = np.nan
    else:
        y[:-12] = np.nan
    with pytest.raises(ValueError, match=f"early_stopping's {part} rows .* no target, only NaN"):
        tsgate.GRURegressor(hidden_size=4, early_stopping=True, random_state=0).fit(X, y)


def test_divergence_in_an_epochs_first_batch_restores_the_epoch_before():
    """The loss of a batch checks the weights before its step: the weights
    restored were those after the last unchecked step (predictions of 2e4
    for targets within 1.2), while loss_curve_ showed the good loss."""
    X, y = _sine_windows()
    with pytest.warns(RuntimeWarning, match="start of epoch 1, the last a loss checked"):
        model = tsgate.LSTMRegressor(hidden_size=4, max_iter=5, learning_rate_init=1e4,
                                     batch_size=1000, random_state=0).fit(X, y)
    assert model.diverged_at_ == 2 and model.n_iter_ == 0 and model.loss_curve_ == []
    assert np.abs(model.predict(X)).max() < 10 * np.abs(y).max()


def test_divergence_in_the_last_step_restores_the_last_epochs_start():
    """No batch checks the last step's weights: one batch an epoch at a
    learning rate of 1e4, for one epoch, ended at weights of about 1e4 (a
    forecaster's final member then forecast 86,000 for a series near 10)."""
    X, y = _sine_windows()
    with pytest.warns(RuntimeWarning, match="epoch 1: its last step's weights"):
        model = tsgate.LSTMRegressor(hidden_size=4, max_iter=1, learning_rate_init=1e4,
                                     batch_size=1000, random_state=0).fit(X, y)
    assert model.diverged_at_ == 1 and model.n_iter_ == 0 and model.loss_curve_ == []
    assert np.abs(model.params_).max() < 10
    assert np.abs(model.predict(X)).max() < 10 * np.abs(y).max()
    with warnings.catch_warnings():  # a sane rate: no check fires, the fit is as before
        warnings.simplefilter("error", RuntimeWarning)
        sane = tsgate.LSTMRegressor(hidden_size=4, max_iter=1, batch_size=1000,
                                    random_state=0).fit(X, y)
    assert sane.n_iter_ == 1 and sane.diverged_at_ is None


@pytest.mark.parametrize(("params", "advice"), [
    ({"learning_rate_init": 100.0}, r"lower learning_rate_init \(now 100\)"),
    ({"scale_target": False}, r"Set scale_target=True"),
])
def test_a_model_worse_than_a_constant_is_said(params, advice):
    """lr=100 ended at R^2 -460 without a word; unscaled targets of 1e20
    stalled at once (predictions within 2)."""
    X, y = _sine_windows()
    if not params.get("scale_target", True):
        y = y * 1e20
    with pytest.warns(ConvergenceWarning, match=f"no better than the constant.*{advice}"):
        tsgate.LSTMRegressor(hidden_size=4, random_state=0, **params).fit(X, y)


def test_scikit_learn_tools_around_the_regressors():
    """Session 34's sweep of the meta-estimators: score failed on the NaN
    targets fit takes (cross_validate then scored NaN), sample_weight met
    Python's TypeError naming a private class, and predict under
    assume_finite=True blamed the scale of an X holding NaN."""
    import sklearn
    from sklearn.model_selection import cross_validate

    X, y = _sine_windows(80)
    y_gappy = y.copy()
    y_gappy[::9] = np.nan
    model = tsgate.GRURegressor(hidden_size=4, max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y_gappy)
        ok = np.isfinite(y_gappy)
        from sklearn.metrics import r2_score
        assert model.score(X, y_gappy) == pytest.approx(r2_score(y[ok], model.predict(X)[ok]))
        scores = cross_validate(model, X, y_gappy, cv=2)["test_score"]
    assert np.isfinite(scores).all()
    with pytest.raises(TypeError, match="sample_weight is not supported: every window weighs"):
        model.fit(X, y, sample_weight=np.ones(len(y)))
    bad = X.copy()
    bad[0, 0, 0] = np.nan
    with sklearn.config_context(assume_finite=True), \
            pytest.raises(ValueError, match="X holds NaN or inf; predict needs finite windows"):
        model.predict(bad)


def test_windows_in_a_pipeline_under_global_pandas_output():
    """3-D windows are no table: under transform_output="pandas" the
    pipeline failed, advising flatten=True (which interleaves features)."""
    import sklearn
    from sklearn.pipeline import make_pipeline

    rng = np.random.default_rng(0)
    frame = np.cumsum(rng.normal(size=(60, 2)), axis=0)
    target = frame[:, 0]
    pipe = make_pipeline(tsgate.SlidingWindowTransformer(window=5),
                         tsgate.GRURegressor(hidden_size=4, max_iter=2, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = pipe.fit(frame, target).predict(frame[-3:])
        with sklearn.config_context(transform_output="pandas"):
            pandas = pipe.fit(frame, target).predict(frame[-3:])
    np.testing.assert_array_equal(plain, pandas)
    flat = tsgate.SlidingWindowTransformer(window=2, flatten=True).set_output(transform="pandas")
    assert list(flat.fit_transform(pd.DataFrame(frame, columns=["a", "b"])).columns)[:2] == [
        "a_lag1", "b_lag1"]


def test_the_window_transformer_checks_parameters_set_after_fit():
    """padding="mirror" set after fit zero-padded silently."""
    swt = tsgate.SlidingWindowTransformer(window=3).fit(np.arange(12.0).reshape(6, 2))
    swt.set_params(padding="mirror")
    with pytest.raises(ValueError, match="'padding' parameter .* Got 'mirror' instead"):
        swt.transform(np.arange(12.0).reshape(6, 2))


@pytest.mark.parametrize("scale_target", [True, False])
def test_validation_scores_are_r2_per_output_as_score_gives_it(scale_target):
    """Two outputs at different levels: one R^2 around the pooled mean read
    -0.2 where ``score`` (scikit-learn's ``r2_score``) gave -1740."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 4, 2))
    Y = np.stack([X[:, -1, 0] + 100.0, 0.1 * X[:, -1, 1] - 50.0], axis=1)  # (30, 2)
    reg = tsgate.GRURegressor(hidden_size=4, max_iter=4, early_stopping=True,
                              validation_fraction=0.3, n_iter_no_change=50,
                              scale_target=scale_target, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X, Y)
    n_val = int(np.ceil(0.3 * 30))
    best = reg.validation_scores_[reg.best_epoch_ - 1]
    assert best == pytest.approx(reg.score(X[-n_val:], Y[-n_val:]), rel=1e-4, abs=1e-4)


def test_validation_score_of_one_sample_is_nan():
    # R^2 of one target is undefined (scikit-learn: nan), not 0
    rng = np.random.default_rng(1)
    reg = tsgate.GRURegressor(hidden_size=2, max_iter=2, early_stopping=True,
                              validation_fraction=0.5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(rng.normal(size=(2, 3, 1)), rng.normal(size=2))
    assert all(np.isnan(s) for s in reg.validation_scores_)


@pytest.mark.parametrize("y_of, message", [
    (lambda Y: Y.T.ravel(), r"y has shape \(60,\).*give y of shape \(20, 3\)"),
    (lambda Y: Y[:10], r"y has shape \(10, 3\); X has 20 samples"),
    (lambda Y: Y[:, :2], r"the model 3 output\(s\)"),
])
def test_score_checks_the_shape_of_y(y_of, message):
    # before: reshaped to the prediction's shape, right or wrong (a score of
    # 60 values in the wrong order came back as -0.05)
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(20, 4, 1)), rng.normal(size=(20, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = tsgate.GRURegressor(hidden_size=2, max_iter=1, random_state=0).fit(X, Y)
    with pytest.raises(ValueError, match=message):
        reg.score(X, y_of(Y))
    assert np.isfinite(reg.score(X, Y))


def test_unsigned_batch_size_trains():
    # -np.uint64(3) wraps around: the plan asked for 2**64 tiles
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(6, 3, 1)), rng.normal(size=6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = tsgate.GRURegressor(hidden_size=2, max_iter=2, batch_size=np.uint64(3),
                                random_state=0).fit(X, y)
        b = tsgate.GRURegressor(hidden_size=2, max_iter=2, batch_size=3, random_state=0).fit(X, y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_windows_are_named_when_sklearn_checks_are_off(bad):
    """With ``assume_finite=True`` scikit-learn skips its check: fit returned
    an untrained model blaming the learning rate, and predict said inf was
    "beyond float32's range"."""
    import sklearn

    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(8, 3, 1)), rng.normal(size=8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = tsgate.GRURegressor(hidden_size=2, max_iter=1, random_state=0).fit(X, y)
    Xbad = X.copy()
    Xbad[2, 1, 0] = bad
    with sklearn.config_context(assume_finite=True):
        for call in (lambda: clone(reg).fit(Xbad, y), lambda: reg.predict(Xbad),
                     lambda: clone(reg).fit(Xbad.astype(np.float32), y)):
            with pytest.raises(ValueError, match="X holds NaN or inf"):
                call()


@pytest.mark.parametrize("params", [{"hidden_size": 10**5}, {"hidden_size": 10**9},
                                    {"num_layers": 10**5}])
def test_a_network_beyond_the_size_tsgate_allows_is_refused_by_name(params):
    """The forecasters refused such networks by name; the regressors met
    numpy's MemoryError ("Unable to allocate 149 GiB") or "array is too big"."""
    X, y = _sine_windows()
    with pytest.raises(ValueError, match=r"makes a network of about .* GiB to train .* give a "
                                         r"smaller hidden_size or fewer layers"):
        tsgate.GRURegressor(max_iter=1, **params).fit(X, y)


@pytest.mark.parametrize("rate, advice", [(1e-9, "barely moved .*raise learning_rate_init"),
                                          (500.0, "times the constant's: lower learning_rate_init")])
def test_a_useless_fit_is_told_which_way_to_move_the_learning_rate(rate, advice):
    """1e-9 (a flat loss curve, last-bit noise at its end) was told to lower
    the rate; 500 (a loss 8e4 times the constant's, its last epoch its
    best) to raise it (session 51's sweep)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 8, 2))
    y = X[:, -1, 0] + 0.1 * rng.normal(size=60)
    with pytest.warns(ConvergenceWarning, match="not a usable model. .*" + advice):
        tsgate.LSTMRegressor(hidden_size=4, max_iter=20, learning_rate_init=rate,
                             random_state=0).fit(X, y)


def test_a_diverged_fit_warns_at_the_users_line_and_names_a_large_weight_decay():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 5, 1)), rng.normal(size=40)
    with pytest.warns(RuntimeWarning, match="diverged in epoch") as record:
        tsgate.LSTMRegressor(hidden_size=4, max_iter=30, learning_rate_init=1e4,
                             random_state=0, n_iter_no_change=30).fit(X, y)
    assert {w.filename for w in record if w.category is RuntimeWarning} == {__file__}
    with pytest.warns(RuntimeWarning, match="weight_decay=1e.06, which shrinks"):
        tsgate.LSTMRegressor(hidden_size=4, max_iter=5, weight_decay=1e6,
                             random_state=0).fit(X, y)
