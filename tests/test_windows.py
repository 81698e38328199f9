import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import check_estimator

from tsgate.windows import SlidingWindowTransformer, last_window, make_windows


def _assert_float32_c(*arrays):
    for a in arrays:
        assert a.dtype == np.float32
        assert a.flags.c_contiguous


# --------------------------------------------------------------- make_windows


def test_make_windows_hand_computed_1d():
    X_win, Y_win = make_windows(np.arange(10), window=3, horizon=2)
    expected_X = np.array(
        [[[0], [1], [2]], [[1], [2], [3]], [[2], [3], [4]],
         [[3], [4], [5]], [[4], [5], [6]], [[5], [6], [7]]], dtype=np.float32
    )  # (6, 3, 1)
    expected_Y = np.array([[3, 4], [4, 5], [5, 6], [6, 7], [7, 8], [8, 9]], dtype=np.float32)
    np.testing.assert_array_equal(X_win, expected_X)
    np.testing.assert_array_equal(Y_win, expected_Y)
    _assert_float32_c(X_win, Y_win)


def test_make_windows_step():
    X_win, Y_win = make_windows(np.arange(10), window=3, horizon=2, step=2)
    # n = (10 - 3 - 2)//2 + 1 = 3 windows starting at 0, 2, 4
    np.testing.assert_array_equal(X_win[:, :, 0], [[0, 1, 2], [2, 3, 4], [4, 5, 6]])
    np.testing.assert_array_equal(Y_win, [[3, 4], [5, 6], [7, 8]])
    _assert_float32_c(X_win, Y_win)
    X_win, Y_win = make_windows(np.arange(10), window=2, horizon=1, step=4)
    # n = (10 - 2 - 1)//4 + 1 = 2 windows starting at 0, 4
    np.testing.assert_array_equal(X_win[:, :, 0], [[0, 1], [4, 5]])
    np.testing.assert_array_equal(Y_win, [[2], [6]])


def test_make_windows_2d_y_and_exogenous():
    T = 6
    y = np.column_stack([np.arange(T), 10 * np.arange(T)])  # (6, 2)
    X = 100 + np.arange(T)  # (6,)
    X_win, Y_win = make_windows(y, window=2, horizon=1, X=X)
    assert X_win.shape == (4, 2, 3)
    assert Y_win.shape == (4, 1, 2)
    np.testing.assert_array_equal(X_win[1], [[1, 10, 101], [2, 20, 102]])
    np.testing.assert_array_equal(Y_win[:, 0, :], [[2, 20], [3, 30], [4, 40], [5, 50]])
    _assert_float32_c(X_win, Y_win)


def test_make_windows_pandas_inputs():
    idx = pd.date_range("2024-01-01", periods=8, freq="D")
    y = pd.Series(np.arange(8.0), index=idx, name="sales")
    X = pd.DataFrame({"temp": np.arange(8) * 2, "promo": [True, False] * 4}, index=idx)
    X_win, Y_win = make_windows(y, window=3, horizon=2, X=X)
    assert X_win.shape == (4, 3, 3)
    assert Y_win.shape == (4, 2)
    np.testing.assert_array_equal(X_win[2], [[2, 4, 1], [3, 6, 0], [4, 8, 1]])
    df = pd.DataFrame({"a": np.arange(8.0), "b": np.arange(8.0) + 1})
    X_win, Y_win = make_windows(df, window=3, horizon=2)
    assert X_win.shape == (4, 3, 2)
    assert Y_win.shape == (4, 2, 2)
    np.testing.assert_array_equal(Y_win[0], [[3, 4], [4, 5]])


def test_make_windows_2d_single_column_keeps_last_axis():
    _, Y_win = make_windows(np.arange(10).reshape(10, 1), window=3, horizon=2)
    assert Y_win.shape == (6, 2, 1)


def test_make_windows_horizon_zero():
    X_win, Y_win = make_windows(np.arange(10), window=3, horizon=0)
    assert X_win.shape == (8, 3, 1)  # (10 - 3)//1 + 1
    assert Y_win.shape == (8, 0)
    np.testing.assert_array_equal(X_win[-1, :, 0], [7, 8, 9])
    X_win, Y_win = make_windows(np.ones((10, 2)), window=4, horizon=0, step=3)
    assert X_win.shape == (3, 4, 2)  # (10 - 4)//3 + 1
    assert Y_win.shape == (3, 0, 2)
    _assert_float32_c(X_win, Y_win)


def test_make_windows_nan_in_target_becomes_nan():
    y = np.arange(10.0)
    y[9] = np.nan  # only ever a target with window 3, horizon 2
    y[8] = np.inf
    X_win, Y_win = make_windows(y, window=3, horizon=2, step=5)
    # windows start at 0 and 5: inputs 0..2 and 5..7 are finite
    assert np.isfinite(X_win).all()
    np.testing.assert_array_equal(Y_win[0], [3, 4])
    assert np.isnan(Y_win[1]).all()  # inf -> NaN too


def test_make_windows_nan_in_input_raises_with_location():
    y = np.arange(10.0)
    y[4] = np.nan
    with pytest.raises(ValueError, match=r"NaN/inf: first one at row 4 of y.*interpolate"):
        make_windows(y, window=3, horizon=2)
    X = np.zeros((10, 2))
    X[6, 1] = np.inf
    with pytest.raises(ValueError, match=r"row 6 of X\[:, 1\].*fill or interpolate"):
        make_windows(np.arange(10.0), window=3, horizon=1, X=X)
    idx = pd.date_range("2024-01-01", periods=10, freq="D")
    Xdf = pd.DataFrame({"temp": np.arange(10.0)}, index=idx)
    Xdf.iloc[2, 0] = np.nan
    with pytest.raises(ValueError, match=r"row 2 \(index label Timestamp\('2024-01-03.*column 'temp'"):
        make_windows(pd.Series(np.arange(10.0), index=idx), window=3, X=Xdf)


@pytest.mark.parametrize("name", ["window", "horizon", "step"])
@pytest.mark.parametrize("bad", [2.0, True, "3", None])
def test_make_windows_non_integer_params(name, bad):
    kwargs = {"window": 3, "horizon": 1, "step": 1, name: bad}
    with pytest.raises(TypeError, match=rf"{name} must be an int.*pass a whole number"):
        make_windows(np.arange(10), **kwargs)


@pytest.mark.parametrize("name, bad, minimum", [("window", 0, 1), ("horizon", -1, 0), ("step", 0, 1)])
def test_make_windows_out_of_range_params(name, bad, minimum):
    kwargs = {"window": 3, "horizon": 1, "step": 1, name: bad}
    with pytest.raises(ValueError, match=rf"{name} must be >= {minimum}.*pass {name}>={minimum}"):
        make_windows(np.arange(10), **kwargs)


def test_make_windows_numpy_integer_params_ok():
    X_win, _ = make_windows(np.arange(10), window=np.int64(3), horizon=np.int32(2), step=np.int8(1))
    assert X_win.shape == (6, 3, 1)


def test_make_windows_too_short():
    with pytest.raises(ValueError, match=r"has 4 points but window\+horizon = 3\+2 = 5.*smaller window"):
        make_windows(np.arange(4), window=3, horizon=2)


def test_make_windows_non_numeric():
    with pytest.raises(TypeError, match=r"y must be numeric, got dtype <U1.*to_numeric"):
        make_windows(np.array(list("abcdef")), window=2)
    X = pd.DataFrame({"temp": np.arange(6.0), "city": list("abcdef")})
    with pytest.raises(TypeError, match=r"X column 'city' has non-numeric dtype.*to_numeric"):
        make_windows(np.arange(6.0), window=2, X=X)
    with pytest.raises(TypeError, match=r"y column 'd' has non-numeric dtype datetime"):
        make_windows(pd.DataFrame({"d": pd.date_range("2024", periods=6)}), window=2)


def test_make_windows_length_mismatch():
    with pytest.raises(ValueError, match=r"y has 10 time steps but X has 9.*aligned"):
        make_windows(np.arange(10), window=3, X=np.ones((9, 2)))


def test_make_windows_3d_input():
    with pytest.raises(ValueError, match=r"y must be 1-D .* got 3-D.*reshape"):
        make_windows(np.zeros((10, 2, 2)), window=3)
    with pytest.raises(ValueError, match=r"X must be 1-D .* got 3-D"):
        make_windows(np.arange(10), window=3, X=np.zeros((10, 2, 2)))


def test_make_windows_no_columns():
    with pytest.raises(ValueError, match=r"y has no columns.*at least one"):
        make_windows(np.zeros((10, 0)), window=3)


def test_make_windows_nullable_and_object_inputs():
    y = pd.Series([1, 2, 3, 4, 5, None], dtype="Int64")  # NA only as target
    X_win, Y_win = make_windows(y, window=3, horizon=1)
    np.testing.assert_array_equal(X_win[:, :, 0], [[1, 2, 3], [2, 3, 4], [3, 4, 5]])
    assert np.isnan(Y_win[-1, 0])
    X_win, _ = make_windows(np.array([1, 2, 3, 4], dtype=object), window=2)
    assert X_win.shape == (2, 2, 1)


# ---------------------------------------------------------------- last_window


def test_last_window():
    out = last_window(np.arange(10), window=3)
    np.testing.assert_array_equal(out, [[[7], [8], [9]]])
    _assert_float32_c(out)
    y = np.column_stack([np.arange(5), -np.arange(5)])  # (5, 2)
    X = pd.DataFrame({"x": np.arange(5) + 0.5})
    out = last_window(y, window=2, X=X)
    assert out.shape == (1, 2, 3)
    np.testing.assert_array_equal(out[0], [[3, -3, 3.5], [4, -4, 4.5]])
    # earlier NaN outside the last window is fine
    y = np.arange(10.0)
    y[0] = np.nan
    assert np.isfinite(last_window(y, window=5)).all()


def test_last_window_errors():
    with pytest.raises(ValueError, match=r"has 2 points but window = 3 are needed"):
        last_window(np.arange(2), window=3)
    with pytest.raises(TypeError, match="window must be an int"):
        last_window(np.arange(10), window=2.5)
    y = np.arange(10.0)
    y[8] = np.nan
    with pytest.raises(ValueError, match=r"first one at row 8 of y"):
        last_window(y, window=3)
    with pytest.raises(ValueError, match=r"y has 10 time steps but X has 3"):
        last_window(np.arange(10), window=3, X=np.ones(3))


# --------------------------------------------------- SlidingWindowTransformer


def test_transformer_edge_and_zero_padding():
    X = np.arange(8.0).reshape(4, 2)  # rows [0,1], [2,3], [4,5], [6,7]
    out = SlidingWindowTransformer(window=3).fit_transform(X)
    assert out.shape == (4, 3, 2)
    _assert_float32_c(out)
    np.testing.assert_array_equal(out[0], [[0, 1], [0, 1], [0, 1]])
    np.testing.assert_array_equal(out[1], [[0, 1], [0, 1], [2, 3]])
    np.testing.assert_array_equal(out[3], [[2, 3], [4, 5], [6, 7]])
    out = SlidingWindowTransformer(window=3, padding="zero").fit_transform(X)
    np.testing.assert_array_equal(out[0], [[0, 0], [0, 0], [0, 1]])
    np.testing.assert_array_equal(out[2], [[0, 1], [2, 3], [4, 5]])


def test_transformer_flatten_and_window_one():
    X = np.arange(8.0).reshape(4, 2)
    out = SlidingWindowTransformer(window=2, flatten=True).fit_transform(X)
    assert out.shape == (4, 4)
    np.testing.assert_array_equal(out[2], [2, 3, 4, 5])  # lag 1 then lag 0
    _assert_float32_c(out)
    out = SlidingWindowTransformer(window=1, flatten=True).fit_transform(X)
    np.testing.assert_array_equal(out, X)


def test_transformer_fit_attributes_and_feature_names():
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [4.0, 5.0, 6.0]})
    tr = SlidingWindowTransformer(window=2).fit(df)
    assert tr.n_features_in_ == 2
    assert list(tr.feature_names_in_) == ["a", "b"]
    assert tr.transform(df).shape == (3, 2, 2)


def test_transformer_wrong_feature_count():
    tr = SlidingWindowTransformer(window=2).fit(np.ones((5, 3)))
    with pytest.raises(ValueError, match=r"X has 2 features.*expecting 3.*same feature columns"):
        tr.transform(np.ones((5, 2)))


@pytest.mark.parametrize(
    "params, msg",
    [
        ({"window": 0}, r"'window' parameter .* range \[1, inf\)\. Got 0 instead"),
        ({"window": 2.5}, r"'window' parameter .* range \[1, inf\)\. Got 2.5 instead"),
        ({"window": True}, r"'window' parameter .* range \[1, inf\)\. Got True instead"),
        ({"padding": "reflect"}, r"'padding' parameter .*'zero'.* Got 'reflect' instead"),
        ({"flatten": "yes"}, r"'flatten' parameter .*'bool'.* Got 'yes' instead"),
    ],
)
def test_transformer_bad_params(params, msg):
    """Bad parameters raise scikit-learn's InvalidParameterError, as the
    estimators' do: a window of 2.5 raised a plain TypeError, which a
    handler of that error missed."""
    tr = SlidingWindowTransformer(**params)  # __init__ only stores
    with pytest.raises(InvalidParameterError, match=msg):
        tr.fit(np.ones((5, 2)))


def test_transformer_in_pipeline_with_ridge():
    rng = np.random.default_rng(0)
    t = np.arange(200)
    X = np.column_stack([np.sin(t / 5.0), rng.normal(size=200)])  # (200, 2)
    y = 2.0 * X[:, 0] - 0.5 * np.r_[X[0, 0], X[:-1, 0]]  # uses current and lag-1 row
    pipe = Pipeline([
        ("win", SlidingWindowTransformer(window=3, flatten=True)),
        ("scale", StandardScaler()),
        ("ridge", Ridge(alpha=1e-6)),
    ])
    pipe.fit(X[:150], y[:150])
    pred = pipe.predict(X[150:])
    assert pred.shape == (50,)
    # the first test row is edge-padded, the rest see their true lag
    np.testing.assert_allclose(pred[1:], y[151:], atol=1e-3)


def test_transformer_check_estimator():
    # 3-D output (flatten=False) passes the sklearn checks as well as flatten=True.
    # Two checks are expected to fail by design: they assume every output row
    # depends only on its own input row, while a sliding window depends on the
    # preceding rows, so shuffling the samples or transforming a subset (one
    # row at a time) legitimately changes the result.
    expected = {
        "check_methods_sample_order_invariance": "windows depend on sample order",
        "check_methods_subset_invariance": "windows depend on the preceding rows",
    }
    for flatten in (False, True):
        check_estimator(
            SlidingWindowTransformer(window=3, flatten=flatten),
            expected_failed_checks=expected,
            on_skip=None,
        )


def test_flattened_windows_name_their_columns_for_pandas_output():
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    X = pd.DataFrame({"a": np.arange(30.0), "b": np.sin(np.arange(30.0))})
    steps = Pipeline([("w", SlidingWindowTransformer(window=3, flatten=True)),
                      ("s", StandardScaler())]).set_output(transform="pandas")
    out = steps.fit_transform(X)
    assert list(out.columns) == ["a_lag2", "b_lag2", "a_lag1", "b_lag1", "a_lag0", "b_lag0"]
    np.testing.assert_allclose(out["a_lag0"].to_numpy(), StandardScaler().fit_transform(X)[:, 0],
                               rtol=1e-5, atol=1e-6)  # float32 windows
    with pytest.raises(ValueError, match="flatten=False"):
        SlidingWindowTransformer(window=3).fit(X).get_feature_names_out()


def test_sliding_windows_beyond_memory_name_the_window():
    """window=10**12 met numpy's MemoryError ("Unable to allocate 3.64 TiB")."""
    t = SlidingWindowTransformer(window=10**12).fit(np.ones((10, 1)))
    with pytest.raises(ValueError, match=r"window=1000000000000 makes 10 windows .* give a "
                                         r"shorter window"):
        t.transform(np.ones((10, 1)))


def test_exogenous_rows_are_matched_to_y_by_label():
    """X on y's dates in reverse order, or on other dates, was paired by
    position without a word; the forecasters match X by label."""
    index = pd.date_range("2020-01-01", periods=10, freq="D")
    y = pd.Series(np.arange(10.0), index=index)
    X = pd.Series(np.arange(10.0) * 10, index=index)
    expected = make_windows(y, 3, 2, X=X)
    for Xw, want in zip(make_windows(y, 3, 2, X=X.iloc[::-1]), expected):
        np.testing.assert_array_equal(Xw, want)
    np.testing.assert_array_equal(last_window(y, 3, X=X.iloc[::-1]), last_window(y, 3, X=X))
    other = X.set_axis(pd.date_range("2030-01-01", periods=10, freq="D"))
    for call in (lambda: make_windows(y, 3, 2, X=other), lambda: last_window(y, 3, X=other)):
        with pytest.raises(ValueError, match="X has no row for 2020-01-01"):
            call()
    # an X without an index of its own (0, 1, ...) goes by row order, as an array
    for Xw, want in zip(make_windows(y, 3, 2, X=X.reset_index(drop=True)), expected):
        np.testing.assert_array_equal(Xw, want)


def test_the_targets_of_several_series_get_a_message_that_says_how_to_fit_them():
    """make_windows of a 2-column frame gives targets (n, horizon, 2); a
    regressor met scikit-learn's "Found array with dim 3"."""
    import tsgate

    frame = pd.DataFrame({"a": np.sin(np.arange(40.0)), "b": np.cos(np.arange(40.0))})
    X, Y = make_windows(frame, 6, 3)
    assert Y.shape == (32, 3, 2)
    model = tsgate.GRURegressor(hidden_size=2, max_iter=1, random_state=0)
    with pytest.raises(ValueError, match=r"y.reshape\(len\(y\), -1\)"):
        model.fit(X, Y)
    assert model.fit(X, Y.reshape(len(Y), -1)).predict(X).shape == (32, 6)


def test_text_ragged_rows_and_a_short_series_are_told_plainly():
    """An object array of "1", "2" was read as numbers (a Series of them is
    refused); ragged rows met numpy's "inhomogeneous shape"; last_window
    spoke of a horizon it does not take."""
    with pytest.raises(TypeError, match="y must be numeric"):
        make_windows(np.array(["1", "2", "3", "4"], dtype=object), 2, 1)
    assert make_windows(np.array([1, 2, 3, 4], dtype=object), 2, 1)[0].shape == (2, 2, 1)
    with pytest.raises(ValueError, match="one row per time step of equal length"):
        make_windows([[1, 2], [3]], 1, 1)
    with pytest.raises(ValueError, match=r"has 5 points but window = 8 are needed for one "
                                         r"window; use a smaller window, or"):
        last_window(np.arange(5.0), 8)


def test_the_transformer_refuses_text_and_dates_in_arrays_as_in_frames():
    """An array of numbers written as text was parsed and one of dates read
    as nanoseconds (about 1.6e18), where a DataFrame of them, make_windows
    and the regressors refuse them."""
    for X in (np.array([["1.5", "2"], ["3", "4"], ["5", "6"]]),
              np.array(["2020-01-01", "2020-01-02", "2020-01-03"],
                       dtype="datetime64[ns]").reshape(-1, 1)):
        with pytest.raises(ValueError, match=r"X must hold numbers, not"):
            SlidingWindowTransformer(window=2).fit(X)
    fitted = SlidingWindowTransformer(window=2).fit(np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"X must hold numbers, not text"):
        fitted.transform(np.array([["1.5", "2"], ["3", "4"], ["5", "6"]]))


def test_sparse_input_to_the_window_helpers_is_named():
    """A sparse matrix was told it is "0-D shape ()" (np.asarray's object array)."""
    sparse = pytest.importorskip("scipy.sparse")
    y = sparse.csr_matrix(np.arange(10.0).reshape(-1, 1))
    with pytest.raises(TypeError, match=r"y is a sparse matrix .*pass y\.toarray\(\)"):
        last_window(y, window=3)
    with pytest.raises(TypeError, match=r"X is a sparse matrix .*pass X\.toarray\(\)"):
        make_windows(np.arange(10.0), window=3, X=y)
