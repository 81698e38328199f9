"""The regressors' targets: checked once, with errors that say the fix."""
import numpy as np
from sklearn.utils import check_array

from .encoding import F32_MAX


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
