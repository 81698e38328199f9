"""Sliding windows that turn time series into supervised (input, target) pairs.

``make_windows`` and ``last_window`` build the 3-D float32 input arrays that the
recurrent models consume; ``SlidingWindowTransformer`` does the same job as a
scikit-learn transformer that keeps one output row per input row.

This module is a leaf: it imports only numpy, pandas and scikit-learn.
"""

import numbers
from numbers import Integral
from typing import ClassVar

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval, InvalidParameterError, StrOptions
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from ._series import check_unique_labels, real_numbers
from .featurerows import rows_on
from .targets import reject_text

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data
except ImportError:  # pragma: no cover - older scikit-learn
    def validate_data(estimator, X, **kwargs):
        return estimator._validate_data(X, **kwargs)

__all__ = ["make_windows", "last_window", "SlidingWindowTransformer"]

_NUMERIC_KINDS = "biuf"
_F32_MAX = float(np.finfo(np.float32).max)
_F32_TINY = float(np.finfo(np.float32).tiny)


def _check_int(value, name, minimum):
    """Return ``value`` as int, or raise if it is not an integer >= ``minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an int, got {type(value).__name__} {value!r}; "
            f"pass a whole number such as {name}={max(minimum, 1)}."
        )
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}; pass {name}>={minimum}.")
    return int(value)


def _as_2d(data, name):
    """Convert array-like/pandas data to a numeric (T, c) ndarray.

    Returns
    -------
    values : ndarray of shape (T, c)
        Numeric array (not copied when already a numeric ndarray).
    was_1d : bool
        Whether the input was one-dimensional.
    columns : list of str
        Printable column names used in error messages.
    index : pandas.Index or None
        Row labels when the input was a pandas object.
    """
    if isinstance(data, pd.Series):
        data = data.to_frame(name=name if data.name is None else data.name)
        was_1d = True
    elif isinstance(data, pd.DataFrame):
        was_1d = False
    else:
        if hasattr(data, "toarray"):  # (np.asarray made a 0-D object array of it)
            raise TypeError(f"{name} is a sparse matrix ({type(data).__name__}); windows are "
                            f"made of dense values: pass {name}.toarray().")
        try:
            data = np.asarray(data)
        except ValueError as exc:  # numpy's "inhomogeneous shape": rows of other lengths
            raise ValueError(f"{name} must be one row per time step of equal length; its rows "
                             f"differ ({str(exc).splitlines()[0]}).") from None
        if data.ndim not in (1, 2):
            raise ValueError(
                f"{name} must be 1-D (T,) or 2-D (T, columns), got {data.ndim}-D shape "
                f"{data.shape}; reshape it to (T, columns) with one row per time step."
            )
        was_1d = data.ndim == 1
        values = data.reshape(-1, 1) if was_1d else data  # (T, c)
        if was_1d:
            columns = [name]
        else:
            columns = [f"{name}[:, {j}]" for j in range(values.shape[1])]
        if values.dtype.kind not in _NUMERIC_KINDS:
            # numbers held as objects convert; text (even "1.5") is refused, as in a Series
            if values.dtype.kind == "O" and not any(isinstance(v, (str, bytes))
                                                    for v in values.ravel()):
                try:
                    return values.astype(np.float64), was_1d, columns, None
                except (TypeError, ValueError):
                    pass
            raise TypeError(
                f"{name} must be numeric, got dtype {values.dtype}; convert it with "
                f"pd.to_numeric or .astype(float) before windowing."
            )
        return values, was_1d, columns, None

    _numeric_frame(data, name)
    columns = [f"{name} column {col!r}" for col in data.columns]
    values = data.to_numpy(dtype=np.float64, na_value=np.nan)  # (T, c)
    return values, was_1d, columns, data.index


def _check_float32_range(values, name):
    """Raise where finite values pass float32's range: the windows are
    float32, where they became inf (and then read as missing values), or
    where all of them are below its normal numbers (they became zeros)."""
    values = np.asarray(values)
    if values.dtype == np.float32 or values.dtype.kind not in "fiu" or values.size == 0:
        return
    with np.errstate(invalid="ignore"):
        big = np.nanmax(np.abs(np.where(np.isfinite(values), values, 0.0)))
    if big > _F32_MAX:
        raise ValueError(
            f"{name} holds values up to {big:.3g}, beyond float32's range (about 3.4e38), in "
            f"which the windows are made; rescale {name} (e.g. divide by a power of 10).")
    if 0 < big < _F32_TINY:  # every value would be 0 or lose its digits in float32
        raise ValueError(
            f"{name} holds values no larger than {big:.3g}, below float32's smallest normal "
            f"number (about 1.2e-38), in which the windows are made: they would read as zeros; "
            f"rescale {name} (e.g. multiply by a power of 10).")


def _numeric_frame(X, name="X"):
    """Raise a TypeError naming the first column of a DataFrame that is not
    numbers (scikit-learn's message was numpy's "could not convert string")."""
    if isinstance(X, pd.DataFrame):
        check_unique_labels(X.columns, name)
        for col in X.columns:
            dtype = X[col].dtype
            if not real_numbers(dtype):
                raise TypeError(f"{name} column {col!r} has non-numeric dtype {dtype}; convert "
                                "it with pd.to_numeric or drop/encode it before windowing.")


def _prepare(y, X):
    """Validate ``y`` and ``X`` and return their arrays plus naming metadata."""
    y_vals, y_1d, names, index = _as_2d(y, "y")  # (T, k)
    if y_vals.shape[1] == 0:
        raise ValueError("y has no columns; pass at least one target series.")
    _check_float32_range(y_vals, "y")
    x_vals = None
    if X is not None:
        x_vals, _, x_names, x_index = _as_2d(X, "X")  # (T, m)
        _check_float32_range(x_vals, "X")
        # picked by label first: a calendar of features longer than y's is rows_on's
        # to cut (the count said "y has 10 time steps but X has 12")
        x_vals = _on_rows_of(x_vals, x_index, index)
        if len(x_vals) != len(y_vals):
            raise ValueError(
                f"y has {len(y_vals)} time steps but X has {len(x_vals)}; pass exogenous "
                f"features aligned with y (one row per time step of y)."
            )
        names = names + x_names
        index = index if index is not None else x_index
    return y_vals, x_vals, y_1d, names, index


def _on_rows_of(x_vals, x_index, y_index):
    """X's rows (T, m) on y's time steps where both are pandas objects,
    picked as the forecasters pick them (:func:`tsgate.featurerows.rows_on`: by
    date or integer step; rows given in reverse, or on other dates, were
    paired by position without a word). An X built without an index
    (0, 1, ...) is read in row order, as an array."""
    if x_index is None or y_index is None:
        return x_vals
    return rows_on(pd.DataFrame(x_vals, index=x_index), y_index).to_numpy()


def _check_finite_inputs(X_win, step, offset, names, index):
    """Raise if the input windows contain NaN/inf, naming the first bad time step."""
    bad = ~np.isfinite(X_win)  # (n, window, F)
    if not bad.any():
        return
    w, j, f = np.unravel_index(np.argmax(bad), bad.shape)  # first bad entry
    t = offset + w * step + j  # earliest non-finite time step (row of y / X)
    where = f"row {t}"
    if index is not None:
        where += f" (index label {index[t]!r})"
    raise ValueError(
        f"Input windows contain NaN/inf: first one at {where} of {names[f]}. Inputs must "
        f"be finite; fill or interpolate missing values first (e.g. .interpolate() or "
        f".ffill()) or trim the series. NaN is only allowed in the target part."
    )


def _build(y_vals, x_vals, window, horizon, step, offset=0, names=(), index=None):
    """Build the float32 windows from validated (T, k) / (T, m) arrays."""
    T, k = y_vals.shape
    m = 0 if x_vals is None else x_vals.shape[1]
    n = (T - window - horizon) // step + 1
    if n < 1:
        need = (f"window+horizon = {window}+{horizon} = {window + horizon} are" if horizon else
                f"window = {window} are")
        raise ValueError(
            f"The series has {T} points but {need} needed for one window; use a smaller "
            f"window{' or horizon' if horizon else ''}, or a longer series."
        )
    X_win = np.empty((n, window, k + m), dtype=np.float32)  # (n, window, k+m)
    # sliding_window_view over time gives (T-window+1, c, window); the strided
    # view is copied once, straight into the float32 result.
    y_view = sliding_window_view(y_vals, window, axis=0)[: (n - 1) * step + 1 : step]  # (n, k, window)
    X_win[:, :, :k] = y_view.transpose(0, 2, 1)
    if m:
        x_view = sliding_window_view(x_vals, window, axis=0)[: (n - 1) * step + 1 : step]  # (n, m, window)
        X_win[:, :, k:] = x_view.transpose(0, 2, 1)
    _check_finite_inputs(X_win, step, offset, names, index)

    Y_win = np.empty((n, horizon, k), dtype=np.float32)  # (n, horizon, k)
    if horizon:
        t_view = sliding_window_view(y_vals[window:], horizon, axis=0)[: (n - 1) * step + 1 : step]  # (n, k, horizon)
        Y_win[...] = t_view.transpose(0, 2, 1)
        Y_win[~np.isfinite(Y_win)] = np.nan  # inf (or float32 overflow) -> NaN, masked by models
    return X_win, Y_win


def make_windows(y, window, horizon=1, X=None, step=1):
    """Cut a series into (input window, target horizon) training pairs.

    Window ``i`` (``i = 0, step, 2*step, ...``) uses time steps ``[i, i+window)``
    as input and ``[i+window, i+window+horizon)`` as target.

    Parameters
    ----------
    y : array-like of shape (T,) or (T, k), pandas Series or DataFrame
        Target series (k columns = k series). The targets are also input features.
    window : int
        Number of past time steps in each input window (>= 1).
    horizon : int, default=1
        Number of future steps in each target (>= 0). ``0`` gives input windows
        only, ``(T - window)//step + 1`` of them, e.g. for prediction.
    X : array-like of shape (T,) or (T, m), pandas Series or DataFrame, optional
        Exogenous features aligned row by row with ``y``.
    step : int, default=1
        Offset between the starts of consecutive windows (>= 1).

    Returns
    -------
    X_win : ndarray of shape (n, window, k + m), float32, C-contiguous
        Inputs: the k columns of y followed by the m columns of X.
    Y_win : ndarray of shape (n, horizon) if y is 1-D, else (n, horizon, k)
        float32, C-contiguous. Non-finite targets become NaN.

    Raises
    ------
    TypeError
        Non-integer ``window``/``horizon``/``step`` or non-numeric data.
    ValueError
        Out-of-range parameters, 3-D data, misaligned ``X``, a series too short
        for one window, or NaN/inf inside an input window.

    Notes
    -----
    ``n = (T - window - horizon)//step + 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from tsgate import make_windows
    >>> X_win, Y_win = make_windows(np.arange(10), window=3, horizon=2)
    >>> X_win.shape, Y_win.shape
    ((6, 3, 1), (6, 2))
    """
    window = _check_int(window, "window", 1)
    horizon = _check_int(horizon, "horizon", 0)
    step = _check_int(step, "step", 1)
    y_vals, x_vals, y_1d, names, index = _prepare(y, X)
    X_win, Y_win = _build(y_vals, x_vals, window, horizon, step, 0, names, index)
    if y_1d:
        Y_win = Y_win.reshape(len(Y_win), horizon)  # (n, horizon)
    return X_win, Y_win


def last_window(y, window, X=None):
    """Return the final input window of a series, ready for forecasting.

    Parameters
    ----------
    y : array-like of shape (T,) or (T, k), pandas Series or DataFrame
        Target series.
    window : int
        Window length (>= 1); the series needs at least ``window`` points.
    X : array-like of shape (T,) or (T, m), pandas Series or DataFrame, optional
        Exogenous features aligned with ``y``.

    Returns
    -------
    ndarray of shape (1, window, k + m), float32, C-contiguous
        Time steps ``[T-window, T)`` of y's columns followed by X's columns.

    Raises
    ------
    TypeError, ValueError
        As for :func:`make_windows`.
    """
    window = _check_int(window, "window", 1)
    y_vals, x_vals, _, names, index = _prepare(y, X)
    start = max(len(y_vals) - window, 0)
    x_tail = None if x_vals is None else x_vals[start:]
    X_win, _ = _build(y_vals[start:], x_tail, window, 0, 1, start, names, index)
    return X_win  # (1, window, k+m)


class SlidingWindowTransformer(TransformerMixin, BaseEstimator):
    """Turn a time-ordered feature matrix into lagged windows, one per row.

    Row ``i`` of the output holds rows ``i-window+1 .. i`` of ``X`` (oldest
    first). Rows before the start of ``X`` are padded, so the number of samples
    is unchanged and a target ``y`` stays aligned row by row in a ``Pipeline``.

    Parameters
    ----------
    window : int, default=12
        Number of rows in each window (>= 1).
    padding : {"edge", "zero"}, default="edge"
        ``"edge"`` repeats the first row of ``X``; ``"zero"`` pads with zeros.
    flatten : bool, default=False
        If True return ``(n_samples, window * n_features)`` (row-major: lag
        ``window-1`` features first, the current row last) so that 2-D-only
        steps such as ``StandardScaler`` can follow.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit``; only when ``X`` had string column names.

    Notes
    -----
    Each ``transform`` call is windowed on its own: the first rows of a test set
    are padded rather than filled from the end of the training set. Pass the
    training tail together with the test rows if that matters.

    Examples
    --------
    >>> import numpy as np
    >>> from tsgate import SlidingWindowTransformer
    >>> SlidingWindowTransformer(window=3).fit_transform(np.ones((5, 2))).shape
    (5, 3, 2)
    """

    _parameter_constraints: ClassVar[dict] = {
        "window": [Interval(Integral, 1, None, closed="left")],
        "padding": [StrOptions({"edge", "zero"})],
        "flatten": ["boolean"],
    }

    def __init__(self, window=12, padding="edge", flatten=False):
        self.window = window
        self.padding = padding
        self.flatten = flatten

    def _check_params(self):
        """scikit-learn's parameter check (an ``InvalidParameterError``, as
        the estimators raise; a plain TypeError or ValueError passed a
        handler of that error), and a bool is no window."""
        self._validate_params()
        if isinstance(self.window, (bool, np.bool_)):
            raise InvalidParameterError(
                f"The 'window' parameter of {type(self).__name__} must be an int in the range "
                f"[1, inf). Got {self.window!r} instead.")

    def fit(self, X, y=None):
        """Validate parameters and record the number (and names) of features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Time-ordered feature matrix.
        y : None
            Ignored.

        Returns
        -------
        self : SlidingWindowTransformer
        """
        self._check_params()
        _numeric_frame(X)
        reject_text(X, "X")  # (an array of "1.5" or of dates converted without a word)
        _check_float32_range(validate_data(self, X, dtype=[np.float64, np.float32]), "X")
        return self

    def transform(self, X):
        """Window ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Time-ordered feature matrix with the features seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, window, n_features), float32
            Or (n_samples, window * n_features) when ``flatten=True``.
        """
        check_is_fitted(self, "n_features_in_")
        self._check_params()  # set_params after fit: padding="mirror" zero-padded silently
        _numeric_frame(X)
        reject_text(X, "X")
        try:
            X = validate_data(self, X, reset=False, dtype=[np.float32, np.float64])
        except ValueError as err:
            if "features" in str(err):
                raise ValueError(
                    f"{err} Pass the same feature columns, in the same order, as in fit."
                ) from None
            raise
        _check_float32_range(X, "X")
        X = np.asarray(X, dtype=np.float32)  # (n, F)
        n, F = X.shape
        w = self.window
        try:
            if self.padding == "edge":
                pad = np.repeat(X[:1], w - 1, axis=0)  # (w-1, F)
            else:
                pad = np.zeros((w - 1, F), dtype=np.float32)  # (w-1, F)
            Xp = np.concatenate([pad, X], axis=0)  # (n+w-1, F)
            view = sliding_window_view(Xp, w, axis=0).transpose(0, 2, 1)  # (n, w, F)
            out = np.ascontiguousarray(view)  # (n, w, F)
        except (MemoryError, ValueError) as exc:  # ("array is too big" is a ValueError)
            if isinstance(exc, ValueError) and "too big" not in str(exc):
                raise
            raise ValueError(
                f"window={w} makes {n} windows of {w} rows of {F} features, "
                f"{4 * n * w * F / 2**30:.3g} GiB of float32, more than this machine holds; "
                "give a shorter window.") from None
        if self.flatten:
            out = out.reshape(n, w * F)  # (n, w*F)
        return out

    def get_feature_names_out(self, input_features=None):
        """Names of the flattened output columns, ``"<feature>_lag<k>"``.

        In the order of ``transform(flatten=True)``: lag ``window - 1`` of
        every feature first, lag 0 (the current row) last. With them
        ``set_output(transform="pandas")`` works in a ``Pipeline``.

        Parameters
        ----------
        input_features : array-like of str, optional
            Default: ``feature_names_in_``, else ``x0, x1, ...``.

        Returns
        -------
        ndarray of str of shape (window * n_features,)
        """
        check_is_fitted(self, "n_features_in_")
        if not self.flatten:
            raise ValueError("3-D windows (flatten=False) have no column names; use "
                             "SlidingWindowTransformer(flatten=True) for a table, e.g. with "
                             "set_output(transform='pandas').")
        names = _check_feature_names_in(self, input_features)
        return np.asarray([f"{name}_lag{lag}" for lag in range(self.window - 1, -1, -1)
                           for name in names], dtype=object)

    def set_output(self, *, transform=None):
        """Set the container of ``transform``'s output, as scikit-learn's.

        ``transform="pandas"`` (or ``"polars"``) gives a table of the
        flattened windows (``flatten=True``) with the names of
        :meth:`get_feature_names_out`; 3-D windows (``flatten=False``) are
        no table and stay arrays, so a ``Pipeline`` of a scaler, this and a
        regressor can be set to pandas output as a whole.

        Parameters
        ----------
        transform : {"default", "pandas", "polars"} or None
            None leaves the setting as it is.

        Returns
        -------
        self
        """
        if transform is None:
            return self
        # the setting scikit-learn's own set_output stores and its output wrapper reads
        # (which wraps only what _auto_wrap_keys names)
        self._sklearn_output_config = {**getattr(self, "_sklearn_output_config", {}),
                                       "transform": transform}
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


def _auto_wrap_keys(self):
    """The methods scikit-learn wraps for its pandas output (``set_output`` or
    the global ``transform_output="pandas"``): 3-D windows are no table, so
    none when not flattened; a Pipeline(SlidingWindowTransformer(),
    LSTMRegressor()) failed under the global setting."""
    return {"transform"} if isinstance(self.flatten, (bool, np.bool_)) and self.flatten else set()


SlidingWindowTransformer._sklearn_auto_wrap_output_keys = property(_auto_wrap_keys)
