"""The window regressors and helpers as a Keras or PyTorch user drives them
(a sweep, session 46): duplicate column names, a longer feature calendar,
NumPy float parameters, inf in score, dropout in a warm start; and (a
scikit-learn contract sweep, session 47) score's sample weights and text
targets, and a Pipeline of 3-D windows set to pandas output."""
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning

import tsgate
from tests.conftest import FAST

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5, 2)).astype(np.float32)
    return X, X[:, -1, 0] + 0.5 * X[:, -2, 1]


def test_duplicate_column_names_are_named():
    """pandas' AttributeError "'DataFrame' object has no attribute 'dtype'"."""
    frame = pd.DataFrame(np.arange(40.0).reshape(20, 2), columns=["a", "a"])
    with pytest.raises(ValueError, match=r"duplicate column names \['a'\]"):
        tsgate.make_windows(frame, window=3, horizon=1)
    with pytest.raises(ValueError, match=r"duplicate column names \['a'\]"):
        tsgate.GRURegressor(**FAST).fit(frame, np.arange(20.0))


def test_make_windows_takes_a_feature_calendar_longer_than_y():
    days = pd.date_range("2020-01-01", periods=12, freq="D")
    y = pd.Series(np.arange(10.0), index=days[:10])
    X = pd.DataFrame({"x": np.arange(12.0) * 10}, index=days)
    Xw, _ = tsgate.make_windows(y, window=3, horizon=1, X=X)
    Xw_exact, _ = tsgate.make_windows(y, window=3, horizon=1, X=X.iloc[:10])
    np.testing.assert_array_equal(Xw, Xw_exact)


@pytest.mark.parametrize("kind", [np.float16, np.longdouble])
def test_numpy_float_parameters_are_taken_as_floats(kind):
    """A Numba typing error in the optimizer (float16) or the loss."""
    X, y = _data()
    model = tsgate.GRURegressor(hidden_size=4, max_iter=2, random_state=0,
                                learning_rate_init=kind(0.01), alpha=kind(1e-3), loss="quantile",
                                quantile=kind(0.3)).fit(X, y)
    assert type(model.learning_rate_init) is kind  # the parameters stay as given
    plain = tsgate.GRURegressor(hidden_size=4, max_iter=2, random_state=0,
                                learning_rate_init=float(kind(0.01)), alpha=float(kind(1e-3)),
                                loss="quantile", quantile=float(kind(0.3))).fit(X, y)
    np.testing.assert_array_equal(model.predict(X), plain.predict(X))


def test_score_refuses_inf_targets():
    """They were left out as NaN ones are, without a word."""
    X, y = _data()
    model = tsgate.GRURegressor(**FAST).fit(X, y)
    y = y.astype(np.float64)
    y[0] = np.inf
    with pytest.raises(ValueError, match="y holds inf"):
        model.score(X, y)


def test_a_warm_start_that_only_changes_dropout_keeps_the_weights():
    """Dropout counted as the network's shape: the weights restarted, with
    a warning that the shape changed."""
    X, y = _data()
    model = tsgate.GRURegressor(hidden_size=4, max_iter=30, random_state=0).fit(X, y)
    before = model.params_.copy()
    model.set_params(warm_start=True, dropout=0.1, max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert model.n_iter_ == 31 and model.spec_.dropout == 0.1
    assert np.abs(model.params_ - before).max() < 0.05  # one epoch on from the fitted weights


def test_a_constant_target_is_scaled_by_one_as_standard_scaler_does():
    """Scaled by its size, a constant 1e6 was predicted 150,000 off."""
    X, _ = _data()
    model = tsgate.GRURegressor(hidden_size=4, max_iter=5, random_state=0).fit(X, np.full(40, 1e6))
    assert model.y_scale_.tolist() == [1.0]
    assert np.abs(model.predict(X) - 1e6).max() < 1.0


def test_a_longdouble_parameter_saves(tmp_path):
    X, y = _data()
    model = tsgate.GRURegressor(**{**FAST, "alpha": np.longdouble(1e-4)}).fit(X, y)
    again = tsgate.load(model.save(tmp_path / "m.npz"))
    assert again.alpha == pytest.approx(1e-4)


def test_score_checks_sample_weight_where_targets_are_missing():
    """With a NaN target, a weight of the wrong length was an IndexError and
    a 2-D one a broadcasting error (scikit-learn's message without NaN)."""
    X, y = _data(20)
    model = tsgate.GRURegressor(**FAST).fit(X, y)
    y = y.astype(np.float64)
    y[0] = np.nan
    with pytest.raises(ValueError, match="sample_weight.shape == \\(3,\\), expected \\(20,\\)"):
        model.score(X, y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="Sample weights must be 1D"):
        model.score(X, y, sample_weight=np.ones((20, 2)))
    weights = np.linspace(1.0, 2.0, 20)  # a valid weight still weighs the observed targets
    pred = model.predict(X[1:]).astype(np.float64)
    from sklearn.metrics import r2_score
    assert model.score(X, y, sample_weight=weights) == pytest.approx(
        r2_score(y[1:], pred, sample_weight=weights[1:]), rel=1e-6)


def test_score_refuses_text_targets_as_fit_does():
    """score read "1.5" as 1.5 where fit refuses text."""
    X, y = _data(20)
    model = tsgate.GRURegressor(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="y must hold numbers"):
        model.score(X, y.astype(str))


def test_a_pipeline_of_3d_windows_can_be_set_to_pandas_output():
    """Pipeline(StandardScaler, SlidingWindowTransformer, LSTMRegressor)
    .set_output(transform="pandas") raised: the 3-D step had no set_output,
    though the global transform_output="pandas" ran the same pipeline."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    frame = pd.DataFrame({"a": np.arange(30.0), "b": np.sin(np.arange(30.0))})
    target = np.arange(30.0)

    def pipe():
        return make_pipeline(StandardScaler(), tsgate.SlidingWindowTransformer(window=3),
                             tsgate.GRURegressor(**FAST))

    plain = pipe().fit(frame, target).predict(frame[:4])
    set_out = pipe().set_output(transform="pandas").fit(frame, target)
    np.testing.assert_array_equal(set_out.predict(frame[:4]), plain)
    assert isinstance(set_out[:1].transform(frame), pd.DataFrame)  # the scaler's: a table
    windows = tsgate.SlidingWindowTransformer(window=3).set_output(transform="pandas")
    assert windows.fit_transform(frame).shape == (30, 3, 2)  # 3-D: no table
    flat = tsgate.SlidingWindowTransformer(window=3, flatten=True).set_output(transform="pandas")
    out = flat.fit_transform(frame)
    assert isinstance(out, pd.DataFrame) and list(out.columns)[-2:] == ["a_lag0", "b_lag0"]
    with pytest.raises(ValueError, match="output config"):
        flat.set_output(transform="tables").transform(frame)


def test_a_warm_fit_with_another_scale_target_starts_afresh_and_says_so():
    """set_params(scale_target=False) before a warm fit was ignored without
    a word: y_mean_ stayed the first fit's (a parameter sweep, session 47)."""
    X, y = _data()
    y = 1000 + 100 * y
    model = tsgate.GRURegressor(warm_start=True, **FAST).fit(X, y)
    assert model.y_mean_[0] != 0
    model.set_params(scale_target=False)
    with pytest.warns(UserWarning, match=r"target scaling changed since the last fit "
                                         r"\(scale_target True -> False\)"):
        model.fit(X, y)
    fresh = tsgate.GRURegressor(scale_target=False, **FAST).fit(X, y)
    np.testing.assert_array_equal(model.y_mean_, fresh.y_mean_)
    np.testing.assert_array_equal(model.predict(X), fresh.predict(X))
    with warnings.catch_warnings():  # the same setting: continued, silently
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)  # (FAST's few epochs)
        model.fit(X, y)


def test_a_warm_fit_of_standardized_targets_continues():
    """Targets of mean 0 and scale 1 (already standardized) were taken for
    unscaled ones: the same scale_target restarted (a review, session 47)."""
    X, _ = _data()
    y = np.tile([1.0, -1.0], len(X) // 2)  # mean 0, scale 1
    model = tsgate.GRURegressor(warm_start=True, **FAST).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert model.n_iter_ == 2 * FAST["max_iter"]


def test_keras_fit_arguments_point_to_the_parameters():
    """fit(X, y, epochs=10) said only that fit takes X and y."""
    X, y = _data()
    with pytest.raises(TypeError, match=r"epochs: max_iter=; validation_data: early_stopping"):
        tsgate.GRURegressor(**FAST).fit(X, y, epochs=10, validation_data=(X, y))


def test_windows_as_a_nested_list_of_four_dimensions_are_refused_by_shape():
    """A 4-D nested list passed scikit-learn's check (allow_nd) and failed
    inside the engine ("too many values to unpack"), at fit and predict."""
    X = np.random.default_rng(0).normal(size=(12, 5, 2, 3))
    model = tsgate.GRURegressor(**FAST)
    with pytest.raises(ValueError, match=r"2-D \(n_samples, window\) or 3-D .* 4 dimensions "
                                         r"and shape \(12, 5, 2, 3\)"):
        model.fit(X.tolist(), np.zeros(12))
    model.fit(X[..., 0], np.zeros(12))
    with pytest.raises(ValueError, match=r"4 dimensions and shape \(12, 5, 2, 3\)"):
        model.predict(X.tolist())


def test_a_one_dimensional_x_is_told_how_windows_are_made():
    """scikit-learn's advice for a 1-D X, reshape(-1, 1), makes windows of
    one step (predict then wanted 12 'features')."""
    rng = np.random.default_rng(0)
    model = tsgate.GRURegressor(**FAST).fit(rng.normal(size=(20, 6)), rng.normal(size=20))
    for call in (lambda: model.predict(rng.normal(size=6)),
                 lambda: tsgate.GRURegressor(**FAST).fit(rng.normal(size=20), rng.normal(size=20))):
        with pytest.raises(ValueError, match=r"got a 1-D array\. Reshape your data: one window to "
                                             r"predict from is X\[None\] .*tsgate\.make_windows"):
            call()
    with pytest.raises(ValueError, match=r"got a 1-D array"):
        model.score(rng.normal(size=6), [1.0])


def test_an_output_with_targets_only_in_the_validation_rows_is_refused():
    """With early stopping, an output whose every target lay in the
    validation rows was never trained (its weights kept their random start)
    and predicted noise, without a word."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 5, 1))
    Y = rng.normal(size=(40, 2))
    Y[:36, 1] = np.nan  # output 1: observed in the last 4 samples only (validation_fraction 0.1)
    with pytest.raises(ValueError, match=r"output column 1 has targets only in early_stopping's "
                                         r"validation rows \(the last 4 of the 40 samples"):
        tsgate.GRURegressor(**dict(FAST, early_stopping=True)).fit(X, Y)
    tsgate.GRURegressor(**dict(FAST, early_stopping=False)).fit(X, Y)  # (trained on its 4)


def test_pd_na_in_object_targets_is_a_missing_target():
    """None in an object y was a missing target, pd.NA raised Python's
    "float() argument must be ... not 'NAType'" (fit and score)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 3))
    values = list(rng.normal(size=8))
    with_none = pd.Series([None] + values[1:], dtype=object)
    with_na = pd.Series([pd.NA] + values[1:], dtype=object)
    a = tsgate.GRURegressor(**FAST).fit(X, with_none)
    b = tsgate.GRURegressor(**FAST).fit(X, with_na)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    assert a.score(X, with_none) == b.score(X, with_na)
    b.fit(X, np.array([pd.NA] + values[1:], dtype=object))


def test_inputs_too_small_to_learn_from_are_named_in_the_warning():
    """X of 1e-20 times good inputs trained a model no better than the
    mean, and the warning asked for a lower learning rate."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 6))
    y = X.sum(axis=1)
    with pytest.warns(ConvergenceWarning, match=r"inputs X are all within \+-.*e-20, which the "
                                                r"networks read as nearly constant: scale X"):
        tsgate.GRURegressor(hidden_size=4, max_iter=5, random_state=0).fit(X * 1e-20, y)
