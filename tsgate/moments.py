"""Means, spreads and root mean squares of values of any size.

NumPy's ``std`` and a plain ``sqrt(mean(e ** 2))`` square the values, so
beyond about 1e154 they overflow to inf; and ``std`` subtracts a mean that
rounding leaves off a constant series' value, so a constant series at 1e300
"varied" by 1e284. Both broke series that are valid float64 data: a
constant series at 1e200 forecast NaN, an exogenous feature of size 1e155
was standardized to zero and silently dropped (tests/test_extreme_values.py).

These functions shift the values by one of them (so a constant gives 0
exactly) and divide by their largest size before squaring. On ordinary
data they agree with NumPy's to rounding.
"""
import math

import numpy as np

# the least unit of a series' values: below float32's smallest normal number a
# unit is 0 to the networks (which work in float32), and targets divided by it
# overflow to inf: a history of 1e-38, 0, 0 followed by 2 forecast NaN (found by
# tests/test_reliability.py)
MIN_SCALE = float(np.finfo(np.float32).tiny)


def mean_spread(x, axis=None):
    """Mean and population standard deviation of x, ignoring NaN.

    Parameters
    ----------
    x : ndarray of shape (n,) or (n, m)
    axis : {None, 0}, optional
        None: of all values; 0: of each column of a 2-D x.

    Returns
    -------
    mean, spread : float, or ndarray of shape (m,) with ``axis=0``
        NaN where no value is finite; the spread of a constant is 0
        exactly.
    """
    x = np.asarray(x, dtype=np.float64)
    if axis is None:
        mean, spread = mean_spread(x.reshape(-1, 1), axis=0)
        return float(mean[0]), float(spread[0])
    finite = np.isfinite(x)  # (n, m)
    first = x[np.argmax(finite, axis=0), np.arange(x.shape[1])]  # (m,) the shift
    first = np.where(finite.any(axis=0), first, 0.0)
    dev = np.where(finite, x - first, 0.0)  # (n, m)
    size = np.max(np.abs(dev), axis=0, initial=0.0)  # (m,)
    size = np.where(size > 0, size, 1.0)
    count = finite.sum(axis=0)  # (m,)
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = dev / size  # (n, m) within [-1, 1]
        mean = np.sum(scaled, axis=0) / count  # (m,)
        centred = np.where(finite, scaled - mean, 0.0)
        var = np.sum(centred * centred, axis=0) / count
    return first + mean * size, np.sqrt(var) * size


def root_mean_square(e, weights=None):
    """Root of the (weighted) mean of e (k,) squared, without overflow.

    Parameters
    ----------
    e : ndarray of shape (k,)
        Finite values.
    weights : ndarray of shape (k,), optional
        Non-negative weights (default: equal).

    Returns
    -------
    float
    """
    e = np.asarray(e, dtype=np.float64)
    w = np.ones(len(e)) if weights is None else np.asarray(weights, dtype=np.float64)
    size = float(np.max(np.abs(e), initial=0.0))
    if not size > 0:
        return 0.0
    scaled = e / size
    return math.sqrt(float(np.sum(w * scaled * scaled) / np.sum(w))) * size
