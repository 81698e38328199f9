"""The regressors' targets: checked once, with errors that say the fix."""
import numpy as np
import pandas as pd
from sklearn.utils import check_array

from ._series import check_unique_labels
from .encoding import F32_MAX
from .moments import mean_spread


def missing_as_nan(values):
    """``values`` with pandas' missing markers (``pd.NA``, ``pd.NaT``) in
    object columns or arrays as NaN: scikit-learn's float conversion took
    ``None`` as NaN but raised Python's "float() argument must be ... not
    'NAType'" for ``pd.NA``."""
    if isinstance(values, (pd.Series, pd.DataFrame)):
        dtypes = values.dtypes if isinstance(values, pd.DataFrame) else pd.Series([values.dtype])
        if (dtypes == object).any():
            return values.astype(object).where(values.notna(), np.nan)
    elif isinstance(values, np.ndarray) and values.dtype == object:
        return np.where(pd.isna(values), np.nan, values)
    return values


def reject_text(values, name):
    """Refuse ``values`` (an array-like) that hold text, dates or durations.

    NumPy converts numbers written as text (``"1.5"``) and dates (to counts
    of days) to floats without a word; a regressor would train on them.
    Arrays of other objects (numbers as Python objects, or anything else)
    are left to the caller's conversion.

    Raises
    ------
    ValueError
        Naming the kind of values and the fix (as scikit-learn's own
        conversion raises for text that is not a number).
    """
    if isinstance(values, pd.DataFrame):
        check_unique_labels(values.columns, name)
        columns = [values[c] for c in values.columns]
    elif isinstance(values, pd.Series):
        columns = [values]
    else:
        try:
            columns = [np.asarray(values)]
        except (ValueError, TypeError):  # ragged or odd: the caller's conversion says why
            return
    for col in columns:
        dtype = col.dtype
        kind = getattr(dtype, "kind", None) or "?"  # (not "": it is in every string)
        if kind in "Mm" or isinstance(dtype, pd.DatetimeTZDtype):
            what = "dates or times" if kind != "m" else "durations"
            raise ValueError(f"{name} must hold numbers, not {what} ({dtype}); encode them "
                             "as numbers first (e.g. days since a start, or calendar features).")
        text = kind in "US" or isinstance(dtype, (pd.StringDtype, pd.CategoricalDtype))
        if kind == "O" and not text:
            flat = col.to_numpy().ravel() if isinstance(col, pd.Series) else col.ravel()
            text = any(isinstance(v, (str, bytes)) for v in flat)
        if text:
            raise ValueError(f"{name} must hold numbers, not text or categories ({dtype}); "
                             "convert numbers written as text with pd.to_numeric or "
                             ".astype(float), and encode categories as numbers.")


def check_targets(y, n_samples):
    """Validate a regressor's targets for ``n_samples`` windows.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Numbers; NaN marks a missing target (masked out of the loss).
    n_samples : int

    Returns
    -------
    y : ndarray
        As given, float32 or float64.
    Y : ndarray of shape (n_samples, n_outputs)
        The same values, one column per output.

    Raises
    ------
    ValueError
        No y, text, a shape that does not match X, no outputs, an output
        without a single target, or values beyond float32's range: each
        message says the fix.
    """
    if y is None:
        raise ValueError("This regressor requires y to be passed, but the target y is None: "
                         "call fit(X, y) with the targets.")
    reject_text(y, "y")
    y = missing_as_nan(y)
    shape = getattr(y, "shape", None)  # (not np.ndim: array-likes may refuse NumPy's protocol)
    if shape is not None and len(shape) == 3:  # make_windows' targets of several series
        raise ValueError(
            f"y must be 1-D or 2-D (n_samples, n_outputs); got shape {tuple(shape)}, the targets "
            "make_windows gives several series (n, horizon, series): pass "
            "y.reshape(len(y), -1) for one output per (step, series), or window each series "
            "on its own.")
    try:
        y = check_array(y, ensure_2d=False, dtype=(np.float64, np.float32),
                        ensure_all_finite="allow-nan", input_name="y")
    except ValueError as exc:
        if "convert" not in str(exc):  # not text: scikit-learn's message says it well
            raise
        raise ValueError(f"y must hold numbers ({str(exc).splitlines()[0]}); convert it with "
                         "pd.to_numeric or .astype(float).") from None
    if y.ndim not in (1, 2):
        raise ValueError(f"y must be 1-D or 2-D (n_samples, n_outputs); got shape {y.shape}.")
    if y.shape[0] != n_samples:
        raise ValueError(f"X and y have different numbers of samples: {n_samples} and {y.shape[0]}.")
    Y = y.reshape(n_samples, -1)
    if Y.shape[1] == 0:
        raise ValueError(f"y has no outputs (shape {y.shape}).")
    if np.isnan(Y).all():
        raise ValueError("y is all NaN: there is nothing to learn from.")
    empty = np.flatnonzero(np.isnan(Y).all(axis=0))  # outputs without a single target
    if len(empty):
        raise ValueError(f"y's output column {int(empty[0])} is all NaN: there is nothing to "
                         "learn for it; drop that column (or give it targets).")
    big = float(np.nanmax(np.abs(Y)))
    if big > F32_MAX:  # the networks and their outputs are float32
        raise ValueError(
            f"y holds values up to {big:.3g}, beyond float32's range (about 3.4e38), in "
            "which the networks compute; rescale y (e.g. divide it by a constant).")
    return y, Y



def target_moments(Y, standardize=True):
    """Each output's mean and scale, in float64, for ``(Y - mean) / scale``.

    Parameters
    ----------
    Y : ndarray of shape (n_samples, n_outputs)
        The targets, NaN where missing.
    standardize : bool, default=True
        False gives mean 0 and scale 1 (the targets as they are).

    Returns
    -------
    mean, scale : ndarray of shape (n_outputs,), float64
        The mean and standard deviation of each output's targets
        (:func:`tsgate.moments.mean_spread`: of any size). Kept in float64:
        a float32 mean of targets near 1e12 is off by up to 65536 (every
        prediction was biased by thousands), and a float32 scale of targets
        near 1e-100 is 0. A constant output is scaled by 1, or by its size
        where that is smaller; an output without targets gets mean 0 and
        scale 1.
    """
    n_out = Y.shape[1]
    if not standardize:
        return np.zeros(n_out), np.ones(n_out)
    mean, spread = mean_spread(Y, axis=0)  # (O,) each; NaN for an output without targets
    mean = np.where(np.isfinite(mean), mean, 0.0)
    # a constant: 1, as StandardScaler's (the network's leftover output, about
    # 0.1, in the targets' units), or its size where that is smaller (a
    # constant 1e-100 would be predicted to within 0.1, not to its digits)
    scale = np.where(spread > 0, spread, np.where(mean != 0, np.minimum(np.abs(mean), 1.0), 1.0))
    return mean, scale
